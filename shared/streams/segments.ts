/**
 * Work that one request starts and the table stream carries on, in segments bounded by each invocation's time
 * (stock feeds, shared/mall/stock-feeds.ts; offline purchase batches, shared/earning/purchase-batches.ts).
 *
 * The work's item is written QUEUED (a large piece of work: the stream's INSERT starts it) or RUNNING (a small one
 * its request does itself). A runner that must stop before the end hands over by bumping the item's `segment`: the
 * MODIFY asks the consumer's next invocation to go on. Every other save of the item asks nothing. What is common to
 * those runners lives here: which records ask for a run, when a segment stops, the tunables read from the
 * environment, the pause before a retry.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { newImageOf } from './records.js';

/** How long a batch or feed is kept after it was taken: the POS idempotency window (a resend within it changes nothing). */
export const RETENTION_DAYS = 90;
/** Its head item (the one a resend finds) outlives its parts by this much: DynamoDB deletes expired items within days. */
const HEAD_EXTRA_DAYS = 3;

/**
 * The `ttl` (epoch seconds) of a piece of work taken at `createdAt`: its parts (chunks, results, counts) after
 * RETENTION_DAYS, its head item a few days later, so that a resend finds either the whole piece or nothing of it
 * (once the head is gone the id is free; a batch's purchases and refunds are then answered DUPLICATE by their own
 * idempotency, kept as long).
 */
export function retentionOf(createdAt: string): { parts: number; head: number } {
  const parts = Math.floor(Date.parse(createdAt) / 1000) + RETENTION_DAYS * 86_400;
  return { parts, head: parts + HEAD_EXTRA_DAYS * 86_400 };
}

/** A whole number from the environment (read when used, so tests set it per case), at least `least`. */
export function wholeFromEnv(name: string, fallback: number, least: number): number {
  const n = Math.floor(Number(process.env[name] ?? fallback));
  return Number.isFinite(n) ? Math.max(least, n) : fallback;
}

/** When a stream segment that starts now must stop: its own length at most, and `marginMs` before the invocation's timeout. */
export function segmentStopAt(remainingMs: number, segmentMs: number, marginMs: number, now = Date.now()): number {
  return now + Math.min(segmentMs, remainingMs - marginMs);
}

/**
 * The pieces of work of `entity` a batch of stream records asks to run, by id (`idOf` the new image): a new
 * QUEUED one (INSERT; one its request runs is inserted RUNNING and left alone), or one handed over (a MODIFY that
 * changed `segment`). The last record of each id is kept: it is the one a failure reports.
 */
export function segmentsToRun(records: readonly DynamoDBRecord[], entity: string, idOf: (image: Record<string, unknown>) => string): { id: string; record: DynamoDBRecord }[] {
  const wanted = new Map<string, DynamoDBRecord>();
  for (const record of records) {
    const image = newImageOf(record);
    if (!image || image.entity !== entity) continue;
    const state = image.state;
    if (state !== 'QUEUED' && state !== 'RUNNING') continue;
    const oldSegment = record.dynamodb?.OldImage?.segment?.N;
    const handedOver = record.eventName === 'MODIFY' && oldSegment !== undefined && Number(oldSegment) !== Number(image.segment);
    if ((record.eventName === 'INSERT' && state === 'QUEUED') || handedOver) wanted.set(idOf(image), record);
  }
  return [...wanted].map(([id, record]) => ({ id, record }));
}

/** A short, growing, jittered pause before try `attempt + 1`. */
export function pauseBeforeRetry(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * (0.5 + Math.random())));
}
