import { describe, expect, it } from 'vitest';
import { pointsExpiredEventId, runExpiryJob } from '../../shared/jobs/expiry.js';
import { commit } from '../../shared/ledger/ledger.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { walletView } from '../../shared/ledger/wallet-item.js';
import { registerMember } from '../../shared/members/service.js';
import { uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';
import { outboxEvent } from '../support/outbox.js';

// Buckets far in the past so no other test's points are due when this job runs.
describe('expiry job', () => {
  it('stops at its deadline without losing work, and the next run resumes', async () => {
    // Prepare: points due in 2018-04 (this test runs first: the job state starts empty)
    const memberId = uniqueId('exp-deadline');
    await registerMember(memberId, {});
    await commit({ moves: [{ memberId, type: 'EARN', points: 40, bucket: '2018-04', reason: 'old' }] });

    // Act
    const stopped = await runExpiryJob({ now: new Date('2018-05-02T00:00:00Z'), deadline: Date.now() - 1 });
    const untouched = (await getWallet(memberId, 'points')).available;
    const eventWhenStopped = await outboxEvent(pointsExpiredEventId(memberId, 'points', '2018-04'));
    const resumed = await runExpiryJob({ now: new Date('2018-05-02T00:00:00Z') });

    // Assess: the event is written with the expiry, not before
    expect(stopped).toMatchObject({ complete: 0, pointsExpired: 0 });
    expect(untouched).toBe(40);
    expect(eventWhenStopped).toBeUndefined();
    expect(resumed).toMatchObject({ complete: 1 });
    expect((await getWallet(memberId, 'points')).available).toBe(0);
    expect(await outboxEvent(pointsExpiredEventId(memberId, 'points', '2018-04'))).toMatchObject({ detailType: 'PointsExpired', detail: { memberId, points: 40 } });
  });

  it('expires due buckets once, FIFO, and writes PointsExpired to the outbox with each expiry', async () => {
    // Prepare
    const [a, b, c] = [uniqueId('exp-a'), uniqueId('exp-b'), uniqueId('exp-c')];
    for (const m of [a, b, c]) await registerMember(m, {});
    await commit({ moves: [{ memberId: a, type: 'EARN', points: 100, bucket: '2019-01', reason: 'old' }] });
    await commit({ moves: [{ memberId: a, type: 'SPEND', points: 30, reason: 'spent some' }] });
    await commit({ moves: [{ memberId: b, type: 'EARN', points: 50, bucket: '2019-01', reason: 'old' }] });
    await commit({ moves: [{ memberId: b, type: 'EARN', points: 70, bucket: '2019-03', reason: 'newer' }] });
    await commit({ moves: [{ memberId: c, type: 'EARN', points: 10, bucket: '2019-01', reason: 'old' }] });
    await commit({ moves: [{ memberId: c, type: 'SPEND', points: 10, reason: 'spent all' }] });

    // Act: the job runs on 2019-02-10 (2019-01 is due), then again
    const first = await runExpiryJob({ now: new Date('2019-02-10T00:00:00Z') });
    const second = await runExpiryJob({ now: new Date('2019-02-11T00:00:00Z') });

    // Assess
    expect((await getWallet(a, 'points')).available).toBe(0);
    expect((await getWallet(b, 'points')).available).toBe(70);
    expect((await getWallet(c, 'points')).available).toBe(0);
    expect(first.pointsExpired).toBeGreaterThanOrEqual(120);
    expect(second.pointsExpired).toBe(0);
    // The detail consumers get: the fields the job published before the outbox, plus the outbox envelope.
    const envelope = { eventId: expect.any(String), occurredAt: '2019-02-10T00:00:00.000Z' };
    expect(await outboxEvent(pointsExpiredEventId(a, 'points', '2019-01'))).toEqual({
      detailType: 'PointsExpired',
      detail: { version: 1, memberId: a, currency: 'points', bucket: '2019-01', points: 70, at: '2019-02-10T00:00:00.000Z', ...envelope },
    });
    expect(await outboxEvent(pointsExpiredEventId(b, 'points', '2019-01'))).toEqual({
      detailType: 'PointsExpired',
      detail: { version: 1, memberId: b, currency: 'points', bucket: '2019-01', points: 50, at: '2019-02-10T00:00:00.000Z', ...envelope },
    });
    expect(await outboxEvent(pointsExpiredEventId(c, 'points', '2019-01'))).toBeUndefined(); // nothing left to expire
    for (const m of [a, b, c]) await expectLedgerExplainsWallet(m);
    expect(walletView(await getWallet(b, 'points'), []).expiring).toEqual([{ bucket: '2019-03', points: 70, expiresAt: '2019-04-01T00:00:00.000Z' }]);

    // Act: two runs at once when 2019-03 is due
    const runs = await Promise.all([
      runExpiryJob({ now: new Date('2019-04-10T00:00:00Z') }),
      runExpiryJob({ now: new Date('2019-04-10T00:00:00Z') }),
    ]);

    // Assess: expired once
    const { wallet, entries } = await expectLedgerExplainsWallet(b);
    expect(wallet.available).toBe(0);
    expect(entries.filter((e) => e.type === 'EXPIRE').map((e) => e.points)).toEqual([-50, -70]);
    expect(runs[0].walletsExpired + runs[1].walletsExpired).toBeGreaterThanOrEqual(1);
    expect(await outboxEvent(pointsExpiredEventId(b, 'points', '2019-03'))).toMatchObject({ detail: { memberId: b, bucket: '2019-03', points: 70 } });
  });
});
