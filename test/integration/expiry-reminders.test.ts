import { afterEach, describe, expect, it } from 'vitest';
import { useLocalEventSink, type DomainEvent } from '../../shared/events/publisher.js';
import { runExpiryReminderJob } from '../../shared/jobs/expiry-reminders.js';
import { commit } from '../../shared/ledger/ledger.js';
import { registerMember } from '../../shared/members/service.js';
import { uniqueId } from '../support/api.js';

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

function capture(): DomainEvent[] {
  const events: DomainEvent[] = [];
  useLocalEventSink(async (batch) => void events.push(...batch));
  return events;
}

function remindersOf(events: readonly DomainEvent[], members: readonly string[]) {
  return events.filter((e) => e.detailType === 'PointsExpiringSoon' && members.includes(String(e.detail.memberId)));
}

describe('expiry reminders', () => {
  afterEach(() => useLocalEventSink(async () => undefined));

  it('reminds each wallet once of the points it is about to lose, even when two runs race', async () => {
    // Prepare: 2017-02 points expire on 2017-03-01, within 30 days of 2017-02-10; 2017-04 points do not
    const events = capture();
    const partlySpent = await member('rem-a', [{ points: 100, bucket: '2017-02' }, { points: 30, spend: true }]);
    const twoBuckets = await member('rem-b', [{ points: 50, bucket: '2017-02' }, { points: 80, bucket: '2017-04' }]);
    const laterOnly = await member('rem-c', [{ points: 40, bucket: '2017-04' }]);
    const allSpent = await member('rem-d', [{ points: 20, bucket: '2017-02' }, { points: 20, spend: true }]);
    const miles = await member('rem-e', [{ points: 15, bucket: '2017-02', currency: 'partner-miles' }]);
    const mine = [partlySpent, twoBuckets, laterOnly, allSpent, miles];
    const now = new Date('2017-02-10T01:00:00Z');

    // Act
    const runs = await Promise.all([runExpiryReminderJob({ now }), runExpiryReminderJob({ now })]);
    const rerun = await runExpiryReminderJob({ now: new Date('2017-02-11T01:00:00Z') });

    // Assess: one reminder per wallet with points in the bucket, none for the rest
    const reminders = remindersOf(events, mine);
    expect(reminders.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        { version: 1, memberId: partlySpent, currency: 'points', bucket: '2017-02', points: 70, expiresAt: '2017-03-01T00:00:00.000Z' },
        { version: 1, memberId: twoBuckets, currency: 'points', bucket: '2017-02', points: 50, expiresAt: '2017-03-01T00:00:00.000Z' },
        { version: 1, memberId: miles, currency: 'partner-miles', bucket: '2017-02', points: 15, expiresAt: '2017-03-01T00:00:00.000Z' },
      ]),
    );
    expect(reminders).toHaveLength(3);
    expect(runs.reduce((sum, r) => sum + r.walletsReminded, 0)).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.complete === 1 && r.bucketsChecked === 1)).toBe(true);
    expect(rerun).toMatchObject({ walletsReminded: 0, complete: 1 });
    expect(rerun.alreadyReminded).toBeGreaterThanOrEqual(3);
  });

  it('reminds once the bucket comes within the lead time, not before', async () => {
    // Prepare: 2017-03 points expire on 2017-04-01
    const events = capture();
    const memberId = await member('rem-window', [{ points: 60, bucket: '2017-03' }]);

    // Act
    const early = await runExpiryReminderJob({ now: new Date('2017-03-01T23:59:59Z'), leadDays: 30 });
    const earlyEvents = remindersOf(events, [memberId]).length;
    const due = await runExpiryReminderJob({ now: new Date('2017-03-02T00:00:00Z'), leadDays: 30 });

    // Assess
    expect(early.bucketsChecked).toBe(0); // 2017-03 expires 30 days and 1 s later: not yet
    expect(earlyEvents).toBe(0);
    expect(due.bucketsChecked).toBe(1);
    expect(remindersOf(events, [memberId]).map((e) => e.detail.points)).toEqual([60]);
  });

  it('gives its claims back when the events cannot be published, so the next run reminds', async () => {
    // Prepare
    const memberId = await member('rem-retry', [{ points: 25, bucket: '2017-01' }]);
    const now = new Date('2017-01-10T00:00:00Z');

    // Act: a run while the bus is down, then one when it is back
    useLocalEventSink(async () => {
      throw new Error('bus unavailable');
    });
    const failed = await runExpiryReminderJob({ now }).then(
      () => undefined,
      (error: Error) => error,
    );
    const events = capture();
    await runExpiryReminderJob({ now });

    // Assess
    expect(failed?.message).toBe('bus unavailable');
    expect(remindersOf(events, [memberId]).map((e) => e.detail)).toEqual([
      { version: 1, memberId, currency: 'points', bucket: '2017-01', points: 25, expiresAt: '2017-02-01T00:00:00.000Z' },
    ]);
  });
});
