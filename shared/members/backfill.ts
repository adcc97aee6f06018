/**
 * The one-off backfill of the operators' member indexes (docs/operations.md,
 * Member search backfill): items written before these index entries existed
 * get them, so operators find every member and list every spin and task
 * completion.
 *
 * - Member profiles: the search entry (./search.ts), written only if absent.
 * - Spins and TaskCompletions: their GSI1 keys (a member's spins, or task
 *   completions, by time), set only where absent. Both records are never
 *   changed after they are written, so setting the keys cannot race a change.
 *
 * It is a Scan of the whole table (in parallel segments), run once after
 * deploying; a repeat finds nothing left to write. No request path scans.
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Tier } from '../domain/tiers.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { ensureSearchEntry } from './search.js';
import type { MemberProfile } from './service.js';

export interface BackfillStats {
  itemsScanned: number;
  profilesSeen: number;
  searchEntriesWritten: number;
  spinsIndexed: number;
  taskCompletionsIndexed: number;
  [key: string]: number;
}

/** Sets an immutable record's GSI1 keys if it has none; answers whether it did. */
async function indexRecord(key: { PK: string; SK: string }, entry: { GSI1PK: string; GSI1SK: string }): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI1PK)',
        ExpressionAttributeValues: { ':pk': entry.GSI1PK, ':sk': entry.GSI1SK },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
}

async function backfillItem(item: Record<string, unknown>, stats: BackfillStats): Promise<void> {
  const key = { PK: String(item.PK), SK: String(item.SK) };
  const memberId = String(item.memberId);
  if (item.entity === 'Member') {
    stats.profilesSeen += 1;
    const written = await ensureSearchEntry({
      memberId,
      tier: (item.tier as Tier | undefined) ?? 'normal',
      status: (item.status as MemberProfile['status'] | undefined) ?? 'ACTIVE',
      registeredAt: String(item.registeredAt),
    });
    if (written) stats.searchEntriesWritten += 1;
  } else if (item.entity === 'Spin') {
    const entry = keys.member.spinEntry(memberId, String(item.at), String(item.drawId), String(item.day), Number(item.n));
    if (await indexRecord(key, entry)) stats.spinsIndexed += 1;
  } else if (item.entity === 'TaskCompletion') {
    const entry = keys.member.taskCompletionEntry(memberId, String(item.at), String(item.taskId), String(item.period), Number(item.slot));
    if (await indexRecord(key, entry)) stats.taskCompletionsIndexed += 1;
  }
}

/** What the backfill reads of an item, each through a `#name` placeholder (some are DynamoDB reserved words). */
const PROJECTED = ['PK', 'SK', 'GSI1PK', 'entity', 'memberId', 'tier', 'status', 'registeredAt', 'drawId', 'day', 'n', 'taskId', 'period', 'slot', 'at'];
const projectedNames = Object.fromEntries(PROJECTED.map((name) => [`#${name}`, name]));

/**
 * Runs the backfill over the table in `segments` parallel Scan segments.
 * `onPage` sees the running totals after each page (progress for the script).
 */
export async function backfillMemberIndexes(options: { segments?: number; onPage?: (stats: BackfillStats) => void } = {}): Promise<BackfillStats> {
  const segments = options.segments ?? 4;
  const stats: BackfillStats = { itemsScanned: 0, profilesSeen: 0, searchEntriesWritten: 0, spinsIndexed: 0, taskCompletionsIndexed: 0 };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db().send(
          new ScanCommand({
            TableName: tableName(),
            Segment: segment,
            TotalSegments: segments,
            // Profiles (SK PROFILE: the search entry shares the entity's partition but not its SK), and records without GSI1 keys.
            FilterExpression: '(#entity = :member AND #SK = :profile) OR ((#entity = :spin OR #entity = :completion) AND attribute_not_exists(#GSI1PK))',
            ProjectionExpression: Object.keys(projectedNames).join(', '),
            ExpressionAttributeNames: projectedNames,
            ExpressionAttributeValues: {
              ':member': 'Member',
              ':profile': keys.member.profile('').SK,
              ':spin': 'Spin',
              ':completion': 'TaskCompletion',
            },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        stats.itemsScanned += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) await backfillItem(item, stats);
        options.onPage?.(stats);
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return stats;
}

/** The record of a finished backfill (`JOB#member-index-backfill` / `STATE`): the local runtime runs it once per table. */
const BACKFILL_JOB = 'member-index-backfill';

export async function markBackfillDone(now = new Date()): Promise<void> {
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.jobState(BACKFILL_JOB), entity: 'JobState', completedAt: now.toISOString() } }));
}

/** Runs the backfill unless it finished on this table before (the local runtime, at every start). */
export async function backfillMemberIndexesOnce(): Promise<BackfillStats | undefined> {
  const done = await db().send(new GetCommand({ TableName: tableName(), Key: keys.jobState(BACKFILL_JOB), ConsistentRead: true }));
  if (done.Item) return undefined;
  const stats = await backfillMemberIndexes();
  await markBackfillDone();
  return stats;
}
