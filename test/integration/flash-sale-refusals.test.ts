import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { commit } from '../../shared/ledger/ledger.js';
import { registerMember } from '../../shared/members/service.js';
import { dbCallCounts, resetDbCallCounts } from '../../shared/table/client.js';
import { TestApi, uniqueId } from '../support/api.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

async function member(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('refusal');
  await registerMember(memberId, {});
  await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

function order(token: string, productId: string, key = ulid()) {
  return api.call<{ code?: string; orderId?: string }>('POST', '/v1/orders', { token, body: { productId }, headers: { 'idempotency-key': key } });
}

describe('redemptions without a read of the Idempotency-Key before the transaction', () => {
  it('places an order with one transaction and no read, replays it from the transaction, and still after the sell-out', async () => {
    // Prepare: one unit, and the product read once (the function's copy)
    const productId = uniqueId('refusal-prod');
    const created = await api.call('POST', '/v1/admin/products', {
      token: admin,
      body: { productId, name: 'Last pair', type: 'PHYSICAL', zone: `z-${ulid().toLowerCase().slice(-10)}`, pricePoints: 100, initialStock: 1 },
    });
    expect(created.status).toBe(201);
    const buyer = await member(1_000);
    const late = await member(1_000);
    const key = ulid();

    // Act: the order, then its retry while nothing else changed
    resetDbCallCounts();
    const first = await order(buyer.token, productId, key);
    const placing = dbCallCounts();
    const retry = await order(buyer.token, productId, key);

    // Assess: one transaction, no GetItem of the key (the product came from the function's copy or one read)
    expect(first.status).toBe(201);
    expect(placing.byOperation.TransactWriteItems).toBe(1);
    expect(placing.byOperation.GetItem ?? 0).toBeLessThanOrEqual(1);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.orderId).toBe(first.body.orderId);

    // Act: the product sells out (another member finds every shard empty), then the buyer's retry comes back
    expect((await order(late.token, productId)).body.code).toBe('OUT_OF_STOCK');
    const afterSellOut = await order(buyer.token, productId, key);

    // Assess: the stored 201, not OUT_OF_STOCK
    expect(afterSellOut.status).toBe(201);
    expect(afterSellOut.headers['idempotent-replayed']).toBe('true');
    expect(afterSellOut.body.orderId).toBe(first.body.orderId);

    // A refusal after the sell-out touches no shard and no product: only the read of its own key
    resetDbCallCounts();
    const refused = await order(late.token, productId);
    expect(refused.body.code).toBe('OUT_OF_STOCK');
    const calls = dbCallCounts().byOperation;
    expect(calls.GetItem).toBe(1);
    expect(calls.TransactWriteItems ?? 0).toBe(0);
    expect(calls.BatchGetItem ?? 0).toBe(0);
    // At most the sale monitor's refusal counts, written when the minute turns (shared/mall/sale-stats.ts).
    expect(calls.UpdateItem ?? 0).toBeLessThanOrEqual(1);
  });
});
