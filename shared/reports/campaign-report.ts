/**
 * The points report per campaign: each campaign that ran in a range of
 * programme-local days, with what it issued per day (and its purchases,
 * sales and new participants), from the campaigns' hour counters
 * (shared/earning/campaigns.ts, written in each awarding transaction) and
 * never from ledger entries.
 */
import { campaignSeries, listItemsOf, type CampaignBucket, type CampaignListItem } from '../earning/campaigns.js';
import { daysFromTo, localDate, PROGRAMME_TIMEZONE, shiftDay } from '../domain/programme.js';
import { ValidationError } from '../errors.js';
import { keys } from '../table/keys.js';
import { queryPageSelecting, type PageRequest } from '../table/paging.js';

/** The longest range: a campaign's day series reads its hour items, at most 24 a day. */
export const MAX_CAMPAIGN_REPORT_DAYS = 31;

export interface CampaignReportRow {
  readonly campaignId: string;
  readonly name: string;
  readonly state: CampaignListItem['state'];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly budgetPoints: number | null;
  /** Points issued since the campaign began (all days, not only the range). */
  readonly budgetUsed: number;
  /** The figures summed over the range. */
  readonly totals: Omit<CampaignBucket, 'bucket'>;
  /** One row per day of the range (`bucket` = the day), zeros where it paid nothing. */
  readonly days: readonly CampaignBucket[];
}

export interface CampaignReportQuery {
  /** Programme-local dates, both included; default: the 30 days up to today. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/**
 * One page of the campaigns whose window meets the range, latest ending
 * first: a Query of the campaign list from the campaigns ending on or after
 * the day before `from` (the key condition), keeping those that started by
 * the end of `to`, and one Query of hour items per campaign kept.
 */
export async function campaignReport(query: CampaignReportQuery, page: PageRequest, now = new Date()) {
  const to = query.to ?? localDate(now);
  const from = query.from ?? shiftDay(to, -29);
  if (from > to) throw new ValidationError(`from (${from}) must not be after to (${to})`);
  const length = daysFromTo(from, to).length;
  if (length > MAX_CAMPAIGN_REPORT_DAYS) {
    throw new ValidationError(`the campaign report covers at most ${MAX_CAMPAIGN_REPORT_DAYS} days; ${from}..${to} is ${length} days`);
  }
  const partition = keys.campaign.listPartition();
  // List keys are `<endsAt>#<campaignId>` in UTC: a day early covers every time zone's start of `from`.
  const lowest = `${shiftDay(from, -1)}T`;
  const result = await queryPageSelecting(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK >= :lowest',
      ExpressionAttributeValues: { ':pk': partition, ':lowest': lowest },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'GSI1PK', value: partition },
    {
      // The window from the definition alone; counters and series only for the page's campaigns.
      pick: async (items) =>
        items.map((item) => {
          const schedule = item.schedule as { startsAt: string; endsAt: string };
          return localDate(new Date(schedule.startsAt)) <= to && localDate(new Date(Date.parse(schedule.endsAt) - 1)) >= from ? item : undefined;
        }),
      finish: async (picked) => {
        const campaigns = await listItemsOf(picked, now);
        return Promise.all(campaigns.map(async (c) => rowOf(c, await campaignSeries(c.campaignId, { from, to }, 'day'))));
      },
    },
    { beyond: { attribute: 'GSI1SK', value: lowest } },
  );
  return { timezone: PROGRAMME_TIMEZONE, from, to, items: result.items, nextCursor: result.nextCursor };
}

function rowOf(campaign: CampaignListItem, days: readonly CampaignBucket[]): CampaignReportRow {
  const totals = { participants: 0, pointsIssued: 0, purchases: 0, salesCents: 0 };
  for (const day of days) {
    totals.participants += day.participants;
    totals.pointsIssued += day.pointsIssued;
    totals.purchases += day.purchases;
    totals.salesCents += day.salesCents;
  }
  return {
    campaignId: campaign.campaignId,
    name: campaign.name,
    state: campaign.state,
    startsAt: campaign.schedule.startsAt,
    endsAt: campaign.schedule.endsAt,
    budgetPoints: campaign.budgetPoints,
    budgetUsed: campaign.budgetUsed,
    totals,
    days,
  };
}
