/**
 * Demo POS purchases of the demo members over the last 30 days, recorded
 * through the POS path (`recordPurchase`, each as of its own time), so the
 * ledger, the points report and the purchase-time index have history and a
 * what-if replay over a recent period has purchases to replay. Safe on every
 * start: a purchase's id is its member and day, so a start finds the ones
 * recorded before (their stored answers) and adds only the days since.
 */
import { addDays } from '../../shared/domain/draws.js';
import type { PurchaseLine } from '../../shared/domain/earning.js';
import { localDate } from '../../shared/domain/programme.js';
import { DomainError } from '../../shared/errors.js';
import { recordPurchase } from '../../shared/earning/pos.js';
import { stableHash } from '../../shared/table/keys.js';

/** Days before today that have demo purchases. */
export const SEED_PURCHASE_DAYS = 30;

/** Who shops how often (one day in `everyDays`, picked by a hash of member and day) and how much. */
const shoppers = [
  { memberId: 'm1', everyDays: 4, upToYuan: 90 },
  { memberId: 'm-silver', everyDays: 3, upToYuan: 200 },
  { memberId: 'm-gold', everyDays: 2, upToYuan: 400 },
  { memberId: 'm-diamond', everyDays: 5, upToYuan: 600 },
  { memberId: 'm-friend', everyDays: 6, upToYuan: 150 },
] as const;

/** The demo basket of a member on a day: one or two lines, categories A and B (the demo campaign doubles B). */
function basketOf(hash: number, upToYuan: number): PurchaseLine[] {
  const yuan = (n: number) => 20 + (n % Math.max(1, upToYuan - 20));
  const first: PurchaseLine = {
    sku: (hash >>> 9) % 2 ? 'sku-demo-coffee' : 'sku-demo-tea',
    category: (hash >>> 5) % 3 === 0 ? 'B' : 'A',
    amountCents: yuan(hash >>> 3) * 100,
    quantity: 1,
  };
  if ((hash >>> 7) % 3 !== 0) return [first];
  return [first, { sku: 'sku-demo-jacket', category: 'B', amountCents: yuan(hash >>> 11) * 100, quantity: 1 }];
}

/** A demo purchase as the seed records it. */
export interface DemoPurchase {
  readonly purchaseId: string;
  readonly memberId: string;
  readonly storeId: string;
  readonly paidAt: string;
  readonly lines: PurchaseLine[];
}

/**
 * The demo purchases paid on one programme day (the same on every start: each is a hash of member and day). Also
 * read by tests that record the same baskets again (a what-if replay against what a campaign really issues).
 */
export function demoPurchasesOn(day: string): DemoPurchase[] {
  const purchases: DemoPurchase[] = [];
  for (const shopper of shoppers) {
    const hash = stableHash(`${shopper.memberId}#${day}`);
    if (hash % shopper.everyDays !== 0) continue;
    // An afternoon or evening in Asia/Shanghai (06:00-12:00 UTC); on the same day in any zone from UTC-6 to UTC+12.
    const paidAt = new Date(Date.parse(`${day}T06:00:00Z`) + ((hash >>> 16) % 360) * 60_000);
    if (localDate(paidAt) !== day) continue;
    purchases.push({
      purchaseId: `p-seed-${shopper.memberId}-${day}`,
      memberId: shopper.memberId,
      storeId: (hash >>> 13) % 5 === 0 ? 'store2' : 'store1',
      paidAt: paidAt.toISOString(),
      lines: basketOf(hash, shopper.upToYuan),
    });
  }
  return purchases;
}

/** Records the demo purchases of the last SEED_PURCHASE_DAYS days (not today); answers each one's id and programme day. */
export async function seedPastPurchases(now: Date): Promise<{ purchaseId: string; day: string }[]> {
  const today = localDate(now);
  const seeded: { purchaseId: string; day: string }[] = [];
  for (let back = SEED_PURCHASE_DAYS; back >= 1; back -= 1) {
    const day = addDays(today, -back);
    for (const purchase of demoPurchasesOn(day)) {
      try {
        // As recorded then: the ledger entry, the daily caps' day and the points report fall on the purchase's day.
        await recordPurchase(purchase, new Date(Date.parse(purchase.paidAt) + 2 * 60_000));
        seeded.push({ purchaseId: purchase.purchaseId, day });
      } catch (error) {
        // A purchase recorded by an older seed with other lines keeps its first record.
        if (!(error instanceof DomainError && (error.code === 'CONFLICT' || error.code === 'IDEMPOTENCY_KEY_REUSED'))) throw error;
      }
    }
  }
  return seeded;
}
