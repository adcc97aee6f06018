import { Table, Tag } from 'antd';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { formatProgrammeTime } from '../../format';
import { DiffTable } from './diff-table';
import { diffDocuments, documentOf, type EarningRules } from './rules-document';
import type { RulesI18n } from './rules-form';

/** Every saved version, newest first, a page at a time: who saved it and when; open a row for its diff against the version in force. */
export function HistoryPanel({ current, i18n }: { readonly current: EarningRules; readonly i18n: RulesI18n }) {
  const { t } = i18n;
  const api = useApi();
  const list = useCursorList(['earning-rules', 'versions'], (cursor) =>
    unwrap(api.GET('/v1/admin/earning-rules/versions', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<EarningRules>
        data-testid="rules-history"
        rowKey="version"
        size="small"
        pagination={false}
        loading={list.isPending && !list.error}
        dataSource={[...list.items]}
        locale={{ emptyText: t('history.empty') }}
        expandable={{
          expandRowByClick: true,
          expandedRowRender: (version) =>
            version.version === current.version ? (
              t('history.isCurrent')
            ) : (
              <DiffTable
                changes={diffDocuments(documentOf(version), documentOf(current))}
                i18n={i18n}
                testId={`history-diff-${version.version}`}
                beforeTitle={t('history.diff.version', { version: version.version })}
                afterTitle={t('history.diff.current', { version: current.version })}
              />
            ),
        }}
        columns={[
          {
            key: 'version',
            title: t('history.version'),
            render: (_, v) => (
              <>
                {v.version} {v.version === current.version ? <Tag color="green">{t('history.inForce')}</Tag> : null}
              </>
            ),
          },
          { key: 'updatedAt', title: t('history.savedAt'), render: (_, v) => formatProgrammeTime(v.updatedAt) },
          { key: 'updatedBy', title: t('history.savedBy'), dataIndex: 'updatedBy' },
        ]}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
