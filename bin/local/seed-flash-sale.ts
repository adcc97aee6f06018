/**
 * A flash sale on now, so the console's sale monitor (Products → a product →
 * Sale monitor) shows something at once: a points+cash smart watch in the
 * `flash-sale` zone, 1 per member, on sale from a few minutes ago for a day
 * (a later start whose window has passed moves it to now again), and a burst
 * of demo redemptions at each start by the demo buyers `m-flash-1` ..
 * `m-flash-8`: their first start buys a unit each, later starts are refused
 * LIMIT_REACHED, and `m-flash-poor` is refused INSUFFICIENT_POINTS. Orders
 * and refusals go through the same code and counters as the API's.
 */
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { DomainError } from '../../shared/errors.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { commit } from '../../shared/ledger/ledger.js';
import { createProduct, getProduct, updateProduct } from '../../shared/mall/catalogue.js';
import { placeOrder } from '../../shared/mall/orders.js';
import { flushRefusals, isRefusalReason, recordRefusal } from '../../shared/mall/sale-stats.js';
import { registerMember } from '../../shared/members/service.js';

export const DEMO_FLASH_SALE_PRODUCT_ID = 'p-flash-watch';
export const DEMO_FLASH_BUYERS = Array.from({ length: 8 }, (_, i) => `m-flash-${i + 1}`);
export const DEMO_FLASH_POOR_MEMBER = 'm-flash-poor';

const SALE_LENGTH_MS = 24 * 3600_000;

async function ensureProductOnSale(now: Date): Promise<void> {
  const startsAt = new Date(now.getTime() - 10 * 60_000).toISOString();
  const endsAt = new Date(now.getTime() + SALE_LENGTH_MS).toISOString();
  try {
    await createProduct(
      {
        productId: DEMO_FLASH_SALE_PRODUCT_ID,
        name: 'Smart watch flash sale (points + cash, 1 per member)',
        description: 'Demo flash sale: open its Sale monitor tab in the console.',
        type: 'PHYSICAL',
        zone: 'flash-sale',
        pricePoints: 8000,
        pointsCash: { points: 4000, cashCents: 19_900 },
        visibleToTiers: null,
        limits: { perDay: null, lifetime: 1 },
        saleStartsAt: startsAt,
        saleEndsAt: endsAt,
        supplier: null,
        couponTemplateId: null,
        status: 'ACTIVE',
        sortOrder: 5,
        stockShards: 4,
        initialStock: 12,
      },
      now,
    );
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
    // Created by an earlier start: keep it on sale now.
    const product = await getProduct(DEMO_FLASH_SALE_PRODUCT_ID, { fresh: true });
    if (product.saleEndsAt && Date.parse(product.saleEndsAt) <= now.getTime() + 3600_000) {
      await updateProduct(DEMO_FLASH_SALE_PRODUCT_ID, { expectedVersion: product.version, saleStartsAt: startsAt, saleEndsAt: endsAt }, now);
    }
  }
}

async function credit(memberId: string, points: number, now: Date): Promise<void> {
  await registerMember(memberId, { tier: 'normal' }, now);
  const key = `${memberId}:flash-credit`;
  await commit({
    moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(now, 12), reason: 'demo points for the flash sale' }],
    idempotency: { scope: 'seed', key, fingerprint: fingerprintOf(key) },
    response: () => ({ status: 200, body: { seeded: key } }),
    now,
  });
}

/** One redemption as the orders function makes it; a refusal is counted for the monitor as the function counts it. */
async function tryOrder(memberId: string, now: Date): Promise<void> {
  const body = { productId: DEMO_FLASH_SALE_PRODUCT_ID, quantity: 1, payment: 'POINTS' as const };
  try {
    await placeOrder({
      memberId,
      ...body,
      idempotency: { scope: `${memberId}:placeOrder`, key: `seed-flash-${now.toISOString()}`, fingerprint: fingerprintOf(body) },
      now,
    });
  } catch (error) {
    if (!(error instanceof DomainError && isRefusalReason(error.code))) throw error;
    recordRefusal(DEMO_FLASH_SALE_PRODUCT_ID, error.code, now);
  }
}

export async function seedFlashSale(now: Date): Promise<void> {
  await ensureProductOnSale(now);
  for (const memberId of DEMO_FLASH_BUYERS) await credit(memberId, 20_000, now);
  await credit(DEMO_FLASH_POOR_MEMBER, 100, now);
  for (const memberId of [...DEMO_FLASH_BUYERS, DEMO_FLASH_POOR_MEMBER]) await tryOrder(memberId, now);
  await flushRefusals({ now, force: true });
}
