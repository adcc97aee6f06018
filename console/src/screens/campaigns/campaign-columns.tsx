import { Tag, type TableColumnsType } from 'antd';
import type { components } from '../../api/schema';
import { formatNumber, formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import type { campaignMessages } from './messages';

export type Campaign = components['schemas']['Campaign'];
type I18n = ScreenI18n<keyof (typeof campaignMessages)['en']>;

function effectText(effect: Campaign['effect'], i18n: I18n): string {
  if (effect.kind === 'multiplier') return i18n.t('campaigns.effect.multiplier', { multiplier: formatNumber(effect.multiplier, i18n.locale) });
  const points = i18n.points(effect.points);
  return effect.minSpendCents
    ? i18n.t('campaigns.effect.bonusMinSpend', { points, minSpend: i18n.money(effect.minSpendCents) })
    : i18n.t('campaigns.effect.bonus', { points });
}

function audienceText(audience: Campaign['audience'], i18n: I18n): string {
  switch (audience.kind) {
    case 'all':
      return i18n.t('campaigns.audience.all');
    case 'tiers':
      return i18n.t('campaigns.audience.tiers', { tiers: audience.tiers.join(', ') });
    case 'segment':
      return i18n.t('campaigns.audience.segment');
  }
}

function recurringText(schedule: Campaign['schedule'], i18n: I18n): string | undefined {
  const recurring = schedule.recurring;
  if (!recurring) return undefined;
  const days = recurring.daysOfWeek.map((d) => i18n.t(`weekday.${d}` as 'weekday.1')).join(' ');
  // The window is local to the campaign's zone; say which when it is not the programme's.
  const zone = schedule.timezone === PROGRAMME_TIME_ZONE ? '' : ` (${schedule.timezone})`;
  return `${i18n.t('campaigns.recurring')} ${days} ${recurring.from}–${recurring.to}${zone}`;
}

/** The campaign list's columns, every label and format from the operator's locale. */
export function campaignColumns(i18n: I18n): TableColumnsType<Campaign> {
  const { t } = i18n;
  return [
    { key: 'name', title: t('campaigns.name'), dataIndex: 'name' },
    {
      key: 'status',
      title: t('campaigns.status'),
      render: (_, c) => <Tag color={c.status === 'ACTIVE' ? 'green' : 'default'}>{t(`campaigns.status.${c.status}`)}</Tag>,
    },
    { key: 'effect', title: t('campaigns.effect'), render: (_, c) => effectText(c.effect, i18n) },
    {
      key: 'startsAt',
      title: t('campaigns.startsAt'),
      render: (_, c) => (
        <>
          {formatProgrammeTime(c.schedule.startsAt)}
          {recurringText(c.schedule, i18n) ? <div style={{ color: '#888' }}>{recurringText(c.schedule, i18n)}</div> : null}
        </>
      ),
    },
    { key: 'endsAt', title: t('campaigns.endsAt'), render: (_, c) => formatProgrammeTime(c.schedule.endsAt) },
    { key: 'audience', title: t('campaigns.audience'), render: (_, c) => audienceText(c.audience, i18n) },
    {
      key: 'budget',
      title: t('campaigns.budget'),
      align: 'right',
      render: (_, c) => (c.budgetPoints === null ? t('campaigns.unlimited') : i18n.points(c.budgetPoints)),
    },
    { key: 'updatedAt', title: t('campaigns.updatedAt'), render: (_, c) => formatProgrammeTime(c.updatedAt) },
  ];
}
