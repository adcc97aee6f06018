import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runExpiryReminderJob } from '../../shared/jobs/expiry-reminders.js';
import { commit } from '../../shared/ledger/ledger.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { uniqueId } from '../support/api.js';
import { eventNamedBy } from '../support/outbox.js';

// Buckets 2017-01 .. 2017-04 belong to this file (the scale test uses 2015-2016, the expiry-job test 2017-05 on);
// the reminder job never deletes markers and never touches the expiry job's state.

async function member(prefix: string, moves: readonly { points: number; bucket?: string; spend?: boolean; currency?: string }[]) {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  for (const move of moves) {
    await commit({
      moves: [
        move.spend
          ? { memberId, type: 'SPEND', points: move.points, reason: 'spent', ...(move.currency ? { currency: move.currency } : {}) }
          : { memberId, type: 'EARN', points: move.points, bucket: move.bucket, reason: 'earned', ...(move.currency ? { currency: move.currency } : {}) },
      ],
    });
  }
  return memberId;
}

/** The reminder written for a wallet's bucket: the outbox event its expiry marker's claim names (undefined: not reminded). */
async function reminderOf(memberId: string, bucket: string, currency = 'points') {
  return eventNamedBy(keys.member.expiryMarker(memberId, currency, bucket), 'reminderEventId');
}

/** The detail consumers get: the outbox adds the event id and time to the fields the job always published. */
function delivered(detail: Record<string, unknown>, occurredAt: string) {
  return { detailType: 'PointsExpiringSoon', detail: { version: 1, ...detail, eventId: expect.any(String), occurredAt } };
}

describe('expiry reminders', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reminds each wallet once of the points it is about to lose, even when two runs race', async () => {
    // Prepare: 2017-02 points expire on 2017-03-01, within 30 days of 2017-02-10; 2017-04 points do not
    const partlySpent = await member('rem-a', [{ points: 100, bucket: '2017-02' }, { points: 30, spend: true }]);
    const twoBuckets = await member('rem-b', [{ points: 50, bucket: '2017-02' }, { points: 80, bucket: '2017-04' }]);
    const laterOnly = await member('rem-c', [{ points: 40, bucket: '2017-04' }]);
    const allSpent = await member('rem-d', [{ points: 20, bucket: '2017-02' }, { points: 20, spend: true }]);
    const miles = await member('rem-e', [{ points: 15, bucket: '2017-02', currency: 'partner-miles' }]);
    const now = new Date('2017-02-10T01:00:00Z');

    // Act
    const runs = await Promise.all([runExpiryReminderJob({ now }), runExpiryReminderJob({ now })]);
    const rerun = await runExpiryReminderJob({ now: new Date('2017-02-11T01:00:00Z') });

    // Assess: one reminder per wallet with points in the bucket, none for the rest
    const at = now.toISOString();
    expect(await reminderOf(partlySpent, '2017-02')).toEqual(
      delivered({ memberId: partlySpent, currency: 'points', bucket: '2017-02', points: 70, expiresAt: '2017-03-01T00:00:00.000Z' }, at),
    );
    expect(await reminderOf(twoBuckets, '2017-02')).toEqual(
      delivered({ memberId: twoBuckets, currency: 'points', bucket: '2017-02', points: 50, expiresAt: '2017-03-01T00:00:00.000Z' }, at),
    );
    expect(await reminderOf(miles, '2017-02', 'partner-miles')).toEqual(
      delivered({ memberId: miles, currency: 'partner-miles', bucket: '2017-02', points: 15, expiresAt: '2017-03-01T00:00:00.000Z' }, at),
    );
    expect(await reminderOf(allSpent, '2017-02')).toBeUndefined();
    for (const m of [twoBuckets, laterOnly]) expect(await reminderOf(m, '2017-04')).toBeUndefined();
    // Both runs counted only the claims they won: three reminders between them (others' wallets may add to it).
    expect(runs.reduce((sum, r) => sum + r.walletsReminded, 0)).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.complete === 1 && r.bucketsChecked === 1)).toBe(true);
    expect(rerun).toMatchObject({ walletsReminded: 0, complete: 1 });
    expect(rerun.alreadyReminded).toBeGreaterThanOrEqual(3);
  });

  it('reminds once the bucket comes within the lead time, not before', async () => {
    // Prepare: 2017-03 points expire on 2017-04-01
    const memberId = await member('rem-window', [{ points: 60, bucket: '2017-03' }]);

    // Act
    const early = await runExpiryReminderJob({ now: new Date('2017-03-01T23:59:59Z'), leadDays: 30 });
    const earlyReminder = await reminderOf(memberId, '2017-03');
    const due = await runExpiryReminderJob({ now: new Date('2017-03-02T00:00:00Z'), leadDays: 30 });

    // Assess
    expect(early.bucketsChecked).toBe(0); // 2017-03 expires 30 days and 1 s later: not yet
    expect(earlyReminder).toBeUndefined();
    expect(due.bucketsChecked).toBe(1);
    expect((await reminderOf(memberId, '2017-03'))?.detail).toMatchObject({ memberId, points: 60 });
  });

  it('claims a reminder and writes its event in one transaction: a failed write leaves neither, and the next run reminds', async () => {
    // Prepare: the table refuses the run's transactions (as a throttled or failing DynamoDB would)
    const memberId = await member('rem-retry', [{ points: 25, bucket: '2017-01' }]);
    const now = new Date('2017-01-10T00:00:00Z');
    const send = db().send.bind(db());
    const refused = vi.spyOn(db(), 'send').mockImplementation(((command: unknown) => {
      if (command instanceof TransactWriteCommand) return Promise.reject(Object.assign(new Error('table unavailable'), { name: 'InternalServerError' }));
      return send(command as never);
    }) as never);

    // Act: a run while the writes fail, then one when they are back
    const failed = await runExpiryReminderJob({ now }).then(
      () => undefined,
      (error: Error) => error,
    );
    const { PK, SK } = keys.member.expiryMarker(memberId, 'points', '2017-01');
    const afterFailure = await db().send(new GetCommand({ TableName: tableName(), Key: { PK, SK }, ConsistentRead: true }));
    refused.mockRestore();
    await runExpiryReminderJob({ now });

    // Assess: the failed run left no claim (so no reminder was lost), the next one wrote claim and event
    expect(failed?.message).toBe('table unavailable');
    expect(afterFailure.Item).toMatchObject({ entity: 'ExpiryMarker' });
    expect(afterFailure.Item).not.toHaveProperty('remindedAt');
    expect(await reminderOf(memberId, '2017-01')).toEqual(
      delivered({ memberId, currency: 'points', bucket: '2017-01', points: 25, expiresAt: '2017-02-01T00:00:00.000Z' }, now.toISOString()),
    );
  });
});
