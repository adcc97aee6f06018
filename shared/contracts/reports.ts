import './zod-openapi.js';
import { campaignStates } from '../domain/campaigns.js';
import * as z from 'zod';
import { currencySchema, localDaySchema, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

const MAX_REPORT_DAYS = 92;

/** A programme-local calendar date `YYYY-MM-DD` (kept under this name for the contracts that import it from here). */
export const localDay = localDaySchema;

const figures = z.object({
  issued: z.number().int().openapi({ description: 'New points: earned (EARN, VEST) and operator credits (ADJUST_CREDIT).' }),
  redeemed: z.number().int().openapi({ description: 'Points spent for good (SPEND + CAPTURE), net of REFUND.' }),
  expired: z.number().int(),
  clawedBack: z.number().int().openapi({ description: 'Points taken back: refund clawbacks (CLAWBACK) and operator debits (ADJUST_DEBIT).' }),
  held: z.number().int().openapi({ description: 'Points put on hold (points+cash orders, bids).' }),
  released: z.number().int().openapi({ description: 'Held points given back.' }),
  pendingEarned: z.number().int().openapi({ description: 'Points earned into the return window (not yet available).' }),
  pendingCancelled: z.number().int().openapi({ description: 'Pending points cancelled by refunds inside the window.' }),
  netChange: z.number().int().openapi({ description: 'Net change of what members own (available + held).' }),
  entries: z.number().int().openapi({ description: 'Ledger entries counted.' }),
  byType: z.record(z.string(), z.number().int()).openapi({ description: 'Points moved per ledger entry type (ADJUST split by direction).' }),
});

export const pointsReportSchema = z
  .object({
    currency: z.string(),
    timezone: z.string().openapi({ description: 'The programme time zone that defines a day.' }),
    from: z.string(),
    to: z.string(),
    unitsPerYuan: z.number().openapi({ description: 'Points value used for liability: how many units are worth 1 CNY.' }),
    totals: figures.openapi({ description: 'The figures summed over the range.' }),
    days: z.array(figures.extend({ day: z.string() })).openapi({ description: 'One row per day of the range, oldest first; days without entries are zeros.' }),
    outstanding: z.object({
      available: z.number().int(),
      held: z.number().int(),
      pending: z.number().int(),
      points: z.number().int().openapi({ description: 'available + held: what members own now.' }),
      liabilityCents: z.number().int().openapi({ description: 'Outstanding points at the points value, in CNY cents (rounded down).' }),
      pendingLiabilityCents: z.number().int().openapi({ description: 'Pending points at the points value (contingent: refunds in the window cancel them).' }),
      countedThrough: z.string().nullable().openapi({ description: 'When the counters last took in ledger entries (they trail the ledger by seconds).' }),
    }),
  })
  .openapi('PointsReport');

/** The longest ranges of the daily series and of the campaign report (shared/reports). */
const MAX_DAILY_REPORT_DAYS = 366;
const MAX_CAMPAIGN_REPORT_DAYS = 31;

const dailyFigures = z.object({
  issued: z.number().int().openapi({ description: 'New points: EARN, VEST and operator credits.' }),
  redeemed: z.number().int().openapi({ description: 'SPEND + CAPTURE − REFUND.' }),
  expired: z.number().int(),
  clawedBack: z.number().int().openapi({ description: 'Refund clawbacks and operator debits.' }),
  adjustedCredit: z.number().int().openapi({ description: 'Operator credits (part of issued).' }),
  adjustedDebit: z.number().int().openapi({ description: 'Operator debits (part of clawedBack).' }),
  netChange: z.number().int().openapi({ description: 'Net change of what members own (available + held).' }),
});

export const pointsDailyReportSchema = z
  .object({
    currency: z.string(),
    timezone: z.string().openapi({ description: 'The programme time zone that defines a day.' }),
    from: z.string(),
    to: z.string(),
    unitsPerYuan: z.number().openapi({ description: 'Points value used for the liability: how many units are worth 1 CNY (the earning rules\' pointsPerYuan for points).' }),
    totals: dailyFigures.openapi({ description: 'The figures summed over the range.' }),
    days: z
      .array(
        dailyFigures.extend({
          day: z.string(),
          outstandingPoints: z.number().int().openapi({ description: 'What members owned (available + held) at the end of the day.' }),
          liabilityCents: z.number().int().openapi({ description: 'outstandingPoints at the points value, CNY cents (rounded down).' }),
        }),
      )
      .openapi({ description: 'One row per day of the range, oldest first.' }),
    outstanding: z.object({
      points: z.number().int().openapi({ description: 'available + held now.' }),
      liabilityCents: z.number().int(),
      countedThrough: z.string().nullable().openapi({ description: 'When the counters last took in ledger entries.' }),
    }),
  })
  .openapi('PointsDailyReport');

const campaignDay = z.object({
  bucket: z.string().openapi({ description: 'The programme-local day.' }),
  participants: z.number().int().openapi({ description: "Members whose first award from the campaign was that day." }),
  pointsIssued: z.number().int(),
  purchases: z.number().int(),
  salesCents: z.number().int(),
});

export const campaignReportSchema = z
  .object({
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
        budgetPoints: z.number().int().nullable(),
        budgetUsed: z.number().int().openapi({ description: 'Points issued since the campaign began (not only in the range).' }),
        totals: campaignDay.omit({ bucket: true }).openapi({ description: 'The figures summed over the range.' }),
        days: z.array(campaignDay).openapi({ description: 'One row per day of the range, zeros where it paid nothing.' }),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('CampaignReport');

export const expiryForecastSchema = z
  .object({
    currency: z.string(),
    unitsPerYuan: z.number().openapi({ description: 'Points value used for valueCents: how many units are worth 1 CNY.' }),
    months: z
      .array(
        z.object({
          bucket: z.string().openapi({ description: 'YYYY-MM' }),
          expiresAt: z.string(),
          points: z.number().int(),
          valueCents: z.number().int().openapi({ description: 'The points at the points value now, CNY cents (rounded down).' }),
        }),
      )
      .openapi({ description: 'The current UTC month and the 11 after it.' }),
    overdue: z.number().int().openapi({ description: 'Points in buckets past their expiry that the expiry job has not removed yet.' }),
    later: z.number().int().openapi({ description: 'Points expiring after the 12 months listed.' }),
    neverExpires: z.number().int(),
    total: z.number().int().openapi({ description: 'Every point available in a live bucket (held and pending points are in none).' }),
    countedThrough: z.string().nullable(),
  })
  .openapi('ExpiryForecast');

export const dashboardSchema = z
  .object({
    timezone: z.string(),
    currency: z.string(),
    unitsPerYuan: z.number(),
    today: z.object({ day: z.string(), issued: z.number().int(), redeemed: z.number().int(), expired: z.number().int() }),
    outstanding: z.object({ points: z.number().int(), liabilityCents: z.number().int(), countedThrough: z.string().nullable() }),
    days: z
      .array(
        z.object({
          day: z.string(),
          issued: z.number().int(),
          redeemed: z.number().int(),
          expired: z.number().int(),
          outstandingPoints: z.number().int(),
          liabilityCents: z.number().int(),
        }),
      )
      .openapi({ description: 'The last 30 programme days, today last.' }),
    runningCampaigns: z.object({
      items: z.array(
        z.object({
          campaignId: z.string(),
          name: z.string(),
          startsAt: z.string(),
          endsAt: z.string(),
          budgetPoints: z.number().int().nullable(),
          budgetUsed: z.number().int(),
          activeNow: z.boolean(),
        }),
      ),
      more: z.boolean().openapi({ description: 'More campaigns are running than listed (20): see GET /v1/admin/campaigns?state=running.' }),
    }),
    attention: z.object({
      purchasesAwaitingReview: z.number().int().openapi({ description: 'POS purchases held for review (counted up to 1,000).' }),
      adjustmentsAwaitingApproval: z.number().int().openapi({ description: "Operator adjustments waiting for a second operator's approval." }),
      failedFulfilments: z.number().int().openapi({ description: 'Orders that became FAILED or REJECTED in the last 7 programme days.' }),
      parkedMessages: z.number().int().openapi({ description: 'Supplier and payment callbacks parked for an operator (all time).' }),
      deadLetters: z
        .number()
        .int()
        .openapi({ description: 'Open dead letters: deliveries that failed for good, not yet redriven or discarded (GET /v1/admin/dead-letters).' }),
    }),
  })
  .openapi('Dashboard');

export const reportOperations = {
  pointsReport: operation({
    summary: 'Points issued, redeemed, expired per day, and the outstanding liability (operator)',
    description:
      `Days are programme-local (Asia/Shanghai by default). Default range: the 30 days up to today; at most ${MAX_REPORT_DAYS} days. ` +
      'Kept incrementally from the ledger (each entry counted once, via the table stream), so figures trail the ledger by seconds.',
    tags: ['reports'],
    query: z.object({
      currency: currencySchema,
      from: localDay('from').optional().openapi({ description: 'First day, YYYY-MM-DD (inclusive).' }),
      to: localDay('to').optional().openapi({ description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
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
      from: localDay('from').optional().openapi({ description: 'First day, YYYY-MM-DD (inclusive); default 29 days before `to`.' }),
      to: localDay('to').optional().openapi({ description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
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
    query: pageQuerySchema.extend({
      limit: z.coerce.number().int().min(1).max(20).default(10).openapi({ description: 'Campaigns per page, 1-20 (default 10).' }),
      from: localDay('from').optional().openapi({ description: 'First day, YYYY-MM-DD (inclusive); default 29 days before `to`.' }),
      to: localDay('to').optional().openapi({ description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
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
