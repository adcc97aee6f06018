import { campaignStates } from '../domain/campaigns.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { currencySchema, localDaySchema, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

const MAX_REPORT_DAYS = 92;

/** A programme-local calendar date `YYYY-MM-DD` (kept under this name for the contracts that import it from here). */
export const localDay = localDaySchema;

const figures = z.object({
  issued: doc(z.number().check(z.int()), { description: 'New points: earned (EARN, VEST) and operator credits (ADJUST_CREDIT).' }),
  redeemed: doc(z.number().check(z.int()), { description: 'Points spent for good (SPEND + CAPTURE), net of REFUND.' }),
  expired: z.number().check(z.int()),
  clawedBack: doc(z.number().check(z.int()), { description: 'Points taken back: refund clawbacks (CLAWBACK) and operator debits (ADJUST_DEBIT).' }),
  held: doc(z.number().check(z.int()), { description: 'Points put on hold (points+cash orders, bids).' }),
  released: doc(z.number().check(z.int()), { description: 'Held points given back.' }),
  pendingEarned: doc(z.number().check(z.int()), { description: 'Points earned into the return window (not yet available).' }),
  pendingCancelled: doc(z.number().check(z.int()), { description: 'Pending points cancelled by refunds inside the window.' }),
  netChange: doc(z.number().check(z.int()), { description: 'Net change of what members own (available + held).' }),
  entries: doc(z.number().check(z.int()), { description: 'Ledger entries counted.' }),
  byType: doc(z.record(z.string(), z.number().check(z.int())), { description: 'Points moved per ledger entry type (ADJUST split by direction).' }),
});

export const pointsReportSchema = doc(z.object({
  currency: z.string(),
  timezone: doc(z.string(), { description: 'The programme time zone that defines a day.' }),
  from: z.string(),
  to: z.string(),
  unitsPerYuan: doc(z.number(), { description: 'Points value used for liability: how many units are worth 1 CNY.' }),
  totals: doc(figures, { description: 'The figures summed over the range.' }),
  days: doc(z.array(docExtend(figures, { day: z.string() })), { description: 'One row per day of the range, oldest first; days without entries are zeros.' }),
  outstanding: z.object({
    available: z.number().check(z.int()),
    held: z.number().check(z.int()),
    pending: z.number().check(z.int()),
    points: doc(z.number().check(z.int()), { description: 'available + held: what members own now.' }),
    liabilityCents: doc(z.number().check(z.int()), { description: 'Outstanding points at the points value, in CNY cents (rounded down).' }),
    pendingLiabilityCents: doc(z.number().check(z.int()), { description: 'Pending points at the points value (contingent: refunds in the window cancel them).' }),
    countedThrough: doc(z.nullable(z.string()), { description: 'When the counters last took in ledger entries (they trail the ledger by seconds).' }),
  }),
}), 'PointsReport');

/** The longest ranges of the daily series and of the campaign report (shared/reports). */
const MAX_DAILY_REPORT_DAYS = 366;
const MAX_CAMPAIGN_REPORT_DAYS = 31;

const dailyFigures = z.object({
  issued: doc(z.number().check(z.int()), { description: 'New points: EARN, VEST and operator credits.' }),
  redeemed: doc(z.number().check(z.int()), { description: 'SPEND + CAPTURE − REFUND.' }),
  expired: z.number().check(z.int()),
  clawedBack: doc(z.number().check(z.int()), { description: 'Refund clawbacks and operator debits.' }),
  adjustedCredit: doc(z.number().check(z.int()), { description: 'Operator credits (part of issued).' }),
  adjustedDebit: doc(z.number().check(z.int()), { description: 'Operator debits (part of clawedBack).' }),
  netChange: doc(z.number().check(z.int()), { description: 'Net change of what members own (available + held).' }),
});

export const pointsDailyReportSchema = doc(z.object({
  currency: z.string(),
  timezone: doc(z.string(), { description: 'The programme time zone that defines a day.' }),
  from: z.string(),
  to: z.string(),
  unitsPerYuan: doc(z.number(), { description: 'Points value used for the liability: how many units are worth 1 CNY (the earning rules\' pointsPerYuan for points).' }),
  totals: doc(dailyFigures, { description: 'The figures summed over the range.' }),
  days: doc(z.array(
    docExtend(dailyFigures, {
      day: z.string(),
      outstandingPoints: doc(z.number().check(z.int()), { description: 'What members owned (available + held) at the end of the day.' }),
      liabilityCents: doc(z.number().check(z.int()), { description: 'outstandingPoints at the points value, CNY cents (rounded down).' }),
    }),
  ), { description: 'One row per day of the range, oldest first.' }),
  outstanding: z.object({
    points: doc(z.number().check(z.int()), { description: 'available + held now.' }),
    liabilityCents: z.number().check(z.int()),
    countedThrough: doc(z.nullable(z.string()), { description: 'When the counters last took in ledger entries.' }),
  }),
}), 'PointsDailyReport');

const campaignDay = z.object({
  bucket: doc(z.string(), { description: 'The programme-local day.' }),
  participants: doc(z.number().check(z.int()), { description: "Members whose first award from the campaign was that day." }),
  pointsIssued: z.number().check(z.int()),
  purchases: z.number().check(z.int()),
  salesCents: z.number().check(z.int()),
});

export const campaignReportSchema = doc(z.object({
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  items: z.array(
    z.object({
      campaignId: z.string(),
      name: z.string(),
      state: z.enum(campaignStates),
      startsAt: z.string(),
      endsAt: z.string(),
      budgetPoints: z.nullable(z.number().check(z.int())),
      budgetUsed: doc(z.number().check(z.int()), { description: 'Points issued since the campaign began (not only in the range).' }),
      totals: doc(z.omit(campaignDay, { bucket: true }), { description: 'The figures summed over the range.' }),
      days: doc(z.array(campaignDay), { description: 'One row per day of the range, zeros where it paid nothing.' }),
    }),
  ),
  nextCursor: z.nullable(z.string()),
}), 'CampaignReport');

export const expiryForecastSchema = doc(z.object({
  currency: z.string(),
  unitsPerYuan: doc(z.number(), { description: 'Points value used for valueCents: how many units are worth 1 CNY.' }),
  months: doc(z.array(
    z.object({
      bucket: doc(z.string(), { description: 'YYYY-MM' }),
      expiresAt: z.string(),
      points: z.number().check(z.int()),
      valueCents: doc(z.number().check(z.int()), { description: 'The points at the points value now, CNY cents (rounded down).' }),
    }),
  ), { description: 'The current UTC month and the 11 after it.' }),
  overdue: doc(z.number().check(z.int()), { description: 'Points in buckets past their expiry that the expiry job has not removed yet.' }),
  later: doc(z.number().check(z.int()), { description: 'Points expiring after the 12 months listed.' }),
  neverExpires: z.number().check(z.int()),
  total: doc(z.number().check(z.int()), { description: 'Every point available in a live bucket (held and pending points are in none).' }),
  countedThrough: z.nullable(z.string()),
}), 'ExpiryForecast');

export const dashboardSchema = doc(z.object({
  timezone: z.string(),
  currency: z.string(),
  unitsPerYuan: z.number(),
  today: z.object({ day: z.string(), issued: z.number().check(z.int()), redeemed: z.number().check(z.int()), expired: z.number().check(z.int()) }),
  outstanding: z.object({ points: z.number().check(z.int()), liabilityCents: z.number().check(z.int()), countedThrough: z.nullable(z.string()) }),
  days: doc(z.array(
    z.object({
      day: z.string(),
      issued: z.number().check(z.int()),
      redeemed: z.number().check(z.int()),
      expired: z.number().check(z.int()),
      outstandingPoints: z.number().check(z.int()),
      liabilityCents: z.number().check(z.int()),
    }),
  ), { description: 'The last 30 programme days, today last.' }),
  runningCampaigns: z.object({
    items: z.array(
      z.object({
        campaignId: z.string(),
        name: z.string(),
        startsAt: z.string(),
        endsAt: z.string(),
        budgetPoints: z.nullable(z.number().check(z.int())),
        budgetUsed: z.number().check(z.int()),
        activeNow: z.boolean(),
      }),
    ),
    more: doc(z.boolean(), { description: 'More campaigns are running than listed (20): see GET /v1/admin/campaigns?state=running.' }),
  }),
  attention: z.object({
    purchasesAwaitingReview: doc(z.number().check(z.int()), { description: 'POS purchases held for review (counted up to 1,000).' }),
    adjustmentsAwaitingApproval: doc(z.number().check(z.int()), { description: "Operator adjustments waiting for a second operator's approval." }),
    failedFulfilments: doc(z.number().check(z.int()), { description: 'Orders that became FAILED or REJECTED in the last 7 programme days.' }),
    parkedMessages: doc(z.number().check(z.int()), { description: 'Supplier and payment callbacks parked for an operator (all time).' }),
    deadLetters: doc(z.number().check(z.int()), { description: 'Open dead letters: deliveries that failed for good, not yet redriven or discarded (GET /v1/admin/dead-letters).' }),
  }),
}), 'Dashboard');

export const reportOperations = {
  pointsReport: operation({
    summary: 'Points issued, redeemed, expired per day, and the outstanding liability (operator)',
    description:
      `Days are programme-local (Asia/Shanghai by default). Default range: the 30 days up to today; at most ${MAX_REPORT_DAYS} days. ` +
      'Kept incrementally from the ledger (each entry counted once, via the table stream), so figures trail the ledger by seconds.',
    tags: ['reports'],
    query: z.object({
      currency: currencySchema,
      from: doc(z.optional(localDay('from')), { description: 'First day, YYYY-MM-DD (inclusive).' }),
      to: doc(z.optional(localDay('to')), { description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
    }),
    response: pointsReportSchema,
    errors: ['VALIDATION_FAILED'],
  }),
  pointsDailyReport: operation({
    summary: 'Points issued, redeemed, expired and adjusted per day, with the liability at the end of each day (operator)',
    description:
      `Days are programme-local. Default range: the 30 days up to today; at most ${MAX_DAILY_REPORT_DAYS} days. ` +
      'From the day counters the table stream keeps (never ledger entries): the outstanding points at the end of a day are the total now minus the net change of every later day; ' +
      'their value in money uses the points value in force now.',
    tags: ['reports'],
    query: z.object({
      currency: currencySchema,
      from: doc(z.optional(localDay('from')), { description: 'First day, YYYY-MM-DD (inclusive); default 29 days before `to`.' }),
      to: doc(z.optional(localDay('to')), { description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
    }),
    response: pointsDailyReportSchema,
    errors: ['VALIDATION_FAILED'],
  }),
  campaignReport: operation({
    summary: 'Points issued per campaign and day: the campaigns that ran in a range, latest ending first (operator)',
    description:
      `Days are programme-local (of the purchases' paidAt). Default range: the 30 days up to today; at most ${MAX_CAMPAIGN_REPORT_DAYS} days. ` +
      "From each campaign's hour counters, written with its awards. Pages may hold fewer than `limit` campaigns; follow `nextCursor` until it is null.",
    tags: ['reports'],
    query: docExtend(pageQuerySchema, {
      limit: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(20)), 10), { description: 'Campaigns per page, 1-20 (default 10).' }),
      from: doc(z.optional(localDay('from')), { description: 'First day, YYYY-MM-DD (inclusive); default 29 days before `to`.' }),
      to: doc(z.optional(localDay('to')), { description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
    }),
    response: campaignReportSchema,
    errors: ['VALIDATION_FAILED'],
  }),
  expiryForecast: operation({
    summary: 'Points due to expire per month for the next 12 months, from the expiry buckets (operator)',
    description:
      "Each month is an expiry bucket: its points expire at the first instant (UTC) of the next month. Kept from every wallet change on the table stream (what each wallet's live buckets hold, as members see it in `expiring`), never by reading wallets; trails the ledger by seconds.",
    tags: ['reports'],
    query: z.object({ currency: currencySchema }),
    response: expiryForecastSchema,
    errors: ['VALIDATION_FAILED'],
  }),
  dashboard: operation({
    summary: "The console's dashboard: today's points, the liability, 30 days of both, running campaigns' budget burn, and what needs attention (operator)",
    tags: ['reports'],
    response: dashboardSchema,
  }),
};
