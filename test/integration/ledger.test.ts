import { describe, expect, it } from 'vitest';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { getWallet, listLedger } from '../../shared/ledger/reader.js';
import { walletView } from '../../shared/ledger/wallet-item.js';
import { registerMember } from '../../shared/members/service.js';
import { testPage, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

async function newMemberWith(points: number, bucket = '2027-11'): Promise<string> {
  const memberId = uniqueId('ledger');
  await registerMember(memberId, {});
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket, reason: 'seed' }] });
  return memberId;
}

describe('points ledger on DynamoDB Local', () => {
  it('never drives available below zero under 200 concurrent spends', async () => {
    // Prepare: 1,000 points, 200 spends of 7 (1,400 asked for)
    const memberId = await newMemberWith(1000);

    // Act: 200 clients at once; like real clients, each retries a retryable CONFLICT (the ledger's answer
    // when a wallet is contended beyond its retry budget, e.g. on a loaded machine) with the same idempotency key.
    const spend = async (i: number) => {
      const key = `spend-${i}`;
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await commit({
            moves: [{ memberId, type: 'SPEND', points: 7, reason: 'concurrent spend', ref: key }],
            idempotency: { scope: `test:${memberId}`, key, fingerprint: fingerprintOf(key) },
            response: () => ({ status: 201, body: { key } }),
          });
        } catch (error) {
          if ((error as { code?: string }).code !== 'CONFLICT' || attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => spend(i)));

    // Assess
    const accepted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code);
    expect(accepted).toBe(Math.floor(1000 / 7));
    expect(new Set(refused)).toEqual(new Set(['INSUFFICIENT_POINTS']));
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(1000 - 7 * accepted);
    expect(entries.filter((e) => e.type === 'SPEND')).toHaveLength(accepted);
  });

  it('lists balanceAfter in commit order across pages', async () => {
    const memberId = await newMemberWith(100);
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        commit({ moves: [{ memberId, type: i % 2 ? 'SPEND' : 'EARN', points: 3, bucket: '2027-12', reason: 'mixed' } as LedgerMove] }),
      ),
    );
    const lines = [];
    let cursor: string | undefined;
    do {
      const page = await listLedger(memberId, 'points', testPage(7, cursor));
      lines.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(lines).toHaveLength(31);
    // Oldest first: each balanceAfter is the previous one plus the entry's points, never negative.
    const oldestFirst = [...lines].reverse();
    let balance = 0;
    for (const line of oldestFirst) {
      balance += line.points;
      expect(line.balanceAfter).toBe(balance);
      expect(line.balanceAfter).toBeGreaterThanOrEqual(0);
    }
    expect(balance).toBe((await getWallet(memberId, 'points')).available);
  });

  it('applies a repeated idempotency key once and replays the first answer', async () => {
    const memberId = await newMemberWith(500);
    const spec = { scope: `test:${memberId}`, key: 'spend-key-1', fingerprint: fingerprintOf({ points: 120 }) };
    const spend = () =>
      commit({
        moves: [{ memberId, type: 'SPEND', points: 120, reason: 'idempotent spend' }],
        idempotency: spec,
        response: (entries) => ({ status: 201, body: { entryId: entries[0]?.id } }),
      });

    const outcomes = await Promise.all([spend(), spend(), spend(), spend(), spend()]);
    const again = await spend();

    const first = outcomes.find((o) => !o.replayed);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(again.replayed).toBe(true);
    for (const o of [...outcomes, again]) expect(o.response).toEqual(first?.response);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(380);
  });

  it('refuses a reused key with another body and changes nothing', async () => {
    const memberId = await newMemberWith(500);
    const base = { scope: `test:${memberId}`, key: 'spend-key-2' };
    await commit({
      moves: [{ memberId, type: 'SPEND', points: 100, reason: 'first' }],
      idempotency: { ...base, fingerprint: fingerprintOf({ points: 100 }) },
      response: () => ({ status: 201, body: {} }),
    });
    await expect(
      commit({
        moves: [{ memberId, type: 'SPEND', points: 200, reason: 'second' }],
        idempotency: { ...base, fingerprint: fingerprintOf({ points: 200 }) },
        response: () => ({ status: 201, body: {} }),
      }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await getWallet(memberId, 'points')).available).toBe(400);
  });

  it('moves points through hold, capture, release and refund', async () => {
    const memberId = await newMemberWith(1000);
    await commit({ moves: [{ memberId, type: 'HOLD', points: 400, reason: 'order o1' }] });
    await commit({ moves: [{ memberId, type: 'HOLD', points: 300, reason: 'bid b1' }] });
    await commit({ moves: [{ memberId, type: 'CAPTURE', points: 400, reason: 'order o1 paid' }] });
    await commit({ moves: [{ memberId, type: 'RELEASE', points: 300, bucket: '2027-12', reason: 'outbid' }] });
    await expect(commit({ moves: [{ memberId, type: 'CAPTURE', points: 1, reason: 'nothing held' }] })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await commit({ moves: [{ memberId, type: 'REFUND', points: 400, bucket: '2027-12', reason: 'order o1 refunded' }] });
    await expect(
      commit({ moves: [{ memberId, type: 'REFUND', points: 1, bucket: '2027-12', reason: 'more than spent' }] }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet).toMatchObject({ available: 1000, held: 0, debited: 0 });
  });

  it('spends the soonest-expiring points first', async () => {
    const memberId = await newMemberWith(100, '2027-01');
    await commit({ moves: [{ memberId, type: 'EARN', points: 50, bucket: '2027-06', reason: 'later' }] });
    await commit({ moves: [{ memberId, type: 'SPEND', points: 120, reason: 'spend' }] });
    const view = walletView(await getWallet(memberId, 'points'), []);
    expect(view.expiring).toEqual([{ bucket: '2027-06', points: 30, expiresAt: '2027-07-01T00:00:00.000Z' }]);
  });

  it('credits a second currency in its own wallet', async () => {
    const memberId = await newMemberWith(10);
    await commit({
      moves: [{ memberId, currency: 'partner-miles', type: 'EARN', points: 99, bucket: bucketAfterMonths(new Date(), 24), reason: 'flight' }],
    });
    expect((await getWallet(memberId, 'partner-miles')).available).toBe(99);
    expect((await getWallet(memberId, 'points')).available).toBe(10);
  });

  it('refuses moves for an unregistered member', async () => {
    await expect(
      commit({ moves: [{ memberId: uniqueId('ghost'), type: 'EARN', points: 5, bucket: '2027-01', reason: 'x' }] }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('applies several moves on one wallet in order, in one commit (a paid spin that wins points)', async () => {
    // Prepare: one member with 10 points, one with 9
    const enough = await newMemberWith(10);
    const short = await newMemberWith(9);
    const spin = (memberId: string): LedgerMove[] => [
      { memberId, type: 'SPEND', points: 10, reason: 'spin cost', ref: 'spin-1' },
      { memberId, type: 'EARN', points: 50, bucket: '2027-12', reason: 'spin prize', ref: 'spin-1' },
    ];

    // Act
    const outcome = await commit({ moves: spin(enough) });
    const refused = await commit({ moves: spin(short) }).catch((e: { code?: string; extensions?: unknown }) => e);

    // Assess: the cost is paid before the prize arrives, so 9 points cannot pay it; two entries in order
    expect(outcome.replayed).toBe(false);
    expect(refused).toMatchObject({ code: 'INSUFFICIENT_POINTS', extensions: { requested: 10, available: 9 } });
    const { wallet, entries } = await expectLedgerExplainsWallet(enough);
    expect(wallet.available).toBe(50);
    expect(entries.map((e) => [e.type, e.points])).toEqual([
      ['EARN', 10],
      ['SPEND', -10],
      ['EARN', 50],
    ]);
    expect((await getWallet(short, 'points')).available).toBe(9);
    expect(await listLedger(short, 'points', testPage(10))).toMatchObject({ items: [{ type: 'EARN', points: 9 }] });
  });
});
