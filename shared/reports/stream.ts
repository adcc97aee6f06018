/**
 * The `points-report` stream consumer's work: every stream record it gets
 * (lib/routes.ts filters them to these item types) becomes at most one thing
 * counted once (shared/reports/counting.ts):
 *
 * | Record | Counted into |
 * |---|---|
 * | a new LedgerEntry | the points report's day and total items (points-report.ts) |
 * | a Wallet change | the expiry forecast's bucket items (expiry-forecast.ts) |
 * | an Order turning FAILED or REJECTED | the operations day and total items (operations.ts) |
 * | a new ParkedMessage | the same |
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { logger } from '../observability/powertools.js';
import { newImageOf } from '../streams/records.js';
import { countOnce, type Countable } from './counting.js';
import { walletChangeCountable } from './expiry-forecast.js';
import { orderChangeCountable, parkedMessageCountable } from './operations.js';
import { emitPointsFlow, ledgerCountable, type CountableEntry } from './points-report.js';

type Counted = Countable & { readonly entry?: CountableEntry };

/** The item type of a record's new image (the consumer is never given removals). */
function entityOf(record: DynamoDBRecord): string | undefined {
  return record.dynamodb?.NewImage?.entity?.S;
}

function countableOf(record: DynamoDBRecord, now: Date): Counted | undefined {
  switch (entityOf(record)) {
    case 'LedgerEntry': {
      // Entries are immutable: only their creation counts.
      const image = record.eventName === 'INSERT' ? newImageOf(record) : undefined;
      return image ? ledgerCountable(image as unknown as CountableEntry, now) : undefined;
    }
    case 'Wallet':
      return walletChangeCountable(record, now);
    case 'Order':
      return orderChangeCountable(record, now);
    case 'ParkedMessage':
      return parkedMessageCountable(record, now);
    default:
      return undefined;
  }
}

/** Counts a batch of stream records, each once however often delivered; throws when DynamoDB keeps refusing (the batch is retried). */
export async function countStreamRecords(records: readonly DynamoDBRecord[], now = new Date()): Promise<{ counted: number; skipped: number; ignored: number }> {
  const things = records.flatMap((record) => {
    const thing = countableOf(record, now);
    return thing ? [thing] : [];
  });
  const result = await countOnce(things, now, (counted) => emitPointsFlow(counted.flatMap((c) => (c.entry ? [c.entry] : []))));
  if (result.skipped > 0) logger.info('stream records already counted were skipped', result);
  return { ...result, ignored: records.length - things.length };
}
