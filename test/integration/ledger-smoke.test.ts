import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { commit } from '../../shared/ledger/ledger.js';
import { getWallet, listLedger } from '../../shared/ledger/reader.js';
import { registerMember } from '../../shared/members/service.js';
import { testPage } from '../support/api.js';

describe('ledger smoke', () => {
  it('earns and spends', async () => {
    const memberId = `m-${ulid()}`;
    await registerMember(memberId, {});
    await commit({ moves: [{ memberId, type: 'EARN', points: 100, bucket: '2027-11', reason: 'test' }] });
    await commit({ moves: [{ memberId, type: 'SPEND', points: 30, reason: 'test' }] });
    await expect(commit({ moves: [{ memberId, type: 'SPEND', points: 300, reason: 'test' }] })).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    const wallet = await getWallet(memberId, 'points');
    expect(wallet.available).toBe(70);
    const page = await listLedger(memberId, 'points', testPage(10));
    expect(page.items.map((i) => i.balanceAfter)).toEqual([70, 100]);
  });
});
