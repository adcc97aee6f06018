/**
 * Stock feeds: the stock levels of many products sent at once (POST /v1/admin/stock-feeds), by an operator or
 * the inventory system's client (docs/api.md, Stock feeds).
 *
 * Taking a feed is one transaction: the feed item (conditional on the feedId being new), its lines in chunk
 * items as sent (with the problem each line met when checked: an id that is not one, a bad mode or quantity, a
 * product already on an earlier line), and the audit record that names who sent it. A feed sent twice at once
 * is taken once: the other request finds the feed and answers it as it stands.
 *
 * Each line is then applied through `setProductStock`, the code path of PUT /v1/admin/products/{productId}/stock
 * (product read fresh, code pools refused, the shards changed by `changeStock`, a sold-out product reopened),
 * with the line's result item joining the transaction that changes the stock, conditional on not existing: a
 * line is applied once however often it is tried (a retried segment, two runners of one feed, a resend), and a
 * result exists exactly for the lines applied or refused. Lines of one chunk run a few at once (no two lines of
 * a feed name the same product, so they never meet on an item); after a chunk, its results are counted into the
 * feed item (conditional on the step read, so two runners never both count a chunk).
 *
 * Who runs it. A small feed (STOCK_FEED_SYNC_LINES, default 100 lines) is applied by the request itself, which
 * answers 201 with every result. A large one is answered 202 (QUEUED) and applied from the table stream
 * (consumer `stock-feeds`, lib/routes.ts, on the mall function), in segments bounded by the invocation's time,
 * each handing over to the next by bumping `segment` (a MODIFY the same consumer picks up), as what-if replays
 * run (shared/earning/what-if.ts). The stream rather than the jobs function: a feed is work that one request
 * starts and that must start at once, exactly when its item is written, and resume after a failure without
 * anyone calling again; the stream's INSERT and MODIFY records are that trigger, retried by Lambda until the
 * segment succeeds, while the jobs function runs sweeps on a schedule or an operator's call. A request that
 * runs out of its time hands the rest over the same way (202). A request that dies before it could hand over
 * (a crash) leaves the feed RUNNING past `requestUntil`: the next resend or read of it hands it over.
 *
 * The product's audit trail does not list each line: one audit record per feed names the sender, and the
 * feed's results (before and after of every line) stay with the feed. Ten thousand audit records a feed would
 * crowd the audit log's single partition, which every operator write shares.
 */
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { auditItems, currentOperatorWrite, nothingChanged, outsideOperatorWrite } from '../audit/audit.js';
import { claimRefused, keyInUse, keyState } from '../audit/operator-idempotency.js';
import { idSchema } from '../contracts/common.js';
import type { stockFeedLineStatuses, stockFeedStates } from '../contracts/limits.js';
import { stockInputSchema } from '../contracts/mall.js';
import { DomainError, NotFoundError, type ErrorCode } from '../errors.js';
import { problemOf, zodIssues } from '../http/problem.js';
import { mapWithConcurrency } from '../jobs/pool.js';
import type { TransactItem } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { currentBudget, DeadlinePassedError } from '../runtime/deadline.js';
import { pauseBeforeRetry, retentionOf, segmentStopAt, segmentsToRun, wholeFromEnv } from '../streams/segments.js';
import { failWork, handOverStalled, isStalled } from '../streams/stalled.js';
import { dbCallFailureOf } from '../table/call-failure.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryAll, queryPage, type PageRequest } from '../table/paging.js';
import { setProductStock } from './product-stock.js';

export type FeedState = (typeof stockFeedStates)[number];
export type LineStatus = (typeof stockFeedLineStatuses)[number];

/** A line as sent (its shape checked by the contract, its values here). */
export interface FeedLine {
  readonly productId: string;
  readonly mode: string;
  readonly quantity: number;
}

interface LineProblem {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
}

/** A line as its chunk keeps it: as sent, with the problem found when the feed was taken. */
interface ChunkLine extends FeedLine {
  readonly problem?: LineProblem;
}

export interface FeedSender {
  readonly kind: 'operator' | 'inventory';
  readonly id: string;
  readonly role: string;
}

interface FeedItem {
  readonly feedId: string;
  /** SHA-256 of the lines: a resend must match it. */
  readonly fingerprint: string;
  readonly lineCount: number;
  readonly chunkLines: number;
  readonly chunkCount: number;
  readonly state: FeedState;
  /** What the request answered, and a resend answers: 201 (applied at once, every result) or 202 (queued, or handed over). */
  readonly answer: 201 | 202;
  /** A feed the request applies: until when that request works on it (its deadline). Removed at the hand-over. */
  readonly requestUntil?: string;
  /** Invocations the feed was handed to (bumped to hand over). */
  readonly segment: number;
  /** Saves so far: each save is conditional on it. */
  readonly step: number;
  readonly chunksDone: number;
  readonly applied: number;
  readonly refused: number;
  readonly sentBy: FeedSender;
  /** The request that sent it (its audit record carries the same). */
  readonly requestId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly error?: string;
}

/** Transaction items besides the chunks when a feed is taken: the feed item, the audit record, the Idempotency-Key's claim. */
const MAX_CHUNKS = 100 - 3;
/** Lines of one chunk applied at once. */
const LINE_CONCURRENCY = 8;
/** Tries of a line whose product was busy (a sale's transaction met it, a rebalance meanwhile) before it is refused CONFLICT. */
const LINE_ATTEMPTS = 3;
/** Tries of taking a feed whose item another request's transaction holds at that moment. */
const TAKE_ATTEMPTS = 4;
/** Invocations one feed may take; a feed that needs more is FAILED (the run is bounded). */
export const MAX_FEED_SEGMENTS = 200;
/** Kept between a segment's end and the invocation's timeout: the lines in flight, the last save and the hand-over. */
const SEGMENT_MARGIN_MS = 3_000;
/** Kept between a request's last line and its deadline: the lines in flight, the hand-over and the answer. */
const REQUEST_MARGIN_MS = 2_500;

/** Tunables, read when used (tests make the feed applied at once and the chunks small). */
function tunables() {
  return {
    syncLines: wholeFromEnv('STOCK_FEED_SYNC_LINES', 100, 0),
    chunkLines: wholeFromEnv('STOCK_FEED_CHUNK_LINES', 250, 1),
    segmentMs: wholeFromEnv('STOCK_FEED_SEGMENT_MS', 60_000, 0),
    // Chunks one run (request or stream invocation) applies before it hands over; unbounded but by time unless set.
    segmentChunks: process.env.STOCK_FEED_SEGMENT_CHUNKS === undefined ? Number.POSITIVE_INFINITY : wholeFromEnv('STOCK_FEED_SEGMENT_CHUNKS', 1, 1),
  };
}

/** When a stream segment that starts now must stop, given the time the invocation has left. */
export function feedSegmentStopAt(remainingMs: number, now = Date.now()): number {
  return segmentStopAt(remainingMs, tunables().segmentMs, SEGMENT_MARGIN_MS, now);
}

export function fingerprintOf(lines: readonly FeedLine[]): string {
  return createHash('sha256')
    .update(JSON.stringify(lines.map((l) => [l.productId, l.mode, l.quantity])))
    .digest('base64url');
}

function lineProblem(code: ErrorCode, detail: string): LineProblem {
  const problem = problemOf(code, detail);
  return { code: problem.code, status: problem.status, detail: problem.detail };
}

/**
 * Each line's problem, if it has one, by the rules of PUT /v1/admin/products/{productId}/stock (its schemas): the
 * product id, the mode and the quantity; and a product already on an earlier line (its first line stands).
 */
export function checkLines(lines: readonly FeedLine[]): ChunkLine[] {
  const firstLine = new Map<string, number>();
  return lines.map((sent, index) => {
    const line: FeedLine = { productId: sent.productId, mode: sent.mode, quantity: sent.quantity };
    const where = `lines.${index}`;
    const id = idSchema.safeParse(line.productId);
    if (!id.success) return { ...line, problem: lineProblem('VALIDATION_FAILED', issuesText(zodIssues(id.error, `${where}.productId`))) };
    const change = stockInputSchema.safeParse({ mode: line.mode, quantity: line.quantity });
    if (!change.success) return { ...line, problem: lineProblem('VALIDATION_FAILED', issuesText(zodIssues(change.error, where))) };
    const first = firstLine.get(line.productId);
    if (first !== undefined) {
      return { ...line, problem: lineProblem('VALIDATION_FAILED', `product ${line.productId} is on line ${first} already: a feed sets each product once (that line stands)`) };
    }
    firstLine.set(line.productId, index);
    return line;
  });
}

function issuesText(issues: readonly { path: string; message: string }[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

// --- taking a feed, reading it ------------------------------------------------------

export interface FeedAnswer {
  readonly status: 201 | 202;
  readonly body: FeedView;
  readonly replayed: boolean;
}

/**
 * Takes a feed (see the top of this module) and, when small, applies it in this request. Runs inside the
 * request's operator write: its sender and its audit record come from it.
 */
export async function submitFeed(feedId: string, lines: readonly FeedLine[], now = new Date()): Promise<FeedAnswer> {
  const write = currentOperatorWrite();
  if (!write) throw new Error('a stock feed is taken inside the operator write of its request');
  const fingerprint = fingerprintOf(lines);
  const existing = await readFeed(feedId);
  if (existing) return resent(existing, fingerprint);

  const checked = checkLines(lines);
  const { syncLines, chunkLines: wanted } = tunables();
  const chunkLines = Math.max(wanted, Math.ceil(lines.length / MAX_CHUNKS));
  const chunks: ChunkLine[][] = [];
  for (let first = 0; first < checked.length; first += chunkLines) chunks.push(checked.slice(first, first + chunkLines));
  const here = lines.length <= syncLines;
  const at = now.toISOString();
  const item: FeedItem = {
    feedId,
    fingerprint,
    lineCount: lines.length,
    chunkLines,
    chunkCount: chunks.length,
    state: here ? 'RUNNING' : 'QUEUED',
    answer: here ? 201 : 202,
    ...(here ? { requestUntil: new Date(currentBudget()?.deadlineAt ?? now.getTime() + 30_000).toISOString() } : {}),
    segment: 0,
    step: 0,
    chunksDone: 0,
    applied: 0,
    refused: 0,
    sentBy: { kind: write.role === 'inventory' ? 'inventory' : 'operator', id: write.operatorId, role: write.role },
    requestId: write.requestId,
    createdAt: at,
    updatedAt: at,
  };
  const refusedAsSent = checked.filter((l) => l.problem).length;
  const kept = retentionOf(at);
  const head = keys.stockFeed.feed(feedId);
  const take = () =>
    db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              // Applied by this request: listed until it finishes or hands over, so a crash is found (shared/streams/stalled.ts).
              Item: { ...head, entity: 'StockFeed', ...item, ...(item.requestUntil ? keys.inRequest.entry(item.requestUntil, head) : {}), ttl: kept.head },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...chunks.map(
            (chunk, index): TransactItem => ({
              Put: {
                TableName: tableName(),
                // The lines as JSON text: compact (no attribute names per line), and any number sent stays as sent.
                Item: { ...keys.stockFeed.chunk(feedId, index), entity: 'StockFeedChunk', feedId, chunk: index, firstLine: index * chunkLines, lines: JSON.stringify(chunk), ttl: kept.parts },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            }),
          ),
          ...auditItems(
            {
              target: `stock-feed:${feedId}`,
              summary: `sent a stock feed of ${lines.length} lines${refusedAsSent > 0 ? ` (${refusedAsSent} refused as sent)` : ''}, ${here ? 'applied at once' : 'queued'}`,
              after: { lines: lines.length, refusedAsSent, chunks: chunks.length },
            },
            now,
          ),
        ],
      }),
    );
  for (let attempt = 1; ; attempt += 1) {
    try {
      await take();
      break;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || claimRefused(error)) throw error;
      // Another request took this feedId first (the same feed sent twice at once, or another one): answered as a
      // resend. A transaction of that request still in flight on the feed item: read again once it settled.
      const reasons = error.CancellationReasons ?? [];
      const raced = reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict');
      if (!raced) throw error;
      const taken = await readFeed(feedId);
      if (taken) return resent(taken, fingerprint);
      if (attempt >= TAKE_ATTEMPTS) throw new DomainError('CONFLICT', `stock feed ${feedId} is being sent by another request at this moment; send it again in a moment (the same feed changes nothing twice)`);
      await pause(attempt);
    }
  }
  if (!here) return { status: 202, body: feedView(item), replayed: false };

  const budget = currentBudget();
  const stopAt = (budget?.deadlineAt ?? Date.now() + 30_000) - REQUEST_MARGIN_MS;
  // The lines are the feed's, recorded on the feed: outside the request's operator write (no audit record each).
  const outcome = await outsideOperatorWrite(() => runFeedSegment(feedId, { stopAt, inRequest: true }));
  logger.info('stock feed applied in the request', { feedId, outcome });
  const after = (await readFeed(feedId)) ?? item;
  if (after.state === 'DONE' && after.answer === 201) return { status: 201, body: feedView(after, await allResults(feedId)), replayed: false };
  return { status: 202, body: feedView(after), replayed: false };
}

/** A feedId sent again: the same lines answer the feed as it stands (as first answered); other lines are refused. */
async function resent(item: FeedItem, fingerprint: string): Promise<FeedAnswer> {
  if (item.fingerprint !== fingerprint) {
    throw new DomainError(
      'CONFLICT',
      `stock feed ${item.feedId} was sent already (at ${item.createdAt}, ${item.lineCount} lines) with other lines; a feedId names one feed: send new stock levels under a new feedId`,
      { feedId: item.feedId },
    );
  }
  // An Idempotency-Key another request holds decides first (its stored answer, or 409 while it runs), as on every
  // operator write: the request that took the feed with that key answers for it.
  const claim = currentOperatorWrite()?.claim;
  if (claim && (await keyState(claim)).kind !== 'free') throw keyInUse();
  nothingChanged();
  const current = await handOverIfStalled(item);
  if (current.state === 'DONE' && current.answer === 201) return { status: 201, body: feedView(current, await allResults(current.feedId)), replayed: true };
  return { status: 202, body: feedView(current), replayed: true };
}

/** A feed, with a page of its results in line order (only the APPLIED or REFUSED ones with `status`). */
export async function getFeed(feedId: string, filter: { status?: LineStatus | undefined }, page: PageRequest): Promise<FeedView> {
  const item = await readFeed(feedId);
  if (!item) throw new NotFoundError(`stock feed ${feedId} does not exist`);
  const current = await handOverIfStalled(item);
  const partition = keys.stockFeed.partition(feedId);
  const result = await queryPage(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ...(filter.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
      ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.stockFeed.resultPrefix(), ...(filter.status ? { ':status': filter.status } : {}) },
      ConsistentRead: true,
    },
    page,
    { attribute: 'PK', value: partition },
  );
  return feedView(current, result.items.map(resultView), result.nextCursor);
}

async function readFeed(feedId: string): Promise<FeedItem | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.stockFeed.feed(feedId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const { PK: _pk, SK: _sk, entity: _e, ...rest } = result.Item;
  return rest as unknown as FeedItem;
}

async function allResults(feedId: string): Promise<ResultView[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.stockFeed.partition(feedId), ':prefix': keys.stockFeed.resultPrefix() },
    ConsistentRead: true,
  });
  return items.map(resultView);
}

/**
 * A feed its request stopped working on without handing it over (the request crashed or ran out of time): the
 * stream takes it from where its results stand. Conditional on the step read; a no-op for any other feed.
 */
async function handOverIfStalled(item: FeedItem, now = new Date()): Promise<FeedItem> {
  if (!isStalled(item, now)) return item;
  if (await handOverStalled(keys.stockFeed.feed(item.feedId), item.step, now)) logger.warn('stock feed stalled in its request: handed to the stream', { feedId: item.feedId });
  return (await readFeed(item.feedId)) ?? item;
}

// --- views --------------------------------------------------------------------------

export interface ResultView {
  readonly index: number;
  readonly productId: string;
  readonly mode: string;
  readonly quantity: number;
  readonly status: LineStatus;
  readonly before: number | null;
  readonly after: number | null;
  readonly problem: LineProblem | null;
}

export interface FeedView {
  readonly feedId: string;
  readonly state: FeedState;
  readonly lineCount: number;
  readonly sentBy: FeedSender;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
  readonly progress: { linesDone: number; applied: number; refused: number; chunks: number; chunksDone: number };
  readonly results: readonly ResultView[];
  readonly nextCursor: string | null;
  readonly error: string | null;
}

function feedView(item: FeedItem, results: readonly ResultView[] = [], nextCursor: string | null = null): FeedView {
  return {
    feedId: item.feedId,
    state: item.state,
    lineCount: item.lineCount,
    sentBy: item.sentBy,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    finishedAt: item.finishedAt ?? null,
    progress: { linesDone: item.applied + item.refused, applied: item.applied, refused: item.refused, chunks: item.chunkCount, chunksDone: item.chunksDone },
    results,
    nextCursor,
    error: item.error ?? null,
  };
}

function resultView(raw: Record<string, unknown>): ResultView {
  const line = JSON.parse(String(raw.line)) as FeedLine;
  return {
    index: Number(raw.index),
    productId: line.productId,
    mode: line.mode,
    quantity: line.quantity,
    status: raw.status as LineStatus,
    before: raw.before === undefined ? null : Number(raw.before),
    after: raw.after === undefined ? null : Number(raw.after),
    problem: (raw.problem as LineProblem | undefined) ?? null,
  };
}

// --- applying lines -----------------------------------------------------------------

interface LineResult {
  readonly status: LineStatus;
  readonly before?: number;
  readonly after?: number;
  readonly problem?: LineProblem;
}

/** A line's result item: the mark that the line is done, so it is written once (conditional on not being there). */
function resultItem(feed: FeedItem, index: number, line: FeedLine, result: LineResult): Record<string, unknown> {
  const { feedId } = feed;
  return {
    ...keys.stockFeed.result(feedId, index),
    entity: 'StockFeedResult',
    feedId,
    index,
    line: JSON.stringify({ productId: line.productId, mode: line.mode, quantity: line.quantity }),
    ...result,
    at: new Date().toISOString(),
    ttl: retentionOf(feed.createdAt).parts,
  };
}

/** The result of an applied line, as an item of its stock change's transaction. */
function resultPut(feed: FeedItem, index: number, line: FeedLine, result: LineResult): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: resultItem(feed, index, line, result),
      ConditionExpression: 'attribute_not_exists(PK)',
      // Lets `resultThereAlready` tell this refusal from the stock change's own.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Whether a cancelled stock change was refused because the line's result exists: another try applied it first. */
function resultThereAlready(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed' && r.Item?.entity?.S === 'StockFeedResult');
}

/** Problems of the table, not of the line: the segment is retried rather than the line refused. */
const NOT_THE_LINES: readonly string[] = ['UNAVAILABLE', 'OUTCOME_UNKNOWN', 'THROTTLED'];

const pause = pauseBeforeRetry;

/**
 * Applies one line: a line refused as sent gets its result; any other goes through `setProductStock` with its
 * result in the change's transaction (set: after = quantity; add: after = before + quantity, before as read just
 * before the change). A refusal of the product (unknown, a code pool, busy after LINE_ATTEMPTS) is the line's
 * result; a failure of the table is thrown (the segment is retried, and resumes at the lines without a result).
 */
async function applyLine(feed: FeedItem, index: number, line: ChunkLine): Promise<void> {
  if (line.problem) {
    await putResult(feed, index, line, { status: 'REFUSED', problem: line.problem });
    return;
  }
  const mode = line.mode as 'set' | 'add';
  for (let attempt = 1; ; attempt += 1) {
    try {
      await setProductStock(line.productId, mode, line.quantity, {
        extraItems: (before) => [resultPut(feed, index, line, { status: 'APPLIED', before, after: mode === 'set' ? line.quantity : before + line.quantity })],
      });
      return;
    } catch (error) {
      if (resultThereAlready(error)) return;
      if (!(error instanceof DomainError) || NOT_THE_LINES.includes(error.code)) throw error;
      if (error.code === 'CONFLICT' && attempt < LINE_ATTEMPTS) {
        await pause(attempt);
        continue;
      }
      await putResult(feed, index, line, { status: 'REFUSED', problem: lineProblem(error.code, error.message) });
      return;
    }
  }
}

async function putResult(feed: FeedItem, index: number, line: FeedLine, result: LineResult): Promise<void> {
  try {
    await db().send(new PutCommand({ TableName: tableName(), Item: resultItem(feed, index, line, result), ConditionExpression: 'attribute_not_exists(PK)' }));
  } catch (error) {
    // Another try wrote this line's result first: it stands.
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

// --- the run (request or stream) -----------------------------------------------------

export type SegmentOutcome = 'DONE' | 'FAILED' | 'HANDED_OVER' | 'NOTHING_TO_DO' | 'LOST_RACE';

/** A save failed its condition: another runner saved first. */
class LostRaceError extends Error {}

/**
 * Works on a feed until it is done or `stopAt` (epoch ms) comes, counting each chunk when its lines all have
 * results; then hands over (bumps `segment`) if not done. Throws on a failure of the table (the stream retries
 * the record; the request answers 503 and a resend hands over); any other failure marks the feed FAILED.
 */
export async function runFeedSegment(feedId: string, options: { stopAt: number; inRequest?: boolean }): Promise<SegmentOutcome> {
  const item = await readFeed(feedId);
  if (!item || item.state === 'DONE' || item.state === 'FAILED') return 'NOTHING_TO_DO';
  const runner = new FeedRunner(item, options.inRequest === true);
  try {
    return await runner.run(options.stopAt);
  } catch (error) {
    if (error instanceof LostRaceError) return 'LOST_RACE';
    if (dbCallFailureOf(error) !== undefined || error instanceof DeadlinePassedError) throw error;
    logger.error('stock feed failed', { feedId, error: error as Error });
    await runner.fail('the feed met an internal error; the lines with a result stand. Report it with the feedId, then send the remaining lines as a new feed');
    return 'FAILED';
  }
}

class FeedRunner {
  constructor(
    private item: FeedItem,
    private readonly inRequest: boolean,
  ) {}

  async run(stopAt: number): Promise<SegmentOutcome> {
    const { segmentChunks } = tunables();
    let chunks = 0;
    while (this.item.chunksDone < this.item.chunkCount) {
      if (Date.now() >= stopAt || chunks >= segmentChunks) return this.handOver();
      chunks += 1;
      const chunk = this.item.chunksDone;
      if (!(await this.applyChunk(chunk, stopAt))) return this.handOver();
      await this.countChunk(chunk);
    }
    return 'DONE';
  }

  private linesOf(chunk: number): { first: number; last: number } {
    const first = chunk * this.item.chunkLines;
    return { first, last: Math.min(this.item.lineCount, first + this.item.chunkLines) - 1 };
  }

  private async resultsOf(chunk: number): Promise<Record<string, unknown>[]> {
    const { first, last } = this.linesOf(chunk);
    return queryAll({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':pk': keys.stockFeed.partition(this.item.feedId), ':first': keys.stockFeed.resultSort(first), ':last': keys.stockFeed.resultSort(last) },
      ProjectionExpression: '#index, #status',
      ExpressionAttributeNames: { '#index': 'index', '#status': 'status' },
      ConsistentRead: true,
    });
  }

  /** Applies the lines of a chunk that have no result yet; false when `stopAt` came first. */
  private async applyChunk(chunk: number, stopAt: number): Promise<boolean> {
    const raw = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.stockFeed.chunk(this.item.feedId, chunk), ConsistentRead: true }))).Item;
    if (!raw) throw new Error(`chunk ${chunk} of stock feed ${this.item.feedId} is missing`);
    const lines = JSON.parse(String(raw.lines)) as ChunkLine[];
    const first = Number(raw.firstLine);
    const done = new Set((await this.resultsOf(chunk)).map((r) => Number(r.index)));
    const todo = lines.map((line, i) => ({ line, index: first + i })).filter(({ index }) => !done.has(index));
    const finished = await mapWithConcurrency(todo, LINE_CONCURRENCY, async ({ line, index }) => {
      if (Date.now() >= stopAt) return false;
      await applyLine(this.item, index, line);
      return true;
    });
    return finished.every(Boolean);
  }

  /** Adds a chunk whose lines all have results to the feed's counts (the last one finishes the feed). */
  private async countChunk(chunk: number): Promise<void> {
    const results = await this.resultsOf(chunk);
    const { first, last } = this.linesOf(chunk);
    if (results.length !== last - first + 1) throw new Error(`chunk ${chunk} of stock feed ${this.item.feedId} has ${results.length} results for ${last - first + 1} lines`);
    const applied = results.filter((r) => r.status === 'APPLIED').length;
    const refused = results.length - applied;
    const finished = chunk + 1 === this.item.chunkCount;
    const now = new Date().toISOString();
    const state: FeedState = finished ? 'DONE' : 'RUNNING';
    await this.conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.stockFeed.feed(this.item.feedId),
        UpdateExpression: `SET chunksDone = :next, applied = applied + :applied, refused = refused + :refused, #state = :state, #step = :nextStep, updatedAt = :now, startedAt = if_not_exists(startedAt, :now)${finished ? ', finishedAt = :now REMOVE GSI2PK, GSI2SK' : ''}`,
        ConditionExpression: '#step = :step AND chunksDone = :chunk',
        ExpressionAttributeNames: { '#state': 'state', '#step': 'step' },
        ExpressionAttributeValues: { ':next': chunk + 1, ':chunk': chunk, ':applied': applied, ':refused': refused, ':state': state, ':nextStep': this.item.step + 1, ':step': this.item.step, ':now': now },
      }),
    );
    this.item = {
      ...this.item,
      chunksDone: chunk + 1,
      applied: this.item.applied + applied,
      refused: this.item.refused + refused,
      state,
      step: this.item.step + 1,
      updatedAt: now,
      startedAt: this.item.startedAt ?? now,
      ...(finished ? { finishedAt: now } : {}),
    };
  }

  /** Ends this invocation's share: the stream's next invocation is asked for by the MODIFY of `segment`. */
  private async handOver(): Promise<SegmentOutcome> {
    if (this.item.segment + 1 >= MAX_FEED_SEGMENTS) {
      await this.fail(`the feed took more than ${MAX_FEED_SEGMENTS} runs; the lines with a result stand: send the remaining lines as a new feed`);
      return 'FAILED';
    }
    const now = new Date().toISOString();
    await this.conditional(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.stockFeed.feed(this.item.feedId),
        UpdateExpression: `SET #state = :running, #segment = :segment, #step = :next, updatedAt = :now, startedAt = if_not_exists(startedAt, :now)${this.inRequest ? ', answer = :queued REMOVE requestUntil, GSI2PK, GSI2SK' : ''}`,
        ConditionExpression: '#step = :step',
        ExpressionAttributeNames: { '#state': 'state', '#segment': 'segment', '#step': 'step' },
        ExpressionAttributeValues: {
          ':running': 'RUNNING',
          ':segment': this.item.segment + 1,
          ':next': this.item.step + 1,
          ':step': this.item.step,
          ':now': now,
          ...(this.inRequest ? { ':queued': 202 } : {}),
        },
      }),
    );
    return 'HANDED_OVER';
  }

  private async conditional(update: UpdateCommand): Promise<void> {
    try {
      await db().send(update);
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw new LostRaceError(`stock feed ${this.item.feedId} was saved by another runner`);
      throw error;
    }
  }

  /** Marks the feed FAILED with a reason (unless it finished meanwhile). */
  async fail(reason: string): Promise<void> {
    await failWork(keys.stockFeed.feed(this.item.feedId), reason);
  }

}

// --- the stream consumer ----------------------------------------------------------------

/**
 * The feeds a batch of stream records asks to work on: a new QUEUED feed (INSERT; a feed its request applies is
 * inserted RUNNING and left alone), or one handed over (a MODIFY that bumped `segment`). Progress saves are
 * MODIFYs too; they ask nothing.
 */
export function feedsToRun(records: readonly DynamoDBRecord[]): { feedId: string; record: DynamoDBRecord }[] {
  return segmentsToRun(records, 'StockFeed', (image) => String(image.feedId)).map(({ id, record }) => ({ feedId: id, record }));
}
