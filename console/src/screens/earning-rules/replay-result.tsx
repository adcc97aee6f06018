import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Descriptions, Progress, Table, Tag, Typography } from 'antd';
import { lazy, Suspense, useEffect } from 'react';
import { useApi } from '../../api/client';
import type { components } from '../../api/schema';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../api/use-problem';
import { formatProgrammeTime } from '../../format';
import { signedPoints } from './preview-panel';
import type { RulesI18n } from './rules-form';

export type Replay = components['schemas']['WhatIfReplay'];
type Result = NonNullable<Replay['result']>;
export type Day = Result['days'][number];

// ECharts (about 185 kB gzipped) loads with the first finished replay, not with the screen.
const DaysChart = lazy(() => import('./days-chart').then((m) => ({ default: m.DaysChart })));

/** How often a running replay is read again. */
export const REPLAY_POLL_MS = 2_000;

export const finished = (state: Replay['state'] | undefined) => state === 'DONE' || state === 'FAILED';

const stateColours: Record<Replay['state'], string> = { QUEUED: 'default', RUNNING: 'processing', DONE: 'success', FAILED: 'error' };

export function ReplayState({ state, i18n }: { readonly state: Replay['state']; readonly i18n: RulesI18n }) {
  return <Tag color={stateColours[state]}>{i18n.t(`whatIf.state.${state}`)}</Tag>;
}

function Figures({ result, i18n }: { readonly result: Result; readonly i18n: RulesI18n }) {
  const { t } = i18n;
  const value = (testId: string, text: string) => <span data-testid={testId}>{text}</span>;
  const campaign = result.draftCampaign;
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, md: 2, xl: 3 }}
      items={[
        { key: 'purchases', label: t('whatIf.purchases'), children: value('whatif-purchases', i18n.points(result.purchases)) },
        {
          key: 'actual',
          label: t('whatIf.actualPoints'),
          children: value('whatif-actual', `${i18n.points(result.actualPoints)} (${i18n.money(result.actualValueCents)})`),
        },
        {
          key: 'draft',
          label: t('whatIf.draftPoints'),
          children: value('whatif-draft', `${i18n.points(result.draftPoints)} (${i18n.money(result.draftValueCents)})`),
        },
        { key: 'difference', label: t('whatIf.differencePoints'), children: value('whatif-difference', signedPoints(i18n, result.differencePoints)) },
        { key: 'cost', label: t('whatIf.cost'), children: value('whatif-cost', i18n.money(result.costCents)) },
        {
          key: 'liability',
          label: t('whatIf.liability'),
          children: (
            <>
              {value('whatif-liability', `${i18n.money(result.liability.beforeCents)} → ${i18n.money(result.liability.afterCents)}`)}
              <div>
                {t('whatIf.liabilityChange')} {value('whatif-liability-change', i18n.money(result.liability.changeCents))}
              </div>
            </>
          ),
        },
        {
          key: 'pointValue',
          label: t('whatIf.pointValue'),
          children:
            result.pointsPerYuan === result.draftPointsPerYuan
              ? t('whatIf.pointValue.same', { points: i18n.points(result.pointsPerYuan) })
              : t('whatIf.pointValue.changed', { before: i18n.points(result.pointsPerYuan), after: i18n.points(result.draftPointsPerYuan) }),
        },
        ...(campaign
          ? [
              {
                key: 'campaign',
                label: t('whatIf.campaignPaid'),
                children: value(
                  'whatif-campaign-paid',
                  campaign.budgetPoints === null
                    ? t('whatIf.campaignPaid.unlimited', { paid: i18n.points(campaign.pointsPaid) })
                    : t('whatIf.campaignPaid.budget', {
                        paid: i18n.points(campaign.pointsPaid),
                        budget: i18n.points(campaign.budgetPoints),
                        left: i18n.points(campaign.budgetLeft ?? 0),
                      }),
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

function DaysTable({ days, i18n }: { readonly days: readonly Day[]; readonly i18n: RulesI18n }) {
  const { t } = i18n;
  return (
    <Table<Day>
      data-testid="whatif-days"
      size="small"
      rowKey="day"
      pagination={false}
      scroll={{ x: 'max-content' }}
      dataSource={[...days]}
      columns={[
        { key: 'day', title: t('whatIf.day'), dataIndex: 'day' },
        { key: 'purchases', title: t('whatIf.purchases'), align: 'right', render: (_, d) => i18n.points(d.purchases) },
        { key: 'actual', title: t('whatIf.actualPoints'), align: 'right', render: (_, d) => i18n.points(d.actualPoints) },
        { key: 'draft', title: t('whatIf.draftPoints'), align: 'right', render: (_, d) => i18n.points(d.draftPoints) },
        { key: 'difference', title: t('whatIf.differencePoints'), align: 'right', render: (_, d) => signedPoints(i18n, d.differencePoints) },
        { key: 'cost', title: t('whatIf.cost'), align: 'right', render: (_, d) => i18n.money(d.costCents) },
      ]}
    />
  );
}

/** One replay, read again every 2 s until it is DONE or FAILED: its progress, then its figures, chart and days. */
export function ReplayResult({ replayId, i18n }: { readonly replayId: string; readonly i18n: RulesI18n }) {
  const { t } = i18n;
  const api = useApi();
  const query = useQuery({
    queryKey: ['what-if-replay', replayId],
    queryFn: () => unwrap(api.GET('/v1/admin/what-if-replays/{replayId}', { params: { path: { replayId } } })),
    refetchInterval: (q) => (finished(q.state.data?.state) ? false : REPLAY_POLL_MS),
    staleTime: 0,
  });
  const replay = query.data;
  const queryClient = useQueryClient();
  const done = finished(replay?.state);
  useEffect(() => {
    // The list below shows each replay's state: once this one has finished, read it again.
    if (done) void queryClient.invalidateQueries({ queryKey: ['what-if-replays'] });
  }, [done, queryClient]);
  if (query.error) return <ProblemAlert error={query.error} />;
  if (!replay) return null;
  const { progress } = replay;
  return (
    <Card
      data-testid="whatif-replay"
      data-state={replay.state}
      title={
        <>
          {t('whatIf.replayTitle', { from: replay.from, to: replay.to, zone: replay.timezone })} <ReplayState state={replay.state} i18n={i18n} />
        </>
      }
      extra={<Typography.Text type="secondary" copyable={{ text: replay.replayId }} data-testid="whatif-replay-id">{replay.replayId}</Typography.Text>}
    >
      <Typography.Paragraph type="secondary">
        {t('whatIf.requested', { at: formatProgrammeTime(replay.createdAt), by: replay.createdBy })}
        {replay.draftCampaign ? ` · ${t('whatIf.withCampaign', { name: replay.draftCampaign.name })}` : ''}
        {replay.draftRules ? ` · ${t('whatIf.withRules')}` : ''}
      </Typography.Paragraph>
      {!finished(replay.state) ? (
        <>
          <Progress percent={progress.days === 0 ? 0 : Math.round((progress.daysDone / progress.days) * 100)} />
          <Typography.Text type="secondary">
            {t('whatIf.progress', { daysDone: progress.daysDone, days: progress.days, purchases: i18n.points(progress.purchasesReplayed) })}
          </Typography.Text>
        </>
      ) : null}
      {replay.state === 'FAILED' ? <Alert type="error" showIcon title={t('whatIf.failed')} description={replay.error ?? ''} /> : null}
      {replay.state === 'DONE' && replay.result ? (
        <>
          <Figures result={replay.result} i18n={i18n} />
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('whatIf.perDay')}
          </Typography.Title>
          <Suspense fallback={<div style={{ height: 300 }} />}>
            <DaysChart days={replay.result.days} i18n={i18n} />
          </Suspense>
          <DaysTable days={replay.result.days} i18n={i18n} />
        </>
      ) : null}
    </Card>
  );
}
