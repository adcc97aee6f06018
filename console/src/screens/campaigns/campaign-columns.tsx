import { Button, Progress, Space, Tag, Typography, type TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatNumber, formatProgrammeTime, PROGRAMME_TIME_ZONE, DATE_FORMAT } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import type { Campaign, CampaignListItem, CampaignState } from './campaign-values';
import type { campaignMessages } from './messages';

export type CampaignI18n = ScreenI18n<keyof (typeof campaignMessages)['en']>;

export function effectText(effect: Campaign['effect'], i18n: CampaignI18n): string {
  if (effect.kind === 'multiplier') return i18n.t('campaigns.effect.multiplier', { multiplier: formatNumber(effect.multiplier, i18n.locale) });
  const points = i18n.points(effect.points);
  return effect.minSpendCents
    ? i18n.t('campaigns.effect.bonusMinSpend', { points, minSpend: i18n.money(effect.minSpendCents) })
    : i18n.t('campaigns.effect.bonus', { points });
}

function spendText(spend: NonNullable<Extract<Campaign['audience'], { kind: 'segment' }>['spend']>, i18n: CampaignI18n): string {
  const { t } = i18n;
  const period =
    spend.period.kind === 'last-months'
      ? t('campaigns.audience.spendLastMonths', { months: spend.period.months })
      : t('campaigns.audience.spendMonths', { from: spend.period.from, to: spend.period.to });
  const range = [
    spend.atLeastCents !== undefined ? t('campaigns.audience.spendAtLeast', { amount: i18n.money(spend.atLeastCents) }) : undefined,
    spend.belowCents !== undefined ? t('campaigns.audience.spendBelow', { amount: i18n.money(spend.belowCents) }) : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return t('campaigns.audience.segmentSpend', { range, period });
}

export function audienceText(audience: Campaign['audience'], i18n: CampaignI18n): string {
  const { t } = i18n;
  switch (audience.kind) {
    case 'all':
      return t('campaigns.audience.all');
    case 'tiers':
      return t('campaigns.audience.tiers', { tiers: audience.tiers.map((tier) => t(`tier.${tier}`)).join(', ') });
    case 'segment': {
      const day = (iso: string | undefined) => (iso ? formatProgrammeTime(iso, DATE_FORMAT).replace(` (${PROGRAMME_TIME_ZONE})`, '') : '…');
      const parts = [
        audience.tags?.length ? t('campaigns.audience.segmentTags', { tags: audience.tags.join(', ') }) : undefined,
        audience.registeredFrom || audience.registeredTo
          ? t('campaigns.audience.segmentRegistered', { from: day(audience.registeredFrom), to: day(audience.registeredTo) })
          : undefined,
        audience.spend ? spendText(audience.spend, i18n) : undefined,
      ].filter(Boolean);
      return parts.length > 0 ? `${t('campaigns.audience.segment')}: ${parts.join('; ')}` : t('campaigns.audience.segment');
    }
  }
}

export function targetsText(targets: Campaign['targets'], i18n: CampaignI18n): string {
  const parts = [
    targets.categories?.length ? i18n.t('campaigns.targets.categories', { categories: targets.categories.join(', ') }) : undefined,
    targets.skus?.length ? i18n.t('campaigns.targets.skus', { count: targets.skus.length }) : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : i18n.t('campaigns.targets.all');
}

export function recurringText(schedule: Campaign['schedule'], i18n: CampaignI18n): string | undefined {
  const recurring = schedule.recurring;
  if (!recurring) return undefined;
  const days = recurring.daysOfWeek.map((d) => i18n.t(`weekday.${d}` as 'weekday.1')).join(' ');
  // The window is local to the campaign's zone; say which when it is not the programme's.
  const zone = schedule.timezone === PROGRAMME_TIME_ZONE ? '' : ` (${schedule.timezone})`;
  return `${i18n.t('campaigns.recurring')} ${days} ${recurring.from}–${recurring.to}${zone}`;
}

const stateColours: Record<CampaignState, string> = {
  scheduled: 'blue',
  running: 'green',
  paused: 'default',
  'budget-exhausted': 'orange',
  ended: 'default',
};

export function StateTag({ state, activeNow, i18n }: { readonly state: CampaignState; readonly activeNow?: boolean; readonly i18n: CampaignI18n }) {
  const tag = <Tag color={stateColours[state]}>{i18n.t(`campaigns.state.${state}`)}</Tag>;
  if (state !== 'running' || activeNow === undefined) return tag;
  return (
    <Space size={4}>
      {tag}
      {activeNow ? (
        <Typography.Text type="success">{i18n.t('campaigns.activeNow')}</Typography.Text>
      ) : (
        <Typography.Text type="secondary">{i18n.t('campaigns.notNow')}</Typography.Text>
      )}
    </Space>
  );
}

/** Points issued against the budget: a bar and the figures (no bar when the budget is unlimited). */
export function BudgetUsed({ used, budget, i18n }: { readonly used: number; readonly budget: number | null; readonly i18n: CampaignI18n }) {
  if (budget === null) return <span>{i18n.t('campaigns.budgetUsedNoLimit', { used: i18n.points(used) })}</span>;
  const percent = budget > 0 ? Math.min(100, (used / budget) * 100) : 100;
  return (
    <div style={{ minWidth: 160 }} data-testid="budget-used">
      <Progress percent={Number(percent.toFixed(1))} size="small" status={used >= budget ? 'exception' : 'normal'} showInfo={false} />
      <Typography.Text type="secondary">{i18n.t('campaigns.budgetUsedOf', { used: i18n.points(used), budget: i18n.points(budget) })}</Typography.Text>
    </div>
  );
}

function scheduleCell(schedule: Campaign['schedule'], i18n: CampaignI18n): ReactNode {
  const recurring = recurringText(schedule, i18n);
  return (
    <>
      {formatProgrammeTime(schedule.startsAt)}
      {recurring ? <div style={{ color: '#888' }}>{recurring}</div> : null}
    </>
  );
}

/** The campaign list's columns, every label and format from the operator's locale; `onEdit` when the role may edit. */
export function campaignColumns(i18n: CampaignI18n, onEdit?: (campaign: CampaignListItem) => void): TableColumnsType<CampaignListItem> {
  const { t } = i18n;
  const columns: TableColumnsType<CampaignListItem> = [
    {
      key: 'name',
      title: t('campaigns.name'),
      render: (_, c) => (
        <Link to={`/campaigns/${encodeURIComponent(c.campaignId)}`} aria-label={t('campaigns.open', { name: c.name })}>
          {c.name}
        </Link>
      ),
    },
    { key: 'state', title: t('campaigns.state'), render: (_, c) => <StateTag state={c.state} activeNow={c.activeNow} i18n={i18n} /> },
    { key: 'effect', title: t('campaigns.effect'), render: (_, c) => effectText(c.effect, i18n) },
    { key: 'startsAt', title: t('campaigns.startsAt'), render: (_, c) => scheduleCell(c.schedule, i18n) },
    { key: 'endsAt', title: t('campaigns.endsAt'), render: (_, c) => formatProgrammeTime(c.schedule.endsAt) },
    { key: 'audience', title: t('campaigns.audience'), render: (_, c) => audienceText(c.audience, i18n) },
    { key: 'budget', title: t('campaigns.budgetUsed'), render: (_, c) => <BudgetUsed used={c.budgetUsed} budget={c.budgetPoints} i18n={i18n} /> },
    { key: 'updatedAt', title: t('campaigns.updatedAt'), render: (_, c) => formatProgrammeTime(c.updatedAt) },
  ];
  if (onEdit) {
    columns.push({
      key: 'actions',
      title: t('campaigns.actions'),
      fixed: 'right',
      render: (_, c) => (
        <Button size="small" onClick={() => onEdit(c)}>
          {t('campaigns.edit')}
        </Button>
      ),
    });
  }
  return columns;
}
