import { Progress, Table, Typography, type TableColumnsType } from 'antd';
import { useMemo } from 'react';
import type { components } from '../../api/schema';
import { formatProgrammeTime } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import type { poolMessages } from './messages';

export type Pool = components['schemas']['Pool'];
type Activity = Pool['activities'][number];
export type PoolI18n = ScreenI18n<keyof (typeof poolMessages)['en']>;

const percent = (part: number, whole: number) => (whole > 0 ? Number(Math.min(100, (part / whole) * 100).toFixed(1)) : 0);

function Issued({ issued, budget, i18n }: { readonly issued: number; readonly budget: number; readonly i18n: PoolI18n }) {
  return (
    <div style={{ minWidth: 150 }}>
      <Progress percent={percent(issued, budget)} size="small" showInfo={false} status={issued >= budget ? 'exception' : 'normal'} />
      <Typography.Text type="secondary">{i18n.t('pools.issuedOf', { issued: i18n.points(issued), budget: i18n.points(budget) })}</Typography.Text>
    </div>
  );
}

/** Each activity's share of a pool: a short bar per activity (its issued against its share). */
function Split({ pool, i18n }: { readonly pool: Pool; readonly i18n: PoolI18n }) {
  return (
    <div style={{ minWidth: 260 }} data-testid="pool-split">
      {pool.activities.map((a) => (
        <div key={a.activity} style={{ display: 'grid', gridTemplateColumns: '90px 1fr auto', gap: 8, alignItems: 'center' }}>
          <Typography.Text>{a.activity}</Typography.Text>
          <Progress percent={percent(a.issued, a.sharePoints)} size="small" showInfo={false} />
          <Typography.Text type="secondary">{i18n.t('pools.issuedOf', { issued: i18n.points(a.issued), budget: i18n.points(a.sharePoints) })}</Typography.Text>
        </div>
      ))}
    </div>
  );
}

function ActivityTable({ pool, i18n }: { readonly pool: Pool; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Activity>>(
    () => [
      { key: 'activity', title: t('pools.activity'), dataIndex: 'activity' },
      { key: 'weight', title: t('pools.weight'), align: 'right', render: (_, a) => i18n.points(a.weight) },
      { key: 'share', title: t('pools.share'), align: 'right', render: (_, a) => i18n.points(a.sharePoints) },
      { key: 'issued', title: t('pools.issued'), render: (_, a) => <Issued issued={a.issued} budget={a.sharePoints} i18n={i18n} /> },
      { key: 'left', title: t('pools.left'), align: 'right', render: (_, a) => i18n.points(a.left) },
      { key: 'cap', title: t('pools.dailyCap'), align: 'right', render: (_, a) => (a.dailyCapPerMember === null ? t('pools.noCap') : i18n.points(a.dailyCapPerMember)) },
    ],
    [t, i18n],
  );
  return <Table rowKey="activity" size="small" columns={columns} dataSource={pool.activities} pagination={false} />;
}

/** The pools' columns; a row expands to its activities' table. */
export function PoolTable({ pools, loading, i18n }: { readonly pools: readonly Pool[]; readonly loading: boolean; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Pool>>(
    () => [
      {
        key: 'name',
        title: t('pools.name'),
        render: (_, p) => (
          <>
            <div>{p.name}</div>
            <Typography.Text type="secondary">{p.poolId}</Typography.Text>
          </>
        ),
      },
      { key: 'budget', title: t('pools.budget'), align: 'right', render: (_, p) => i18n.points(p.budgetPoints) },
      { key: 'issued', title: t('pools.issued'), render: (_, p) => <Issued issued={p.issued} budget={p.budgetPoints} i18n={i18n} /> },
      { key: 'left', title: t('pools.left'), align: 'right', render: (_, p) => i18n.points(p.left) },
      { key: 'awards', title: t('pools.awards'), align: 'right', render: (_, p) => i18n.points(p.awards) },
      { key: 'split', title: t('pools.split'), render: (_, p) => <Split pool={p} i18n={i18n} /> },
      { key: 'createdAt', title: t('pools.createdAt'), render: (_, p) => formatProgrammeTime(p.createdAt) },
    ],
    [t, i18n],
  );
  return (
    <Table
      rowKey="poolId"
      columns={columns}
      dataSource={[...pools]}
      loading={loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('pools.empty') }}
      expandable={{ expandedRowRender: (pool) => <ActivityTable pool={pool} i18n={i18n} /> }}
    />
  );
}
