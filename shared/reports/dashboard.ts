/**
 * The operator console's dashboard in one answer: today's points figures and
 * the liability, the last 30 days of them, the campaigns running with their
 * budget burn, and what needs an operator's attention. Every figure comes
 * from counter items, a bounded query or a queue attribute (about a dozen
 * reads in all), never from a scan or the ledger.
 */
import { shiftDay, localDate, PROGRAMME_TIMEZONE } from '../domain/programme.js';
import { runningCampaigns } from '../earning/campaigns.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { countAdjustmentsAwaitingApproval, countDeadLetters, countPurchasesAwaitingReview } from './attention.js';
import { operationsCounts } from './operations.js';
import { pointsDailyReport } from './points-report.js';

/** Days of the dashboard's series, today included. */
export const DASHBOARD_DAYS = 30;
/** Days over which failed fulfilments are counted, today included. */
export const FAILED_FULFILMENT_DAYS = 7;
/** Running campaigns listed at most (`more` says when there are others). */
export const DASHBOARD_CAMPAIGNS = 20;

export async function dashboard(now = new Date()) {
  const today = localDate(now);
  const [report, campaigns, operations, purchasesAwaitingReview, deadLetters, adjustmentsAwaitingApproval] = await Promise.all([
    pointsDailyReport({ currency: DEFAULT_CURRENCY, from: shiftDay(today, -(DASHBOARD_DAYS - 1)), to: today }, now),
    runningCampaigns(now, DASHBOARD_CAMPAIGNS),
    operationsCounts(shiftDay(today, -(FAILED_FULFILMENT_DAYS - 1)), today),
    countPurchasesAwaitingReview(),
    countDeadLetters(),
    countAdjustmentsAwaitingApproval(),
  ]);
  const last = report.days.at(-1);
  return {
    timezone: PROGRAMME_TIMEZONE,
    currency: report.currency,
    unitsPerYuan: report.unitsPerYuan,
    today: {
      day: today,
      issued: last?.issued ?? 0,
      redeemed: last?.redeemed ?? 0,
      expired: last?.expired ?? 0,
    },
    outstanding: report.outstanding,
    days: report.days.map((d) => ({
      day: d.day,
      issued: d.issued,
      redeemed: d.redeemed,
      expired: d.expired,
      outstandingPoints: d.outstandingPoints,
      liabilityCents: d.liabilityCents,
    })),
    runningCampaigns: {
      items: campaigns.campaigns.map((c) => ({
        campaignId: c.campaignId,
        name: c.name,
        startsAt: c.schedule.startsAt,
        endsAt: c.schedule.endsAt,
        budgetPoints: c.budgetPoints,
        budgetUsed: c.budgetUsed,
        activeNow: c.activeNow,
      })),
      more: campaigns.more,
    },
    attention: {
      purchasesAwaitingReview,
      adjustmentsAwaitingApproval,
      failedFulfilments: operations.failedFulfilments,
      parkedMessages: operations.parkedMessages,
      deadLetters,
    },
  };
}
