import { Descriptions, Flex, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import type { MessageKey } from '../../i18n/en';
import { useMessages, type ScreenI18n } from '../../i18n/locale';
import { formatProgrammeTime } from '../../format';
import { auditMessages } from './messages';

type AuditRecord = components['schemas']['AuditRecord'];
type AuditI18n = ScreenI18n<keyof (typeof auditMessages)['en']>;

/** The filters of GET /v1/admin/audit (times as ISO instants). */
export interface AuditFilters {
  readonly target?: string;
  readonly operatorId?: string;
  readonly from?: string;
  readonly to?: string;
}

const ROLE_KEYS: Record<string, MessageKey> = { admin: 'role.admin', marketer: 'role.marketer', support: 'role.support', analyst: 'role.analyst' };

/** `member:<id>` links to the member's page; other targets are shown as they are. */
function TargetCell({ target }: { readonly target: string }) {
  const member = /^member:(.+)$/.exec(target);
  if (member?.[1]) return <Link to={`/members/${encodeURIComponent(member[1])}`}>{target}</Link>;
  return <Typography.Text code>{target}</Typography.Text>;
}

/** A snapshot (JSON, possibly cut at 4,000 characters) pretty-printed when it parses. */
function Snapshot({ value, i18n }: { readonly value: string | undefined; readonly i18n: AuditI18n }) {
  if (value === undefined) return <Typography.Text type="secondary">{i18n.t('audit.nothing')}</Typography.Text>;
  let text = value;
  try {
    text = JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    // Cut (ends with …) or not JSON: shown as recorded.
  }
  return <pre style={{ margin: 0, maxHeight: 320, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{text}</pre>;
}

function Expanded({ record, i18n }: { readonly record: AuditRecord; readonly i18n: AuditI18n }) {
  const { t } = i18n;
  return (
    <Flex vertical gap="small" data-testid={`audit-detail-${record.auditId}`}>
      <Flex gap="middle" wrap>
        <div style={{ flex: '1 1 320px', minWidth: 0 }}>
          <Typography.Text strong>{t('audit.before')}</Typography.Text>
          <Snapshot value={record.before} i18n={i18n} />
        </div>
        <div style={{ flex: '1 1 320px', minWidth: 0 }}>
          <Typography.Text strong>{t('audit.after')}</Typography.Text>
          <Snapshot value={record.after} i18n={i18n} />
        </div>
      </Flex>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'path', label: t('audit.route'), children: <Typography.Text code>{record.path}</Typography.Text> },
          ...(record.idempotencyKey ? [{ key: 'key', label: t('audit.idempotencyKey'), children: <Typography.Text code>{record.idempotencyKey}</Typography.Text> }] : []),
          { key: 'request', label: t('audit.requestId'), children: <Typography.Text code>{record.requestId}</Typography.Text> },
        ]}
      />
    </Flex>
  );
}

function auditColumns(i18n: AuditI18n, showTarget: boolean): TableColumnsType<AuditRecord> {
  const { t } = i18n;
  return [
    { key: 'at', title: t('audit.at'), render: (_, r) => formatProgrammeTime(r.at, 'YYYY-MM-DD HH:mm:ss') },
    { key: 'operatorId', title: t('audit.operator'), dataIndex: 'operatorId' },
    { key: 'role', title: t('audit.role'), render: (_, r) => <Tag>{ROLE_KEYS[r.role] ? t(ROLE_KEYS[r.role] as MessageKey) : r.role}</Tag> },
    { key: 'route', title: t('audit.route'), render: (_, r) => <Typography.Text code>{r.route}</Typography.Text> },
    ...(showTarget ? [{ key: 'target', title: t('audit.target'), render: (_: unknown, r: AuditRecord) => <TargetCell target={r.target} /> }] : []),
    { key: 'summary', title: t('audit.summary'), dataIndex: 'summary' },
  ];
}

/**
 * Audit records matching the filters, newest first, a page at a time; a row expands to its before and after. The
 * Audit log screen and an object's audit trail (its `target`) both show it.
 */
export function AuditTable({ filters, showTarget = true }: { readonly filters: AuditFilters; readonly showTarget?: boolean }) {
  const api = useApi();
  const i18n = useMessages(auditMessages);
  const list = useCursorList(['audit', filters], (cursor) =>
    unwrap(api.GET('/v1/admin/audit', { params: { query: { ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => auditColumns(i18n, showTarget), [i18n, showTarget]);
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="auditId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        expandable={{ expandedRowRender: (record) => <Expanded record={record} i18n={i18n} /> }}
        locale={{ emptyText: i18n.t('audit.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
