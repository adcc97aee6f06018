/**
 * Points reports, kept incrementally from the ledger: the table stream
 * delivers every new ledger entry to `countLedgerEntries`, which adds it to
 * its currency's day counters and all-time totals. A report is then one Query
 * of at most 92 day items plus one GetItem, never a scan of the ledger.
 *
 * Exactly once: the stream delivers at least once (a failed batch comes
 * again, possibly cut differently), so each entry is counted together with a
 * marker item for that entry, in one transaction whose marker put requires the
 * marker to be absent. An entry seen again finds its marker and is skipped.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { currencySpec } from '../domain/currencies.js';
import { cashValueCents } from '../domain/earning.js';
import { daysFromTo, localDate, PROGRAMME_TIMEZONE, shiftDay } from '../domain/programme.js';
import { getEarningRules } from '../earning/rules-store.js';
import { ValidationError } from '../errors.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { businessMetrics } from '../observability/business-metrics.js';
import { logger, metrics } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { countOnce, type Countable } from './counting.js';

/** The fields of a stored ledger entry the reports read (see shared/ledger/ledger.ts). */
export interface CountableEntry {
  readonly id: string;
  readonly memberId: string;
  readonly currency: string;
  readonly type: string;
  /** Change of available points (signed). */
  readonly points: number;
  /** Change of held points (signed). */
  readonly heldDelta?: number;
  /** Change of pending points (signed), for moves that have one. */
  readonly pendingDelta?: number;
  /** The entry type this entry undoes (a void of a POS purchase): counted as minus one entry of that type. */
  readonly undoes?: string;
  readonly at: string;
}

/** Prefix of the per-type counters on report items (`pts_EARN`, `pts_SPEND`, ...). */
const TYPE_PREFIX = 'pts_';

/** The report type an entry counts under: its type, with adjustments split by direction. */
export function reportTypeOf(entry: Pick<CountableEntry, 'type' | 'points'>): string {
  if (entry.type === 'ADJUST') return entry.points > 0 ? 'ADJUST_CREDIT' : 'ADJUST_DEBIT';
  return entry.type;
}

/** Points an entry moved, whichever counter it moved them in (a capture moves held points only). */
export function pointsMoved(entry: CountableEntry): number {
  return Math.max(Math.abs(entry.points), Math.abs(entry.heldDelta ?? 0), Math.abs(entry.pendingDelta ?? 0));
}

/** Counter deltas of a set of entries: per-type points, entry count and net balance changes. */
export function countersOf(entries: readonly CountableEntry[]): Record<string, number> {
  const counters: Record<string, number> = {};
  const add = (name: string, value: number) => {
    if (value !== 0) counters[name] = (counters[name] ?? 0) + value;
  };
  for (const entry of entries) {
    // A void nets out the entry it undoes (on the same programme day: voids are same-day only), so a purchase
    // recorded in error and its void count nothing: neither issued nor clawed back, nor an entry.
    if (entry.undoes !== undefined) {
      add(`${TYPE_PREFIX}${entry.undoes}`, -pointsMoved(entry));
      add('entries', -1);
    } else {
      add(`${TYPE_PREFIX}${reportTypeOf(entry)}`, pointsMoved(entry));
      add('entries', 1);
    }
    add('netAvailable', entry.points);
    add('netHeld', entry.heldDelta ?? 0);
    add('netPending', entry.pendingDelta ?? 0);
  }
  return counters;
}

/** What one ledger entry adds to the reports: its currency's day item and total, with a marker of its own. */
export function ledgerCountable(entry: CountableEntry, now: Date): Countable & { readonly entry: CountableEntry } {
  const day = localDate(new Date(entry.at));
  const counters = countersOf([entry]);
  const updatedAt = now.toISOString();
  return {
    entry,
    marker: keys.report.counted(entry.memberId, entry.currency, entry.id),
    deltas: [
      { key: keys.report.day(entry.currency, day), counters, set: { entity: 'PointsReportDay', currency: entry.currency, day, updatedAt } },
      { key: keys.report.total(entry.currency), counters, set: { entity: 'PointsReportTotal', currency: entry.currency, updatedAt } },
    ],
  };
}

/** Points issued and redeemed (gross of refunds) by some ledger entries, per currency. */
export function pointsFlowOf(entries: readonly CountableEntry[]): Map<string, { issued: number; redeemed: number }> {
  const byCurrency = new Map<string, CountableEntry[]>();
  for (const entry of entries) byCurrency.set(entry.currency, [...(byCurrency.get(entry.currency) ?? []), entry]);
  const flow = new Map<string, { issued: number; redeemed: number }>();
  for (const [currency, list] of byCurrency) {
    const figures = figuresOf(countersOf(list));
    // Gross: a refund is points coming back, not a negative redemption in the minute it happens.
    flow.set(currency, { issued: figures.issued, redeemed: (figures.byType.SPEND ?? 0) + (figures.byType.CAPTURE ?? 0) });
  }
  return flow;
}

/**
 * Emits PointsIssued and PointsRedeemed per currency for entries counted for
 * the first time: the consumer sees every new ledger entry, and counts it once,
 * so the per-minute sums are the programme's issuing and redemption rates (a
 * few seconds after the fact). One EMF line per figure and currency, published
 * at once, so the `currency` dimension never reaches the function's other metrics.
 */
export function emitPointsFlow(entries: readonly CountableEntry[]): void {
  for (const [currency, { issued, redeemed }] of pointsFlowOf(entries)) {
    const issuedMetric = metrics.singleMetric();
    issuedMetric.addDimension('currency', currency);
    issuedMetric.addMetric(businessMetrics.pointsIssued, 'Count', issued);
    const redeemedMetric = metrics.singleMetric();
    redeemedMetric.addDimension('currency', currency);
    redeemedMetric.addMetric(businessMetrics.pointsRedeemed, 'Count', redeemed);
  }
}

/**
 * Adds ledger entries to the points reports, each exactly once however often
 * it is delivered. Throws when DynamoDB keeps refusing (the stream retries the batch).
 */
export async function countLedgerEntries(entries: readonly CountableEntry[], now = new Date()): Promise<{ counted: number; skipped: number }> {
  // Emitted right after each chunk's transaction: a later chunk that fails makes the batch come again, and these entries are then skipped.
  const result = await countOnce(
    entries.map((entry) => ledgerCountable(entry, now)),
    now,
    (counted) => emitPointsFlow(counted.map((c) => c.entry)),
  );
  if (result.skipped > 0) logger.info('ledger entries already counted were skipped', result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reading reports

export const MAX_REPORT_DAYS = 92;

export interface PointsFigures {
  /** New points: earned, vested and credited by operators. */
  readonly issued: number;
  /** Points spent for good (spent directly or captured), net of refunds. */
  readonly redeemed: number;
  readonly expired: number;
  /** Points taken back: refund clawbacks and operator debits. */
  readonly clawedBack: number;
  /** Points put on hold (points+cash orders, bids) and released again. */
  readonly held: number;
  readonly released: number;
  /** Points earned into the return window, and cancelled in it. */
  readonly pendingEarned: number;
  readonly pendingCancelled: number;
  /** Net change of what members own (available + held). */
  readonly netChange: number;
  /** Ledger entries counted. */
  readonly entries: number;
  /** Points moved by entry type, as counted (ADJUST split into ADJUST_CREDIT and ADJUST_DEBIT). */
  readonly byType: Record<string, number>;
}

/** The report's figures from stored counters (absent counters are 0). */
export function figuresOf(counters: Record<string, unknown>): PointsFigures {
  const byType: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) {
    // A type whose entries were all undone (voids) has a counter of 0: not a type with points moved.
    if (name.startsWith(TYPE_PREFIX) && Number(value) !== 0) byType[name.slice(TYPE_PREFIX.length)] = Number(value);
  }
  const n = (name: string) => Number(counters[name] ?? byType[name] ?? 0);
  return {
    issued: n('EARN') + n('VEST') + n('ADJUST_CREDIT'),
    redeemed: n('SPEND') + n('CAPTURE') - n('REFUND'),
    expired: n('EXPIRE'),
    clawedBack: n('CLAWBACK') + n('ADJUST_DEBIT'),
    held: n('HOLD'),
    released: n('RELEASE'),
    pendingEarned: n('PEND'),
    pendingCancelled: n('VOID'),
    netChange: n('netAvailable') + n('netHeld'),
    entries: n('entries'),
    byType,
  };
}

/** Calendar days from `from` to `to` (inclusive), `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** How many of `currency` are worth 1 CNY: the earning rules' points value for `points`, the currency's own for partners. */
export async function unitsPerYuan(currency: string): Promise<number> {
  if (currency === DEFAULT_CURRENCY) return (await getEarningRules()).pointsPerYuan;
  const spec = currencySpec(currency);
  if (!spec) throw new ValidationError(`unknown currency ${currency}`);
  return spec.unitsPerYuan;
}

export interface PointsReportQuery {
  readonly currency: string;
  /** Programme-local dates `YYYY-MM-DD`; defaults: the 30 days up to today. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export async function pointsReport(query: PointsReportQuery, now = new Date()) {
  const to = query.to ?? localDate(now);
  const from = query.from ?? daysBetween(localDate(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000)), to)[0] ?? to;
  if (from > to) throw new ValidationError(`from (${from}) must not be after to (${to})`);
  const days = daysBetween(from, to);
  if (days.length > MAX_REPORT_DAYS) {
    throw new ValidationError(`a report covers at most ${MAX_REPORT_DAYS} days; ${from}..${to} is ${days.length} days`);
  }
  const perUnit = await unitsPerYuan(query.currency);

  const stored = new Map<string, Record<string, unknown>>();
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.report.day(query.currency, from).PK,
          ':from': keys.report.day(query.currency, from).SK,
          ':to': keys.report.day(query.currency, to).SK,
        },
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) stored.set(String(item.day), item);
    cursor = page.LastEvaluatedKey;
  } while (cursor);

  const total = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.report.total(query.currency) }))).Item ?? {};
  const available = Number(total.netAvailable ?? 0);
  const held = Number(total.netHeld ?? 0);
  const pending = Number(total.netPending ?? 0);
  const dayFigures = days.map((day) => ({ day, ...figuresOf(stored.get(day) ?? {}) }));
  const rangeCounters: Record<string, number> = {};
  for (const item of stored.values()) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number') rangeCounters[name] = (rangeCounters[name] ?? 0) + value;
    }
  }
  return {
    currency: query.currency,
    timezone: PROGRAMME_TIMEZONE,
    from,
    to,
    unitsPerYuan: perUnit,
    totals: figuresOf(rangeCounters),
    days: dayFigures,
    outstanding: {
      available,
      held,
      pending,
      points: available + held,
      liabilityCents: cashValueCents(available + held, perUnit),
      pendingLiabilityCents: cashValueCents(Math.max(0, pending), perUnit),
      countedThrough: typeof total.updatedAt === 'string' ? total.updatedAt : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The daily series with the liability at the end of each day

/** The longest range of the daily series. */
export const MAX_DAILY_REPORT_DAYS = 366;

/** One day of the daily series. */
export interface DailyPoints {
  readonly day: string;
  readonly issued: number;
  readonly redeemed: number;
  readonly expired: number;
  readonly clawedBack: number;
  /** Operator adjustments, credits and debits (credits are part of `issued`, debits of `clawedBack`). */
  readonly adjustedCredit: number;
  readonly adjustedDebit: number;
  readonly netChange: number;
  /** What members owned (available + held) at the end of the day. */
  readonly outstandingPoints: number;
  /** `outstandingPoints` at the points value in force now, CNY cents (rounded down). */
  readonly liabilityCents: number;
}

const dailyFiguresOf = (counters: Record<string, unknown>) => {
  const f = figuresOf(counters);
  return {
    issued: f.issued,
    redeemed: f.redeemed,
    expired: f.expired,
    clawedBack: f.clawedBack,
    adjustedCredit: f.byType.ADJUST_CREDIT ?? 0,
    adjustedDebit: f.byType.ADJUST_DEBIT ?? 0,
    netChange: f.netChange,
  };
};

/** The day items of a currency from `from` on (later days included: the liability is counted back from now), by day. */
async function dayItemsFrom(currency: string, from: string): Promise<Map<string, Record<string, unknown>>> {
  const stored = new Map<string, Record<string, unknown>>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': keys.report.day(currency, from).PK,
          ':from': keys.report.day(currency, from).SK,
          ':to': keys.report.day(currency, '9999-12-31').SK,
        },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) stored.set(String(item.day), item);
    start = page.LastEvaluatedKey;
  } while (start);
  return stored;
}

/**
 * Points issued, redeemed, expired, clawed back and adjusted per
 * programme-local day, with what members owned at the end of each day and its
 * value in money. From the day items and the total only (never the ledger):
 * the outstanding points at the end of day d are the total now minus the net
 * change of every day after d, so the Query reads the day items from `from`
 * to the latest (one per day with entries). Days after today show today's.
 */
export async function pointsDailyReport(query: PointsReportQuery, now = new Date()) {
  const today = localDate(now);
  const to = query.to ?? today;
  const from = query.from ?? shiftDay(to, -29);
  if (from > to) throw new ValidationError(`from (${from}) must not be after to (${to})`);
  const days = daysFromTo(from, to);
  if (days.length > MAX_DAILY_REPORT_DAYS) {
    throw new ValidationError(`the daily report covers at most ${MAX_DAILY_REPORT_DAYS} days; ${from}..${to} is ${days.length} days`);
  }
  const perUnit = await unitsPerYuan(query.currency);
  const [stored, totalItem] = await Promise.all([
    dayItemsFrom(query.currency, from),
    db().send(new GetCommand({ TableName: tableName(), Key: keys.report.total(query.currency) })),
  ]);
  const total = totalItem.Item ?? {};
  const netOf = (item: Record<string, unknown> | undefined) => Number(item?.netAvailable ?? 0) + Number(item?.netHeld ?? 0);
  // Outstanding at the end of each day of the range, walking back from now.
  const later = [...stored.keys()].filter((day) => day > to).reduce((sum, day) => sum + netOf(stored.get(day)), 0);
  let outstanding = netOf(total) - later;
  const series: DailyPoints[] = [];
  for (const day of [...days].reverse()) {
    series.push({ day, ...dailyFiguresOf(stored.get(day) ?? {}), outstandingPoints: outstanding, liabilityCents: cashValueCents(Math.max(0, outstanding), perUnit) });
    outstanding -= netOf(stored.get(day));
  }
  series.reverse();
  const sum = (name: keyof ReturnType<typeof dailyFiguresOf>) => series.reduce((acc, d) => acc + d[name], 0);
  return {
    currency: query.currency,
    timezone: PROGRAMME_TIMEZONE,
    from,
    to,
    unitsPerYuan: perUnit,
    totals: {
      issued: sum('issued'),
      redeemed: sum('redeemed'),
      expired: sum('expired'),
      clawedBack: sum('clawedBack'),
      adjustedCredit: sum('adjustedCredit'),
      adjustedDebit: sum('adjustedDebit'),
      netChange: sum('netChange'),
    },
    days: series,
    outstanding: {
      points: netOf(total),
      liabilityCents: cashValueCents(Math.max(0, netOf(total)), perUnit),
      countedThrough: typeof total.updatedAt === 'string' ? total.updatedAt : null,
    },
  };
}
