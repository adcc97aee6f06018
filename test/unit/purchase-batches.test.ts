import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { defaultPosLimits, purchaseAgeViolation } from '../../shared/domain/pos-limits.js';
import { posLimitsSchema } from '../../shared/contracts/earning-rules.js';
import { purchaseBatchInputSchema } from '../../shared/contracts/purchase-batches.js';
import { applyOrder, batchesToRun } from '../../shared/earning/purchase-batches.js';

const DAY = 24 * 3600_000;
const now = new Date('2026-12-05T12:00:00Z');

describe('the age window of offline batches', () => {
  it('lets a purchase paid exactly maxPurchaseAgeDays ago through and refuses one a second older', () => {
    // Act
    const atLimit = purchaseAgeViolation(defaultPosLimits, new Date(now.getTime() - 7 * DAY), now);
    const older = purchaseAgeViolation(defaultPosLimits, new Date(now.getTime() - 7 * DAY - 1000), now);

    // Assess
    expect(atLimit).toBeUndefined();
    expect(older).toEqual({ allowedDays: 7, ageDays: 7 });
  });

  it('defaults maxPurchaseAgeDays to 7 and keeps it within 1-90', () => {
    // Act
    const defaults = posLimitsSchema.parse({});
    const tooLong = posLimitsSchema.safeParse({ maxPurchaseAgeDays: 91 });
    const zero = posLimitsSchema.safeParse({ maxPurchaseAgeDays: 0 });

    // Assess
    expect(defaults.maxPurchaseAgeDays).toBe(7);
    expect(tooLong.success).toBe(false);
    expect(zero.success).toBe(false);
  });
});

describe('the order of a batch', () => {
  const purchase = (seq: number, paidAt: string) => ({ seq, kind: 'purchase' as const, index: seq, purchase: { purchaseId: `p${seq}`, memberId: 'm', storeId: 's', paidAt, lines: [] } });
  const refund = (seq: number, index: number) => ({ seq, kind: 'refund' as const, index, refund: { purchaseId: 'p0', refundId: `r${index}`, amountCents: 1 } });

  it('applies purchases by paidAt (as sent when equal), then refunds as sent', () => {
    // Act
    const order = applyOrder([
      refund(3, 0),
      purchase(0, '2026-12-05T10:00:00Z'),
      purchase(1, '2026-12-05T09:00:00Z'),
      purchase(2, '2026-12-05T09:00:00Z'),
      refund(4, 1),
    ]);

    // Assess
    expect(order.map((e) => e.seq)).toEqual([1, 2, 0, 3, 4]);
  });
});

describe('the batch contract', () => {
  const p = (purchaseId: string) => ({ purchaseId, memberId: 'm', storeId: 's', paidAt: '2026-12-05T10:00:00Z', lines: [{ sku: 'a', category: 'A', amountCents: 1, quantity: 1 }] });

  it('refuses an empty batch, a purchaseId twice and more than 500 items in all', () => {
    // Act
    const empty = purchaseBatchInputSchema.safeParse({ batchId: 'b' });
    const twice = purchaseBatchInputSchema.safeParse({ batchId: 'b', purchases: [p('p1'), p('p1')] });
    const tooMany = purchaseBatchInputSchema.safeParse({
      batchId: 'b',
      purchases: Array.from({ length: 300 }, (_, i) => p(`p${i}`)),
      refunds: Array.from({ length: 201 }, (_, i) => ({ purchaseId: 'p0', refundId: `r${i}`, amountCents: 1 })),
    });
    const fine = purchaseBatchInputSchema.safeParse({ batchId: 'b', refunds: [{ purchaseId: 'p0', refundId: 'r', lines: [{ sku: 'a', quantity: 1 }] }] });

    // Assess
    expect([empty.success, twice.success, tooMany.success, fine.success]).toEqual([false, false, false, true]);
  });
});

describe('the stream records that ask for a run', () => {
  const record = (eventName: 'INSERT' | 'MODIFY', image: Record<string, unknown>, oldSegment?: number): DynamoDBRecord => ({
    eventName,
    dynamodb: {
      NewImage: marshall({ entity: 'PurchaseBatch', storeId: 's1', batchId: 'b1', ...image }) as never,
      ...(oldSegment === undefined ? {} : { OldImage: marshall({ segment: oldSegment }) as never }),
    },
  });

  it('runs a queued batch and a handed-over one, not one its request runs nor a finish', () => {
    // Act
    const asked = [
      batchesToRun([record('INSERT', { state: 'QUEUED', segment: 0 })]),
      batchesToRun([record('INSERT', { state: 'RUNNING', segment: 0 })]),
      batchesToRun([record('MODIFY', { state: 'RUNNING', segment: 2 }, 1)]),
      batchesToRun([record('MODIFY', { state: 'DONE', segment: 2 }, 2)]),
    ];

    // Assess
    expect(asked.map((a) => a.map(({ storeId, batchId }) => `${storeId}/${batchId}`))).toEqual([['s1/b1'], [], ['s1/b1'], []]);
  });
});
