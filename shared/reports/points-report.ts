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
import { GetCommand, QueryCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { currencySpec } from '../domain/currencies.js';
import { cashValueCents } from '../domain/earning.js';
import { localDate, PROGRAMME_TIMEZONE } from '../domain/programme.js';
import { getEarningRules } from '../earning/rules-store.js';
import { ValidationError } from '../errors.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { businessMetrics } from '../observability/business-metrics.js';
import { logger, metrics } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

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
  readonly at: string;
}

/** Markers outlive the stream's 24-hour retention and Lambda's retries with a wide margin. */
const MARKER_TTL_SECONDS = 7 * 24 * 3600;
/** TransactWriteItems takes at most 100 items. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_ATTEMPTS = 8;

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
    add(`${TYPE_PREFIX}${reportTypeOf(entry)}`, pointsMoved(entry));
    add('entries', 1);
    add('netAvailable', entry.points);
    add('netHeld', entry.heldDelta ?? 0);
    add('netPending', entry.pendingDelta ?? 0);
  }
  return counters;
}

function counterUpdate(key: { PK: string; SK: string }, counters: Record<string, number>, set: Record<string, string>): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = Object.entries(counters).map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    return `#c${i} :c${i}`;
  });
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function markerPut(entry: CountableEntry, now: Date): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.report.counted(entry.memberId, entry.currency, entry.id),
        entity: 'ReportedEntry',
        ttl: Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The transaction items that count `entries` once: a marker each, then one update per (currency, day) and per currency total. */
function countingItems(entries: readonly CountableEntry[], now: Date): TransactItem[] {
  const byDay = new Map<string, CountableEntry[]>();
  const byCurrency = new Map<string, CountableEntry[]>();
  for (const entry of entries) {
    const dayKey = `${entry.currency}\u0000${localDate(new Date(entry.at))}`;
    byDay.set(dayKey, [...(byDay.get(dayKey) ?? []), entry]);
    byCurrency.set(entry.currency, [...(byCurrency.get(entry.currency) ?? []), entry]);
  }
  const updatedAt = now.toISOString();
  const items = entries.map((entry) => markerPut(entry, now));
  for (const [dayKey, list] of byDay) {
    const [currency = DEFAULT_CURRENCY, day = ''] = dayKey.split('\u0000');
    items.push(counterUpdate(keys.report.day(currency, day), countersOf(list), { entity: 'PointsReportDay', currency, day, updatedAt }));
  }
  for (const [currency, list] of byCurrency) {
    items.push(counterUpdate(keys.report.total(currency), countersOf(list), { entity: 'PointsReportTotal', currency, updatedAt }));
  }
  return items;
}

/** Splits entries into chunks whose transaction (markers plus counter updates) fits the 100-item limit. */
function chunksOf(entries: readonly CountableEntry[]): CountableEntry[][] {
  const chunks: CountableEntry[][] = [];
  let chunk: CountableEntry[] = [];
  const counterItems = new Set<string>();
  for (const entry of entries) {
    const day = `${entry.currency}\u0000${localDate(new Date(entry.at))}`;
    const added = 1 + (counterItems.has(day) ? 0 : 1) + (counterItems.has(entry.currency) ? 0 : 1);
    if (chunk.length + counterItems.size + added > MAX_TRANSACTION_ITEMS) {
      chunks.push(chunk);
      chunk = [];
      counterItems.clear();
    }
    chunk.push(entry);
    counterItems.add(day).add(entry.currency);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function countChunk(chunk: readonly CountableEntry[], now: Date): Promise<{ counted: CountableEntry[]; skipped: number }> {
  let pending = [...chunk];
  let skipped = 0;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: countingItems(pending, now) }));
      return { counted: pending, skipped };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt + 1 >= MAX_ATTEMPTS) throw error;
      const reasons = error.CancellationReasons ?? [];
      // Markers come first, one per pending entry, in order: a failed marker condition means that entry was counted before.
      const seen = new Set(pending.flatMap((_, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? [i] : [])));
      if (seen.size > 0) {
        skipped += seen.size;
        pending = pending.filter((_, i) => !seen.has(i));
        continue;
      }
      // Conflicts with another writer of the same counters, or throttling: back off and try again.
      await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
  return { counted: [], skipped };
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
  let counted = 0;
  let skipped = 0;
  for (const chunk of chunksOf(entries)) {
    const result = await countChunk(chunk, now);
    // Right after its transaction: a later chunk that fails makes the batch come again, and these entries are then skipped.
    emitPointsFlow(result.counted);
    counted += result.counted.length;
    skipped += result.skipped;
  }
  if (skipped > 0) logger.info('ledger entries already counted were skipped', { counted, skipped });
  return { counted, skipped };
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
    if (name.startsWith(TYPE_PREFIX)) byType[name.slice(TYPE_PREFIX.length)] = Number(value);
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
async function unitsPerYuan(currency: string): Promise<number> {
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
