import { Table, Typography, type TableColumnsType } from 'antd';
import { useMemo } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import type { CampaignI18n } from './campaign-columns';

type AuditRecord = components['schemas']['AuditRecord'];

/** A JSON snapshot as the audit record keeps it (cut at 4,000 characters), indented when it parses. */
function Snapshot({ json }: { readonly json: string | undefined }) {
  if (json === undefined) return null;
  let text = json;
  try {
    text = JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    // A cut snapshot is not JSON any more: shown as kept.
  }
  return <pre style={{ margin: 0, maxHeight: 240, overflow: 'auto', fontSize: 12, whiteSpace: 'pre-wrap' }}>{text}</pre>;
}

/** One object's audit trail (GET /v1/admin/audit?target=), newest first, a page at a time; before/after on expanding a row. */
export function AuditTrail({ target, i18n }: { readonly target: string; readonly i18n: CampaignI18n }) {
  const api = useApi();
  const { t } = i18n;
  const list = useCursorList(['audit', { target }], (cursor) =>
    unwrap(api.GET('/v1/admin/audit', { params: { query: { target, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo<TableColumnsType<AuditRecord>>(
    () => [
      { key: 'at', title: t('audit.at', { zone: PROGRAMME_TIME_ZONE }), render: (_, r) => formatProgrammeTime(r.at).replace(` (${PROGRAMME_TIME_ZONE})`, '') },
      { key: 'operator', title: t('audit.operator'), dataIndex: 'operatorId' },
      { key: 'role', title: t('audit.role'), render: (_, r) => (['admin', 'marketer', 'support', 'analyst'].includes(r.role) ? t(`role.${r.role as 'admin'}`) : r.role) },
      { key: 'operation', title: t('audit.operation'), render: (_, r) => <Typography.Text code>{r.operation}</Typography.Text> },
      { key: 'summary', title: t('audit.summary'), render: (_, r) => r.summary ?? '' },
    ],
    [t],
  );
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="auditId"
        size="small"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('audit.empty') }}
        expandable={{
          rowExpandable: (r) => r.before !== undefined || r.after !== undefined,
          expandedRowRender: (r) => (
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16 }}>
              <div>
                <Typography.Text strong>{t('audit.before')}</Typography.Text>
                <Snapshot json={r.before} />
              </div>
              <div>
                <Typography.Text strong>{t('audit.after')}</Typography.Text>
                <Snapshot json={r.after} />
              </div>
            </div>
          ),
        }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
