/**
 * Demo work for the console's Fulfilment screen: a member's JD orders in each
 * state an operator acts on — one whose submission failed for good (FAILED:
 * the points went back), one submitted long ago that never heard back from JD
 * (STUCK: its callback deadline has passed), and an open dead letter of a
 * third order's submission (JD was down), which an operator may redrive.
 * Seeded once: the dead letter's fixed id marks it done.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordDeadLetter } from '../../shared/events/dead-letters.js';
import { commit } from '../../shared/ledger/ledger.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { placeOrder, readOrder, unwind } from '../../shared/mall/orders.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';

export const DEMO_DEAD_LETTER_ID = 'seed-jd-outage';
export const DEMO_FULFILMENT_MEMBER = 'm-fulfil';
const PRODUCT = 'p-headphones';

async function demoOrder(n: number, now: Date): Promise<string> {
  const key = `seed-fulfilment-${n}`;
  const outcome = await placeOrder({
    memberId: DEMO_FULFILMENT_MEMBER,
    productId: PRODUCT,
    quantity: 1,
    payment: 'POINTS',
    idempotency: { scope: 'seed:placeOrder', key, fingerprint: fingerprintOf(key) },
    now,
  });
  return String((outcome.response?.body as { orderId?: string } | undefined)?.orderId);
}

export async function seedFulfilment(now: Date): Promise<void> {
  const done = await db().send(new GetCommand({ TableName: tableName(), Key: keys.deadLetter.item(DEMO_DEAD_LETTER_ID) }));
  if (done.Item) return;
  await registerMember(DEMO_FULFILMENT_MEMBER, {}, now);
  await commit({ moves: [{ memberId: DEMO_FULFILMENT_MEMBER, type: 'EARN', points: 40_000, bucket: `${now.getUTCFullYear() + 1}-12`, reason: 'welcome bonus' }], now });

  // FAILED: JD refused the order for good; the points, stock and limit went back.
  const failed = await readOrder(await demoOrder(1, now));
  if (failed?.status === 'PLACED') {
    await unwind(failed, 'FAILED', 'jd refused the order: HTTP 400 sku 100012043978 is not sold in the delivery region', {
      now,
      listAs: keys.fulfilment.failedEntry('jd', now.toISOString(), failed.orderId),
    });
  }

  // STUCK: submitted three hours ago, JD's deadline (two hours) passed without a callback.
  const stuckId = await demoOrder(2, now);
  const submittedAt = new Date(now.getTime() - 3 * 3_600_000).toISOString();
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order.item(stuckId),
      UpdateExpression: 'SET #status = :submitted, history = list_append(history, :entry), updatedAt = :at, GSI2PK = :pk, GSI2SK = :sk ADD messages :msg',
      ConditionExpression: '#status = :placed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':submitted': 'SUBMITTED',
        ':placed': 'PLACED',
        ':entry': [{ status: 'SUBMITTED', at: submittedAt, reason: 'submitted to jd (ref JD900000000001)' }],
        ':at': submittedAt,
        ':msg': new Set(['submitted:JD900000000001']),
        ...(() => {
          const entry = keys.fulfilment.awaitingEntry('jd', new Date(now.getTime() - 3_600_000).toISOString(), stuckId);
          return { ':pk': entry.GSI2PK, ':sk': entry.GSI2SK };
        })(),
      },
    }),
  );

  // An open dead letter: the submission of a third order failed while JD was down.
  const waiting = await readOrder(await demoOrder(3, now));
  if (!waiting) return;
  await recordDeadLetter(
    {
      deadLetterId: DEMO_DEAD_LETTER_ID,
      target: 'supplier-jd-placed',
      event: {
        detailType: 'OrderPlaced',
        detail: {
          orderId: waiting.orderId,
          memberId: waiting.memberId,
          productId: waiting.productId,
          productType: waiting.productType,
          quantity: waiting.quantity,
          payment: waiting.payment,
          points: waiting.points,
          cashCents: waiting.cashCents,
          status: 'PLACED',
          supplier: waiting.supplier,
          eventId: `seed-${waiting.orderId}`,
          version: 1,
          occurredAt: now.toISOString(),
        },
      },
      error: 'SupplierUnavailableError: jd is unavailable: HTTP 503',
      attempts: 3,
      payload: { 'detail-type': 'OrderPlaced', source: 'points-mall', detail: { orderId: waiting.orderId, supplier: waiting.supplier } },
      failedAt: new Date(now.getTime() - 20 * 60_000),
    },
    now,
  );
}
