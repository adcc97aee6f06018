/**
 * Offline batches of POS purchases and refunds (POST and GET /v1/pos/purchase-batches; docs/api.md, Offline
 * batches; docs/earning.md, Offline batches): a till that was offline sends the day's sales later, with their
 * original times.
 *
 * Taking a batch is one transaction: the batch item (conditional on the store's batchId being new, with the
 * fingerprint of the body), its items as sent in chunk items, and the audit record naming the POS client. A batch
 * sent twice at once is taken once: the other request finds it and answers it as it stands.
 *
 * Each item then goes through the code path of its single route: `recordPurchase` (POST /v1/pos/purchases) or
 * `refundPurchase` (POST /v1/pos/purchases/{purchaseId}/refunds), with the item's result item joining the
 * transaction that records it, conditional on not existing: an item is applied once however often it is tried (a
 * retried segment, two runners, a resend), and a result exists exactly for the items applied or refused. Those
 * routes' own idempotency (by purchaseId, by refundId) answers an item recorded before (live, or in another batch)
 * as a replay: its result is DUPLICATE and nothing changes. Items run one at a time, purchases in paidAt order, then
 * refunds as sent, so a refund finds its purchase of the same batch and a member's purchases count in the order
 * they were paid. Two differences from the single routes, both documented: a purchase paid longer ago than
 * posLimits.maxPurchaseAgeDays is refused, and a purchase counts against the daily caps on its paidAt's day.
 *
 * Who runs it, as for stock feeds (shared/mall/stock-feeds.ts; shared/streams/segments.ts): a small batch
 * (PURCHASE_BATCH_SYNC_ITEMS, default 50) is applied by the request, which answers 201 with every result; a large
 * one is answered 202 and applied from the table stream (consumer `purchase-batches` on the earning function), in
 * segments bounded by the invocation's time, each handing over to the next by bumping `segment`. A request that
 * runs out of time hands over the same way; one that died without handing over is handed over by the next resend or
 * read of the batch.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { auditItems, runAsOperatorWrite } from '../audit/audit.js';
import type { purchaseBatchItemStatuses, purchaseBatchStates } from '../contracts/limits.js';
import { purchaseAgeViolation } from '../domain/pos-limits.js';
import { DomainError, NotFoundError } from '../errors.js';
import { problemOf } from '../http/problem.js';
import { fingerprintOf } from '../ledger/idempotency.js';
import type { ExtraWrite, TransactItem } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { currentBudget, DeadlinePassedError } from '../runtime/deadline.js';
import { requireOwnStore } from '../stores/pos-store.js';
import { pauseBeforeRetry, retentionOf, segmentStopAt, segmentsToRun, wholeFromEnv } from '../streams/segments.js';
import { failWork, handOverStalled, isStalled } from '../streams/stalled.js';
import { dbCallFailureOf } from '../table/call-failure.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { openCursor } from '../table/cursor.js';
import { queryAll, queryPage, type PageRequest } from '../table/paging.js';
import { recordPurchase, refundPurchase, type PurchaseInput, type RefundInput } from './pos.js';
import { getEarningRules } from './rules-store.js';

export type BatchState = (typeof purchaseBatchStates)[number];
export type ItemStatus = (typeof purchaseBatchItemStatuses)[number];

/** A refund as a batch carries it: the refunds route's body and the purchase it refunds. */
export interface BatchRefund extends RefundInput {
  readonly purchaseId: string;
}

export interface BatchInput {
  readonly batchId: string;
  readonly purchases: readonly PurchaseInput[];
  readonly refunds: readonly BatchRefund[];
}

/** Who sent the batch: the POS app client (the token's subject) and its store. */
export interface BatchSender {
  readonly clientId: string;
  readonly requestId: string;
  readonly route: string;
  readonly path: string;
}

/** One item as its chunk keeps it: its place in the batch (`seq`: purchases, then refunds) and in its list (`index`). */
type Entry =
  | { readonly seq: number; readonly kind: 'purchase'; readonly index: number; readonly purchase: PurchaseInput }
  | { readonly seq: number; readonly kind: 'refund'; readonly index: number; readonly refund: BatchRefund };

interface Problem {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
}

interface BatchItem {
  readonly storeId: string;
  readonly batchId: string;
  /** SHA-256 of the purchases and refunds: a resend must match it. */
  readonly fingerprint: string;
  readonly itemCount: number;
  readonly purchaseCount: number;
  readonly refundCount: number;
  readonly chunkCount: number;
  readonly state: BatchState;
  /** What the request answered, and a resend answers: 201 (applied at once, every result) or 202 (queued, or handed over). */
  readonly answer: 201 | 202;
  /** A batch its request applies: until when that request works on it. Removed at the hand-over. */
  readonly requestUntil?: string;
  /** Invocations the batch was handed to (bumped to hand over). */
  readonly segment: number;
  /** Saves so far: each save is conditional on it. */
  readonly step: number;
  readonly sentBy: { readonly clientId: string };
  readonly requestId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly error?: string;
}

/** Transaction items besides the chunks when a batch is taken: the batch item and the audit record. */
const MAX_CHUNKS = 100 - 2;
/** Largest chunk text: DynamoDB items hold 400 KB. */
const CHUNK_CHARS = 300_000;
/** Invocations one batch may take; a batch that needs more is FAILED (the run is bounded). */
export const MAX_BATCH_SEGMENTS = 200;
/** Kept between a segment's end and the invocation's timeout: the item in flight, the finish or the hand-over. */
const SEGMENT_MARGIN_MS = 2_500;
/** Kept between a request's last item and its deadline: the item in flight, the hand-over and the answer. */
const REQUEST_MARGIN_MS = 2_500;
/** Tries of an item that met a conflict (its member or purchase changed too often meanwhile) before it is refused. */
const ITEM_ATTEMPTS = 3;
/** Tries of taking a batch whose item another request's transaction holds at that moment. */
const TAKE_ATTEMPTS = 4;
/** Problems of the table, not of the item: the segment is retried rather than the item refused. */
const NOT_THE_ITEMS: readonly string[] = ['UNAVAILABLE', 'OUTCOME_UNKNOWN', 'THROTTLED'];

/** Tunables, read when used (tests make batches queued and segments short). */
function tunables() {
  return {
    syncItems: wholeFromEnv('PURCHASE_BATCH_SYNC_ITEMS', 50, 0),
    segmentMs: wholeFromEnv('PURCHASE_BATCH_SEGMENT_MS', 60_000, 0),
    // Items one run (request or stream invocation) applies before it hands over; unbounded but by time unless set.
    segmentItems: process.env.PURCHASE_BATCH_SEGMENT_ITEMS === undefined ? Number.POSITIVE_INFINITY : wholeFromEnv('PURCHASE_BATCH_SEGMENT_ITEMS', 1, 1),
  };
}

/** When a stream segment that starts now must stop, given the time the invocation has left. */
export function batchSegmentStopAt(remainingMs: number, now = Date.now()): number {
  return segmentStopAt(remainingMs, tunables().segmentMs, SEGMENT_MARGIN_MS, now);
}

/** The items in the order they are sent: purchases, then refunds. */
function entriesOf(input: BatchInput): Entry[] {
  return [
    ...input.purchases.map((purchase, index): Entry => ({ seq: index, kind: 'purchase', index, purchase })),
    ...input.refunds.map((refund, index): Entry => ({ seq: input.purchases.length + index, kind: 'refund', index, refund })),
  ];
}

/** The order items are applied in: purchases by paidAt (as sent when equal), then refunds as sent. */
export function applyOrder(entries: readonly Entry[]): Entry[] {
  const paid = (e: Entry) => (e.kind === 'purchase' ? Date.parse(e.purchase.paidAt) : Number.POSITIVE_INFINITY);
  return [...entries].sort((a, b) => (a.kind === b.kind ? (a.kind === 'purchase' ? paid(a) - paid(b) || a.seq - b.seq : a.seq - b.seq) : a.kind === 'purchase' ? -1 : 1));
}

function chunksOf(entries: readonly Entry[]): Entry[][] {
  const chunks: Entry[][] = [[]];
  let size = 0;
  for (const entry of entries) {
    const chars = JSON.stringify(entry).length;
    if (size + chars > CHUNK_CHARS && (chunks.at(-1) as Entry[]).length > 0) {
      chunks.push([]);
      size = 0;
    }
    (chunks.at(-1) as Entry[]).push(entry);
    size += chars;
  }
  return chunks;
}

// --- taking a batch, reading it ---------------------------------------------------------

export interface BatchAnswer {
  readonly status: 201 | 202;
  readonly body: BatchView;
  readonly replayed: boolean;
}

/**
 * Takes a batch of the caller's store (see the top of this module) and, when small, applies it in this request. A
 * purchase of another store refuses the whole batch (403), before anything is written.
 */
export async function submitBatch(storeId: string, input: BatchInput, sender: BatchSender, now = new Date()): Promise<BatchAnswer> {
  for (const purchase of input.purchases) requireOwnStore(storeId, purchase.storeId, `send purchase ${purchase.purchaseId} in batch ${input.batchId}`);
  const fingerprint = fingerprintOf({ purchases: input.purchases, refunds: input.refunds });
  const existing = await readBatch(storeId, input.batchId);
  if (existing) return resent(existing, fingerprint);

  const entries = entriesOf(input);
  const chunks = chunksOf(entries);
  if (chunks.length > MAX_CHUNKS) throw new DomainError('PAYLOAD_TOO_LARGE', `batch ${input.batchId} is too large to keep; split it into several batches`);
  const here = entries.length <= tunables().syncItems;
  const at = now.toISOString();
  const item: BatchItem = {
    storeId,
    batchId: input.batchId,
    fingerprint,
    itemCount: entries.length,
    purchaseCount: input.purchases.length,
    refundCount: input.refunds.length,
    chunkCount: chunks.length,
    state: here ? 'RUNNING' : 'QUEUED',
    answer: here ? 201 : 202,
    ...(here ? { requestUntil: new Date(currentBudget()?.deadlineAt ?? now.getTime() + 30_000).toISOString() } : {}),
    segment: 0,
    step: 0,
    sentBy: { clientId: sender.clientId },
    requestId: sender.requestId,
    createdAt: at,
    updatedAt: at,
  };
  // POS calls are not operator writes: the batch's record names the POS client, as role `pos`.
  const audit = await runAsOperatorWrite(
    {
      operatorId: sender.clientId,
      role: 'pos',
      operation: 'submitPurchaseBatch',
      route: sender.route,
      path: sender.path,
      defaultTarget: undefined,
      idempotencyKey: undefined,
      requestId: sender.requestId,
      claim: undefined,
      recordsBuilt: 0,
    },
    async () =>
      auditItems(
        {
          target: `purchase-batch:${storeId}:${input.batchId}`,
          summary: `store ${storeId} sent an offline batch of ${input.purchases.length} purchases and ${input.refunds.length} refunds, ${here ? 'applied at once' : 'queued'}`,
          after: { storeId, purchases: input.purchases.length, refunds: input.refunds.length, purchaseIds: input.purchases.slice(0, 50).map((p) => p.purchaseId) },
        },
        now,
      ),
  );
  const kept = retentionOf(at);
  const head = keys.purchaseBatch.batch(storeId, input.batchId);
  const take = () =>
    db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              // Applied by this request: listed until it finishes or hands over, so a crash is found (shared/streams/stalled.ts).
              Item: { ...head, entity: 'PurchaseBatch', ...item, ...(item.requestUntil ? keys.inRequest.entry(item.requestUntil, head) : {}), ttl: kept.head },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.purchaseBatch.counts(storeId, input.batchId), entity: 'PurchaseBatchCounts', storeId, batchId: input.batchId, ...ZERO_COUNTS, ttl: kept.parts },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...chunks.map(
            (chunk, index): TransactItem => ({
              Put: {
                TableName: tableName(),
                // The items as JSON text: compact, and every value stays as sent (the fingerprints of the single routes see the same body).
                Item: { ...keys.purchaseBatch.chunk(storeId, input.batchId, index), entity: 'PurchaseBatchChunk', storeId, batchId: input.batchId, chunk: index, items: JSON.stringify(chunk), ttl: kept.parts },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            }),
          ),
          ...audit,
        ],
      }),
    );
  for (let attempt = 1; ; attempt += 1) {
    try {
      await take();
      break;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // Another request took this batchId first (the same batch sent twice at once, or another one): answered as a resend.
      const reasons = error.CancellationReasons ?? [];
      const raced = reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict');
      if (!raced) throw error;
      const taken = await readBatch(storeId, input.batchId);
      if (taken) return resent(taken, fingerprint);
      if (attempt >= TAKE_ATTEMPTS) throw new DomainError('CONFLICT', `batch ${input.batchId} is being sent by another request at this moment; send it again in a moment (the same batch changes nothing twice)`);
      await pauseBeforeRetry(attempt);
    }
  }
  if (!here) return { status: 202, body: await batchView(item), replayed: false };

  const budget = currentBudget();
  const stopAt = (budget?.deadlineAt ?? Date.now() + 30_000) - REQUEST_MARGIN_MS;
  const outcome = await runBatchSegment(storeId, input.batchId, { stopAt, inRequest: true });
  logger.info('purchase batch applied in the request', { storeId, batchId: input.batchId, outcome });
  const after = (await readBatch(storeId, input.batchId)) ?? item;
  if (after.state === 'DONE' && after.answer === 201) return { status: 201, body: await batchView(after, 'all'), replayed: false };
  return { status: 202, body: await batchView(after), replayed: false };
}

/** A batchId sent again: the same body answers the batch as it stands (as first answered); another body is refused. */
async function resent(item: BatchItem, fingerprint: string): Promise<BatchAnswer> {
  if (item.fingerprint !== fingerprint) {
    throw new DomainError(
      'CONFLICT',
      `batch ${item.batchId} was sent already (at ${item.createdAt}, ${item.itemCount} items) with another body; a batchId names one batch of your store: send other sales under a new batchId`,
      { batchId: item.batchId },
    );
  }
  const current = await handOverIfStalled(item);
  if (current.state === 'DONE' && current.answer === 201) return { status: 201, body: await batchView(current, 'all'), replayed: true };
  return { status: 202, body: await batchView(current), replayed: true };
}

/** A batch of the store, with a page of its results in the order sent. Another store's batch does not exist. */
export async function getBatch(storeId: string, batchId: string, page: PageRequest): Promise<BatchView> {
  // A cursor not the caller's is refused before the batch is looked for (another store's cursor learns nothing).
  if (page.cursor !== undefined) await openCursor(page.scope, page.cursor);
  const item = await readBatch(storeId, batchId);
  if (!item) throw new NotFoundError(`batch ${batchId} does not exist`);
  const current = await handOverIfStalled(item);
  const partition = keys.purchaseBatch.partition(storeId, batchId);
  const result = await queryPage(
    { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.purchaseBatch.resultPrefix() }, ConsistentRead: true },
    page,
    { attribute: 'PK', value: partition },
  );
  return batchView(current, { items: result.items, nextCursor: result.nextCursor });
}

async function readBatch(storeId: string, batchId: string): Promise<BatchItem | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchaseBatch.batch(storeId, batchId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { PK: _pk, SK: _sk, entity: _e, ...rest } = result.Item;
  return rest as unknown as BatchItem;
}

type Counts = BatchView['counts'];
const ZERO_COUNTS: Omit<Counts, 'done'> = { earned: 0, refunded: 0, duplicate: 0, refused: 0 };
const COUNTED: Readonly<Record<ItemStatus, keyof typeof ZERO_COUNTS>> = { EARNED: 'earned', REFUNDED: 'refunded', DUPLICATE: 'duplicate', REFUSED: 'refused' };

/** The batch's counts as its results added to them; undefined for a batch taken before they were kept. */
async function storedCounts(storeId: string, batchId: string): Promise<Counts | undefined> {
  const found = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchaseBatch.counts(storeId, batchId), ConsistentRead: true }))).Item;
  if (!found) return undefined;
  const [earned, refunded, duplicate, refused] = (['earned', 'refunded', 'duplicate', 'refused'] as const).map((name) => Number(found[name] ?? 0)) as [number, number, number, number];
  return { done: earned + refunded + duplicate + refused, earned, refunded, duplicate, refused };
}

/** Counts one result of `status`: in the transaction that writes the result, so the two never disagree. */
function countUpdate(item: BatchItem, status: ItemStatus) {
  return {
    TableName: tableName(),
    Key: keys.purchaseBatch.counts(item.storeId, item.batchId),
    UpdateExpression: 'ADD #n :one',
    ExpressionAttributeNames: { '#n': COUNTED[status] },
    ExpressionAttributeValues: { ':one': 1 },
  };
}

function countsOf(results: readonly Record<string, unknown>[]): Counts {
  const tally = (status: ItemStatus) => results.filter((r) => r.status === status).length;
  return { done: results.length, earned: tally('EARNED'), refunded: tally('REFUNDED'), duplicate: tally('DUPLICATE'), refused: tally('REFUSED') };
}

async function resultItems(storeId: string, batchId: string, projection?: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.purchaseBatch.partition(storeId, batchId), ':prefix': keys.purchaseBatch.resultPrefix() },
    ...(projection ? { ProjectionExpression: projection, ExpressionAttributeNames: { '#seq': 'seq', '#status': 'status' } } : {}),
    ConsistentRead: true,
  });
}

/**
 * A batch its request stopped working on without handing it over (the request crashed or ran out of time): the
 * stream takes it from where its results stand. Conditional on the step read; a no-op for any other batch.
 */
async function handOverIfStalled(item: BatchItem, now = new Date()): Promise<BatchItem> {
  if (!isStalled(item, now)) return item;
  if (await handOverStalled(keys.purchaseBatch.batch(item.storeId, item.batchId), item.step, now)) {
    logger.warn('purchase batch stalled in its request: handed to the stream', { storeId: item.storeId, batchId: item.batchId });
  }
  return (await readBatch(item.storeId, item.batchId)) ?? item;
}

// --- views ------------------------------------------------------------------------------

export interface ResultView {
  readonly index: number;
  readonly kind: 'purchase' | 'refund';
  readonly purchaseId: string;
  readonly refundId: string | null;
  readonly memberId: string | null;
  readonly status: ItemStatus;
  readonly pointsEarned: number | null;
  readonly pointsPending: number | null;
  readonly pointsWithheld: number | null;
  readonly purchaseStatus: 'RECORDED' | 'PENDING_REVIEW' | null;
  readonly amountCents: number | null;
  readonly pointsClawedBack: number | null;
  readonly pendingPointsCancelled: number | null;
  readonly shortfallPoints: number | null;
  readonly shortfallCents: number | null;
  readonly problem: Problem | null;
}

export interface BatchView {
  readonly batchId: string;
  readonly storeId: string;
  readonly state: BatchState;
  readonly itemCount: number;
  readonly purchaseCount: number;
  readonly refundCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly counts: { done: number; earned: number; refunded: number; duplicate: number; refused: number };
  readonly results: readonly ResultView[];
  readonly nextCursor: string | null;
  readonly error: string | null;
}

/**
 * The batch with its counts and, as asked, every result or a page of them. The counts are the stored ones (one
 * read), or counted from the results when every result is read anyway or the batch predates stored counts.
 */
async function batchView(item: BatchItem, results: 'all' | { items: Record<string, unknown>[]; nextCursor: string | null } | undefined = undefined): Promise<BatchView> {
  const all = results === 'all' ? await resultItems(item.storeId, item.batchId) : undefined;
  const counts = all ? countsOf(all) : ((await storedCounts(item.storeId, item.batchId)) ?? countsOf(await resultItems(item.storeId, item.batchId, '#seq, #status')));
  const shown = results === 'all' ? (all ?? []) : (results?.items ?? []);
  return {
    batchId: item.batchId,
    storeId: item.storeId,
    state: item.state,
    itemCount: item.itemCount,
    purchaseCount: item.purchaseCount,
    refundCount: item.refundCount,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    finishedAt: item.finishedAt ?? null,
    counts,
    results: shown.map(resultView),
    nextCursor: results === 'all' || results === undefined ? null : results.nextCursor,
    error: item.error ?? null,
  };
}

const numberOrNull = (value: unknown) => (value === undefined || value === null ? null : Number(value));

function resultView(raw: Record<string, unknown>): ResultView {
  return {
    index: Number(raw.index),
    kind: raw.kind as 'purchase' | 'refund',
    purchaseId: String(raw.purchaseId),
    refundId: raw.refundId === undefined ? null : String(raw.refundId),
    memberId: raw.memberId === undefined ? null : String(raw.memberId),
    status: raw.status as ItemStatus,
    pointsEarned: numberOrNull(raw.pointsEarned),
    pointsPending: numberOrNull(raw.pointsPending),
    pointsWithheld: numberOrNull(raw.pointsWithheld),
    purchaseStatus: (raw.purchaseStatus as 'RECORDED' | 'PENDING_REVIEW' | undefined) ?? null,
    amountCents: numberOrNull(raw.amountCents),
    pointsClawedBack: numberOrNull(raw.pointsClawedBack),
    pendingPointsCancelled: numberOrNull(raw.pendingPointsCancelled),
    shortfallPoints: numberOrNull(raw.shortfallPoints),
    shortfallCents: numberOrNull(raw.shortfallCents),
    problem: (raw.problem as Problem | undefined) ?? null,
  };
}

// --- applying items -------------------------------------------------------------------------

/** The figures of an item's result, from the answer its single route gives (or gave the first time). */
function figuresOf(entry: Entry, answer: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const pick = (names: readonly string[]) => Object.fromEntries(names.filter((n) => answer[n] !== undefined).map((n) => [n, answer[n]]));
  if (entry.kind === 'purchase') return { ...pick(['pointsEarned', 'pointsPending', 'pointsWithheld']), ...(answer.status === undefined ? {} : { purchaseStatus: answer.status }) };
  return pick(['amountCents', 'pointsClawedBack', 'pendingPointsCancelled', 'shortfallPoints', 'shortfallCents']);
}

function resultItem(item: BatchItem, entry: Entry, status: ItemStatus, more: Record<string, unknown>): Record<string, unknown> {
  return {
    ...keys.purchaseBatch.result(item.storeId, item.batchId, entry.seq),
    entity: 'PurchaseBatchResult',
    storeId: item.storeId,
    batchId: item.batchId,
    seq: entry.seq,
    index: entry.index,
    kind: entry.kind,
    ...(entry.kind === 'purchase' ? { purchaseId: entry.purchase.purchaseId, memberId: entry.purchase.memberId } : { purchaseId: entry.refund.purchaseId, refundId: entry.refund.refundId }),
    status,
    ...more,
    at: new Date().toISOString(),
    ttl: retentionOf(item.createdAt).parts,
  };
}

/** The item's result had been written: another try applied it first. */
class ResultThereAlready extends Error {}

/** The result of an applied item, as an extra write of the transaction that applies it. */
function resultWrites(item: BatchItem, entry: Entry): (answer: Readonly<Record<string, unknown>>) => ExtraWrite[] {
  const status: ItemStatus = entry.kind === 'purchase' ? 'EARNED' : 'REFUNDED';
  return (answer) => [
    {
      item: { Put: { TableName: tableName(), Item: resultItem(item, entry, status, figuresOf(entry, answer)), ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new ResultThereAlready(),
    },
    { item: { Update: countUpdate(item, status) } },
  ];
}

async function putResult(item: BatchItem, entry: Entry, status: ItemStatus, more: Record<string, unknown>): Promise<void> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: resultItem(item, entry, status, more), ConditionExpression: 'attribute_not_exists(PK)' } },
          { Update: countUpdate(item, status) },
        ],
      }),
    );
  } catch (error) {
    // Another try wrote this item's result first: it stands (and was counted then).
    if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
  }
}

function problemOfError(error: DomainError): Problem {
  const problem = problemOf(error.code, error.message);
  return { code: problem.code, status: problem.status, detail: problem.detail };
}

async function purchaseRecorded(purchaseId: string): Promise<boolean> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchase(purchaseId), ProjectionExpression: 'PK', ConsistentRead: true }));
  return result.Item !== undefined;
}

/** The single route's call for an item; the age window first for a purchase not recorded before. */
async function applyEntry(item: BatchItem, entry: Entry) {
  const now = new Date();
  if (entry.kind === 'refund') {
    const { purchaseId, refundId, amountCents, lines } = entry.refund;
    // The refund as the refunds route takes it: the same fingerprint, so a refund sent live too is a DUPLICATE.
    const input: RefundInput = { refundId, ...(amountCents === undefined ? {} : { amountCents }), ...(lines === undefined ? {} : { lines }) };
    return refundPurchase(purchaseId, input, item.storeId, now, { resultWrites: resultWrites(item, entry) });
  }
  const purchase = entry.purchase;
  const rules = await getEarningRules();
  const tooOld = purchaseAgeViolation(rules.posLimits, new Date(purchase.paidAt), now);
  // A purchase recorded before stays answered as it was (DUPLICATE, or refused for other details), however old.
  if (tooOld && !(await purchaseRecorded(purchase.purchaseId))) {
    throw new DomainError(
      'PURCHASE_LIMIT_EXCEEDED',
      `purchase ${purchase.purchaseId} is refused: it was paid ${tooOld.ageDays} days ago, longer than the programme's limit of ${tooOld.allowedDays} days for purchases sent late (maxPurchaseAgeDays); nothing was recorded`,
    );
  }
  return recordPurchase(purchase, now, { resultWrites: resultWrites(item, entry), capDayOfPaidAt: true });
}

/**
 * Applies one item: through its single route with its result in the same transaction; a replay of that route
 * (recorded before) is DUPLICATE; a refusal (a DomainError of the item) is REFUSED with its problem; a failure of
 * the table is thrown (the segment is retried and resumes at the items without a result).
 */
async function applyItem(item: BatchItem, entry: Entry): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const outcome = await applyEntry(item, entry);
      if (outcome.replayed) await putResult(item, entry, 'DUPLICATE', figuresOf(entry, (outcome.response.body ?? {}) as Record<string, unknown>));
      return;
    } catch (error) {
      if (error instanceof ResultThereAlready) return;
      if (!(error instanceof DomainError) || NOT_THE_ITEMS.includes(error.code)) throw error;
      if (error.code === 'CONFLICT' && attempt < ITEM_ATTEMPTS) {
        await pauseBeforeRetry(attempt);
        continue;
      }
      await putResult(item, entry, 'REFUSED', { problem: problemOfError(error) });
      return;
    }
  }
}

// --- the run (request or stream) -----------------------------------------------------------

export type SegmentOutcome = 'DONE' | 'FAILED' | 'HANDED_OVER' | 'NOTHING_TO_DO' | 'LOST_RACE';

/** A save failed its condition: another runner saved first. */
class LostRaceError extends Error {}

/**
 * Works on a batch until every item has its result or `stopAt` (epoch ms) comes; then finishes it, or hands over.
 * Throws on a failure of the table (the stream retries the record; the request answers 503 and a resend hands
 * over); any other failure marks the batch FAILED.
 */
export async function runBatchSegment(storeId: string, batchId: string, options: { stopAt: number; inRequest?: boolean }): Promise<SegmentOutcome> {
  const item = await readBatch(storeId, batchId);
  if (!item || item.state === 'DONE' || item.state === 'FAILED') return 'NOTHING_TO_DO';
  try {
    return await run(item, options.stopAt, options.inRequest === true);
  } catch (error) {
    if (error instanceof LostRaceError) return 'LOST_RACE';
    if (dbCallFailureOf(error) !== undefined || error instanceof DeadlinePassedError) throw error;
    logger.error('purchase batch failed', { storeId, batchId, error: error as Error });
    await fail(item, 'the batch met an internal error; the items with a result stand. Report it with the batchId, then send the remaining items as a new batch');
    return 'FAILED';
  }
}

async function run(item: BatchItem, stopAt: number, inRequest: boolean): Promise<SegmentOutcome> {
  const chunks = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.purchaseBatch.partition(item.storeId, item.batchId), ':prefix': keys.purchaseBatch.chunkPrefix() },
    ConsistentRead: true,
  });
  const entries = chunks.flatMap((chunk) => JSON.parse(String(chunk.items)) as Entry[]);
  if (entries.length !== item.itemCount) throw new Error(`batch ${item.batchId} of store ${item.storeId} has ${entries.length} items kept for ${item.itemCount}`);
  const done = new Set((await resultItems(item.storeId, item.batchId, '#seq, #status')).map((r) => Number(r.seq)));
  const { segmentItems } = tunables();
  let applied = 0;
  for (const entry of applyOrder(entries)) {
    if (done.has(entry.seq)) continue;
    if (Date.now() >= stopAt || applied >= segmentItems) return handOver(item, inRequest);
    await applyItem(item, entry);
    applied += 1;
  }
  await save(item, { SET: '#state = :done, finishedAt = :now', values: { ':done': 'DONE' } });
  return 'DONE';
}

/** A save of the batch item, conditional on the step read (two runners never both save). */
async function save(item: BatchItem, change: { SET: string; REMOVE?: string; values: Record<string, unknown> }): Promise<void> {
  // Whatever the save, the batch is no longer its request's alone (finished or handed over): off the in-request list.
  const expression = `SET ${change.SET}, #step = :next, updatedAt = :now REMOVE GSI2PK, GSI2SK${change.REMOVE ? `, ${change.REMOVE}` : ''}`;
  // Only the names the expression uses (DynamoDB refuses others).
  const names = Object.fromEntries(['state', 'step', 'segment'].filter((n) => expression.includes(`#${n}`)).map((n) => [`#${n}`, n]));
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.purchaseBatch.batch(item.storeId, item.batchId),
        UpdateExpression: expression,
        ConditionExpression: '#step = :step',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...change.values, ':next': item.step + 1, ':step': item.step, ':now': new Date().toISOString() },
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new LostRaceError(`batch ${item.batchId} was saved by another runner`);
    throw error;
  }
}

/** Ends this invocation's share: the stream's next invocation is asked for by the MODIFY of `segment`. */
async function handOver(item: BatchItem, inRequest: boolean): Promise<SegmentOutcome> {
  if (item.segment + 1 >= MAX_BATCH_SEGMENTS) {
    await fail(item, `the batch took more than ${MAX_BATCH_SEGMENTS} runs; the items with a result stand: send the remaining items as a new batch`);
    return 'FAILED';
  }
  await save(item, {
    SET: `#state = :running, #segment = :segment${inRequest ? ', answer = :queued' : ''}`,
    ...(inRequest ? { REMOVE: 'requestUntil' } : {}),
    values: { ':running': 'RUNNING', ':segment': item.segment + 1, ...(inRequest ? { ':queued': 202 } : {}) },
  });
  return 'HANDED_OVER';
}

/** Marks the batch FAILED with a reason (unless it finished meanwhile). */
async function fail(item: BatchItem, reason: string): Promise<void> {
  await failWork(keys.purchaseBatch.batch(item.storeId, item.batchId), reason);
}

// --- the stream consumer ---------------------------------------------------------------------

/** The batches a batch of stream records asks to work on: new QUEUED ones and hand-overs (shared/streams/segments.ts). */
export function batchesToRun(records: readonly DynamoDBRecord[]): { storeId: string; batchId: string; record: DynamoDBRecord }[] {
  return segmentsToRun(records, 'PurchaseBatch', (image) => `${String(image.storeId)}\n${String(image.batchId)}`).map(({ id, record }) => {
    const [storeId, batchId] = id.split('\n') as [string, string];
    return { storeId, batchId, record };
  });
}
