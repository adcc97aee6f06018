import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { commit } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { registerMember } from '../../shared/members/service.js';
import { POS_STORE_CACHE_MS, storeOfPosCaller } from '../../shared/stores/pos-store.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys, type ItemKey } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;
let store1: string;
let store2: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
  store1 = await api.registerStore('store1');
  store2 = await api.registerStore('store2');
});

interface StoreView {
  storeId: string;
  name: string;
  status: string;
  clientIds: string[];
  version: number;
  updatedBy: string;
  changes?: { version: number; action: string; by: string; changes: Record<string, { from: string | null; to: string | null }>; clientIdsAdded: string[]; clientIdsRemoved: string[] }[];
}

async function readItem(key: ItemKey): Promise<Record<string, unknown> | undefined> {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
}

/** A registered member holding `points`. */
async function memberWith(points: number): Promise<string> {
  const memberId = uniqueId('st-m');
  await registerMember(memberId, {});
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return memberId;
}

const purchaseAt = (storeId: string, memberId: string, yuan = 100) => ({
  purchaseId: uniqueId('st-p'),
  memberId,
  storeId,
  paidAt: new Date().toISOString(),
  lines: [{ sku: 'sku-1', category: 'A', amountCents: yuan * 100, quantity: 1 }],
});

/** Wallet, ledger length and a purchase record as they are, to compare after a refusal. */
async function state(memberId: string, purchaseId?: string) {
  return {
    wallet: await getWallet(memberId, 'points'),
    entries: (await allLedgerEntries(memberId, 'points')).length,
    purchase: purchaseId ? await readItem(keys.purchase(purchaseId)) : undefined,
  };
}

/** A fresh store with its local POS client bound: answers its id and POS token. */
async function freshStore(): Promise<{ storeId: string; pos: string }> {
  const storeId = uniqueId('st');
  return { storeId, pos: await api.registerStore(storeId) };
}

describe('store registry', () => {
  it('registers a store once: the same request answers 200, another body or a client of another store 409', async () => {
    // Prepare
    const storeId = uniqueId('st');
    const body = { storeId, name: 'Riverside store', clientIds: [`pos-${storeId}`, `pos-${storeId}-2`] };

    // Act
    const first = await api.call<StoreView>('POST', '/v1/admin/stores', { token: admin, body });
    const again = await api.call<StoreView>('POST', '/v1/admin/stores', { token: admin, body: { ...body, clientIds: [...body.clientIds].reverse() } });
    const renamed = await api.call('POST', '/v1/admin/stores', { token: admin, body: { ...body, name: 'Another name' } });
    const stealing = await api.call('POST', '/v1/admin/stores', { token: admin, body: { storeId: uniqueId('st'), name: 'Thief', clientIds: ['pos-store1'] } });
    const view = await api.call<StoreView>('GET', `/v1/admin/stores/${storeId}`, { token: admin });

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ storeId, name: 'Riverside store', status: 'ACTIVE', version: 1, clientIds: [...body.clientIds].sort() });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(renamed.status).toBe(409);
    expect(stealing.status).toBe(409);
    expect(stealing.body).toMatchObject({ code: 'CONFLICT', boundTo: 'store1' });
    expect(view.body.changes).toEqual([
      expect.objectContaining({ version: 1, action: 'CREATE', by: 'operator-1', clientIdsAdded: [...body.clientIds].sort() }),
    ]);
  });

  it('lists the stores a page at a time', async () => {
    // Prepare
    await freshStore();
    await freshStore();

    // Act
    const first = await api.call<{ items: StoreView[]; nextCursor: string | null }>('GET', '/v1/admin/stores?limit=1', { token: admin });
    const second = await api.call<{ items: StoreView[]; nextCursor: string | null }>(
      'GET',
      `/v1/admin/stores?limit=1&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
      { token: admin },
    );

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]?.storeId).not.toBe(first.body.items[0]?.storeId);
  });

  it('suspends a store (403 for its POS at once, nothing written), records who did it, and serves it again once resumed', async () => {
    // Prepare
    const { storeId, pos } = await freshStore();
    const memberId = await memberWith(0);
    const before = purchaseAt(storeId, memberId);
    expect((await api.call('POST', '/v1/pos/purchases', { token: pos, body: before })).status).toBe(201);

    // Act
    const suspended = await api.call<StoreView>('PATCH', `/v1/admin/stores/${storeId}`, { token: admin, body: { status: 'SUSPENDED', expectedVersion: 1 } });
    const stale = await api.call('PATCH', `/v1/admin/stores/${storeId}`, { token: admin, body: { status: 'ACTIVE', expectedVersion: 1 } });
    const snapshot = await state(memberId);
    const refusedPurchase = await api.call('POST', '/v1/pos/purchases', { token: pos, body: purchaseAt(storeId, memberId) });
    const refusedReplay = await api.call('POST', '/v1/pos/purchases', { token: pos, body: before });
    const refusedTopUp = await api.call('POST', '/v1/pos/top-ups', { token: pos, body: { topUpId: uniqueId('st-t'), memberId, amountCents: 10_000 } });
    const refusedCoupon = await api.call('POST', '/v1/pos/coupons/cp-unknown/redemptions', {
      token: pos,
      body: { redemptionId: uniqueId('cr'), memberId, orderAmountCents: 1000 },
    });
    const afterRefusals = await state(memberId);
    const resumed = await api.call<StoreView>('PATCH', `/v1/admin/stores/${storeId}`, { token: admin, body: { status: 'ACTIVE' } });
    const served = await api.call('POST', '/v1/pos/purchases', { token: pos, body: purchaseAt(storeId, memberId) });
    const view = await api.call<StoreView>('GET', `/v1/admin/stores/${storeId}`, { token: admin });

    // Assess
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'SUSPENDED', version: 2, updatedBy: 'operator-1' });
    expect(stale.status).toBe(409);
    for (const refused of [refusedPurchase, refusedReplay, refusedTopUp, refusedCoupon]) {
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('suspended') });
    }
    expect(afterRefusals).toEqual(snapshot);
    expect(resumed.body).toMatchObject({ status: 'ACTIVE', version: 3 });
    expect(served.status).toBe(201);
    expect(view.body.changes?.map((c) => [c.version, c.action, c.by, c.changes.status])).toEqual([
      [3, 'UPDATE', 'operator-1', { from: 'SUSPENDED', to: 'ACTIVE' }],
      [2, 'UPDATE', 'operator-1', { from: 'ACTIVE', to: 'SUSPENDED' }],
      [1, 'CREATE', 'operator-1', { from: null, to: 'ACTIVE' }],
    ]);
    await expectLedgerExplainsWallet(memberId);
  });

  it('reaches a function instance that did not make the change within the cache lifetime (5 s)', async () => {
    // Prepare: the caller's binding is in this instance's cache; then another instance suspends the store
    // (written here behind the API's back, so this instance's copy is not forgotten)
    const { storeId, pos } = await freshStore();
    const caller = { subject: `pos-${storeId}`, groups: [], scopes: ['pos'], clientId: `pos-${storeId}` };
    expect(await storeOfPosCaller(caller)).toBe(storeId);
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.store.posClient(`pos-${storeId}`),
        UpdateExpression: 'SET storeStatus = :s',
        ExpressionAttributeValues: { ':s': 'SUSPENDED' },
      }),
    );

    // Act
    const cached = await storeOfPosCaller(caller);
    await new Promise((r) => setTimeout(r, POS_STORE_CACHE_MS + 100));
    const later = await api.call('POST', '/v1/pos/top-ups', { token: pos, body: { topUpId: uniqueId('t'), memberId: 'nobody', amountCents: 100 } });

    // Assess
    expect(cached).toBe(storeId);
    expect(later.status).toBe(403);
  });

  it('refuses a client once unbound and serves it for the store it is bound to next', async () => {
    // Prepare
    const a = await freshStore();
    const b = await freshStore();
    const memberId = await memberWith(0);

    // Act
    const unbound = await api.call<StoreView>('PATCH', `/v1/admin/stores/${a.storeId}`, { token: admin, body: { removeClientIds: [`pos-${a.storeId}`] } });
    const refused = await api.call('POST', '/v1/pos/purchases', { token: a.pos, body: purchaseAt(a.storeId, memberId) });
    const rebound = await api.call<StoreView>('PATCH', `/v1/admin/stores/${b.storeId}`, { token: admin, body: { addClientIds: [`pos-${a.storeId}`] } });
    const forB = await api.call('POST', '/v1/pos/purchases', { token: a.pos, body: purchaseAt(b.storeId, memberId) });

    // Assess
    expect(unbound.body.clientIds).toEqual([]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('bound to no registered store') });
    expect(rebound.body.clientIds).toEqual([`pos-${a.storeId}`, `pos-${b.storeId}`].sort());
    expect(forB.status).toBe(201);
  });
});

describe('a POS acts only for its own store', () => {
  it("refuses a store2 spend of a store1 customer's points: without the member's code there is no spend", async () => {
    // Prepare: member A shops at store1; store2 knows A's member id
    const memberA = await memberWith(1_000);
    const before = await state(memberA);

    // Act
    const withoutCode = await api.call('POST', '/v1/pos/redemptions', { token: store2, body: { redemptionId: uniqueId('rd'), memberId: memberA, points: 500 } });
    const guessedCode = await api.call('POST', '/v1/pos/redemptions', {
      token: store2,
      body: { redemptionId: uniqueId('rd'), memberId: memberA, points: 500, paymentCode: '000000000000000001' },
    });

    // Assess
    expect(withoutCode.status).toBe(400);
    expect(guessedCode.status).toBe(403);
    expect(guessedCode.body).toMatchObject({ code: 'PAYMENT_CODE_INVALID' });
    expect(await state(memberA)).toEqual(before);
  });

  it("refuses store2's refund of store1's purchase (403, points and purchase unchanged); store1 refunds it", async () => {
    // Prepare
    const memberId = await memberWith(0);
    const purchase = purchaseAt('store1', memberId, 200);
    expect((await api.call('POST', '/v1/pos/purchases', { token: store1, body: purchase })).status).toBe(201);
    const before = await state(memberId, purchase.purchaseId);

    // Act
    const refused = await api.call('POST', `/v1/pos/purchases/${purchase.purchaseId}/refunds`, { token: store2, body: { refundId: 'r1', amountCents: 20_000 } });
    const afterRefusal = await state(memberId, purchase.purchaseId);
    const own = await api.call('POST', `/v1/pos/purchases/${purchase.purchaseId}/refunds`, { token: store1, body: { refundId: 'r1', amountCents: 5_000 } });
    const ownReplay = await api.call('POST', `/v1/pos/purchases/${purchase.purchaseId}/refunds`, { token: store1, body: { refundId: 'r1', amountCents: 5_000 } });
    const replayByOther = await api.call('POST', `/v1/pos/purchases/${purchase.purchaseId}/refunds`, { token: store2, body: { refundId: 'r1', amountCents: 5_000 } });

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(afterRefusal).toEqual(before);
    expect(before.wallet.available).toBe(200);
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ pointsClawedBack: 50 });
    expect(ownReplay.body).toEqual(own.body);
    expect(replayByOther.status).toBe(403);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(150);
  });

  it('refuses a purchase store1 reports as storeId store2, and writes nothing', async () => {
    // Prepare
    const memberId = await memberWith(0);
    const purchase = purchaseAt('store2', memberId);

    // Act
    const refused = await api.call('POST', '/v1/pos/purchases', { token: store1, body: purchase });

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('store1') });
    expect(await state(memberId, purchase.purchaseId)).toMatchObject({ wallet: { available: 0 }, entries: 0, purchase: undefined });
    // The store that did make the sale reports it as usual.
    expect((await api.call('POST', '/v1/pos/purchases', { token: store2, body: purchase })).status).toBe(201);
  });

  it("refuses an unregistered store's token on every POS route, and changes nothing", async () => {
    // Prepare
    const stranger = await api.token('pos', uniqueId('store-nowhere'));
    const memberId = await memberWith(500);
    const before = await state(memberId);

    // Act
    const answers = await Promise.all([
      api.call('POST', '/v1/pos/purchases', { token: stranger, body: purchaseAt('store-nowhere', memberId) }),
      api.call('POST', '/v1/pos/top-ups', { token: stranger, body: { topUpId: uniqueId('t'), memberId, amountCents: 10_000 } }),
      api.call('POST', '/v1/pos/redemptions', { token: stranger, body: { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode: await api.paymentCode(memberId) } }),
      api.call('POST', '/v1/pos/purchases/p-unknown/refunds', { token: stranger, body: { refundId: 'r1', amountCents: 100 } }),
      api.call('POST', '/v1/pos/coupons/cp-unknown/redemptions', { token: stranger, body: { redemptionId: uniqueId('cr'), memberId, orderAmountCents: 1000 } }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await state(memberId)).toEqual(before);
  });

  it("records top-ups and checkout redemptions with the caller's store, and replays them", async () => {
    // Prepare
    const memberId = await memberWith(1_000);
    const topUp = { topUpId: uniqueId('t'), memberId, amountCents: 10_000 };
    const redemption = { redemptionId: uniqueId('rd'), memberId, points: 300, paymentCode: await api.paymentCode(memberId) };

    // Act
    const credited = await api.call('POST', '/v1/pos/top-ups', { token: store2, body: topUp });
    const creditedAgain = await api.call('POST', '/v1/pos/top-ups', { token: store2, body: topUp });
    const spent = await api.call('POST', '/v1/pos/redemptions', { token: store2, body: redemption });
    const spentAgain = await api.call('POST', '/v1/pos/redemptions', { token: store2, body: redemption });
    const spentByOther = await api.call('POST', '/v1/pos/redemptions', { token: store1, body: redemption });

    // Assess
    expect(credited.status).toBe(201);
    expect(creditedAgain.body).toEqual(credited.body);
    expect(spent.status).toBe(201);
    expect(spentAgain.status).toBe(201);
    expect(spentAgain.body).toEqual(spent.body);
    // Another store's replay of the id is another request: refused, nothing spent.
    expect(spentByOther.status).toBe(422);
    expect(await readItem(keys.topUp(topUp.topUpId))).toMatchObject({ storeId: 'store2' });
    const record = await readItem(keys.redemption(redemption.redemptionId));
    expect(record).toMatchObject({ storeId: 'store2', points: 300 });
    expect(record).not.toHaveProperty('paymentCode');
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(1_000 + 50 - 300);
  });
});
