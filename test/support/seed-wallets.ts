/**
 * Bulk seeding of wallets for scale tests and the expiry benchmark: writes,
 * with BatchWriteItem, exactly the items `ledger.commit` leaves after EARN
 * credits into a fresh wallet (`newWalletItem`): the wallet with its counters,
 * bucket attributes and last activity (LastActivity index keys), one ledger
 * entry per credit, one expiry marker per dated bucket.
 * Every key and counter comes from the same builders the ledger uses (keys,
 * moveEffect, bucketAttribute), never from hand-written strings.
 *
 * It skips the ledger's conditions and transactions, so it is only for fresh
 * member ids in a test table. No vitest import: bin/bench-expiry.ts uses it too.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { NEVER_EXPIRES } from '../../shared/domain/fifo.js';
import { activityMonth, countsAsActivity } from '../../shared/domain/inactivity.js';
import { moveEffect } from '../../shared/domain/ledger-moves.js';
import { mapWithConcurrency } from '../../shared/jobs/pool.js';
import { type LedgerEntry } from '../../shared/ledger/ledger.js';
import { DEFAULT_CURRENCY, bucketAttribute, newWalletItem } from '../../shared/ledger/wallet-item.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';

export interface SeedCredit {
  /** Expiry bucket `YYYY-MM` (or `9999-12`). */
  readonly bucket: string;
  readonly points: number;
  readonly reason?: string;
}

export interface SeedWallet {
  readonly memberId: string;
  /** `points` when omitted. */
  readonly currency?: string;
  /** EARN credits, applied in order. */
  readonly credits: readonly SeedCredit[];
}

const BATCH_SIZE = 25; // the BatchWriteItem limit
const nextUlid = monotonicFactory();

/** The items a fresh wallet plus EARN commits of `credits` would hold: wallet, ledger entries, expiry markers. */
export function seededWalletItems(wallet: SeedWallet, now: Date): Record<string, unknown>[] {
  const { memberId } = wallet;
  const currency = wallet.currency ?? DEFAULT_CURRENCY;
  const at = now.toISOString();
  const item: Record<string, unknown> = newWalletItem(memberId, currency, now);
  const counter = (name: string) => Number(item[name] ?? 0);
  const out: Record<string, unknown>[] = [];
  const markers = new Map<string, Record<string, unknown>>();
  for (const credit of wallet.credits) {
    const effect = moveEffect('EARN', credit.points);
    const entry: LedgerEntry = {
      // Ids as commit makes them: never older than the clock, so later moves sort after.
      id: nextUlid(Math.max(Date.now(), now.getTime())),
      memberId,
      currency,
      type: 'EARN',
      points: effect.available,
      heldDelta: effect.held,
      pendingDelta: effect.pending,
      reason: credit.reason ?? 'seeded credit',
      bucket: credit.bucket,
      at,
    };
    out.push({ ...keys.member.ledgerEntry(memberId, currency, entry.id), entity: 'LedgerEntry', ...entry });
    for (const name of ['available', 'held', 'pending', 'debited', 'spent', 'expired', 'lifetimeEarned'] as const) {
      item[name] = counter(name) + effect[name];
    }
    const attribute = bucketAttribute(credit.bucket);
    item[attribute] = counter(attribute) + effect.bucketCredit;
    item.lastEntryId = entry.id;
    item.updatedAt = at;
    if (countsAsActivity('EARN') && currency === DEFAULT_CURRENCY) {
      item.activeMonth = activityMonth(at);
      Object.assign(item, keys.member.activityEntry(memberId, currency, activityMonth(at)));
    }
    if (credit.bucket !== NEVER_EXPIRES) {
      markers.set(credit.bucket, {
        ...keys.member.expiryMarker(memberId, currency, credit.bucket),
        entity: 'ExpiryMarker',
        memberId,
        currency,
        bucket: credit.bucket,
      });
    }
  }
  return [item, ...out, ...markers.values()];
}

/** Writes `items` with BatchWriteItem, 25 at a time, `concurrency` batches in flight, retrying unprocessed items. */
export async function batchPut(items: readonly Record<string, unknown>[], concurrency = 8): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE));
  await mapWithConcurrency(batches, concurrency, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt += 1) {
      if (attempt > 10) throw new Error('BatchWriteItem kept leaving items unprocessed');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      const result = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (result.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  });
}


/** Seeds `wallets` (fresh member ids) as if each had been created and credited through the ledger. */
export async function seedWallets(
  wallets: readonly SeedWallet[],
  options: { now?: Date; concurrency?: number } = {},
): Promise<{ items: number }> {
  const now = options.now ?? new Date();
  const items = wallets.flatMap((w) => seededWalletItems(w, now));
  await batchPut(items, options.concurrency);
  return { items: items.length };
}
