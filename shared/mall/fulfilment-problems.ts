/**
 * Supplier orders that need an operator's eye, from two sparse GSI2 lists on
 * the order items (never a scan):
 *
 * - FAILED: the supplier refused the order for good (points, stock and cash
 *   were given back), listed by `submitToSupplier`'s unwind, newest first;
 * - STUCK: submitted to the supplier, and its first callback is overdue. A
 *   submission lists the order under its supplier by when that callback is due
 *   (submission + the supplier's `callbackDeadlineMinutes`); the callback's
 *   transition takes it off. The overdue ones are those due before now.
 *
 * Each list has one partition per supplier; without a supplier filter the
 * partitions are merged (shared/table/paging.ts `queryMergedPage`).
 */
import type { PageRequest } from '../table/cursor.js';
import { keys } from '../table/keys.js';
import { queryMergedPage } from '../table/paging.js';
import { knownSenders } from '../webhooks/senders.js';

export type FulfilmentProblemKind = 'FAILED' | 'STUCK';

export interface FulfilmentProblem {
  readonly kind: FulfilmentProblemKind;
  readonly orderId: string;
  readonly memberId: string;
  readonly productId: string;
  readonly productName: string;
  readonly quantity: number;
  readonly supplierId: string;
  readonly sku: string;
  /** The order's status now. */
  readonly status: string;
  /** FAILED: when the supplier refused it; STUCK: when it was submitted. */
  readonly since: string;
  /** STUCK: when the first callback was due. */
  readonly deadlineAt: string | null;
  /** The last reason on the order's history (the supplier's refusal, the submission's reference). */
  readonly reason: string;
  readonly updatedAt: string;
}

interface HistoryEntry {
  readonly status: string;
  readonly at: string;
  readonly reason?: string;
}

function problemOf(kind: FulfilmentProblemKind, item: Record<string, unknown>): FulfilmentProblem {
  const history = (item.history as HistoryEntry[] | undefined) ?? [];
  const supplier = (item.supplier as { supplierId?: string; sku?: string } | undefined) ?? {};
  const sortKey = String(item.GSI2SK ?? '');
  const listedAt = sortKey.slice(0, sortKey.indexOf('#'));
  const submitted = [...history].reverse().find((h) => h.status === 'SUBMITTED');
  return {
    kind,
    orderId: String(item.orderId),
    memberId: String(item.memberId),
    productId: String(item.productId),
    productName: String(item.productName ?? ''),
    quantity: Number(item.quantity ?? 1),
    supplierId: String(supplier.supplierId ?? ''),
    sku: String(supplier.sku ?? ''),
    status: String(item.status),
    since: kind === 'FAILED' ? listedAt : (submitted?.at ?? String(item.updatedAt)),
    deadlineAt: kind === 'STUCK' ? listedAt : null,
    reason: history.at(-1)?.reason ?? '',
    updatedAt: String(item.updatedAt),
  };
}

/** Failed or stuck supplier orders (of one supplier), the most recent first: by failure time, or by the deadline missed. */
export async function listFulfilmentProblems(
  filter: { kind: FulfilmentProblemKind; supplierId?: string | undefined },
  page: PageRequest,
  now = new Date(),
): Promise<{ items: FulfilmentProblem[]; nextCursor: string | null }> {
  const suppliers = filter.supplierId ? [filter.supplierId] : knownSenders.suppliers;
  const partitions = suppliers.map((s) => (filter.kind === 'FAILED' ? keys.fulfilment.failedPartition(s) : keys.fulfilment.awaitingPartition(s)));
  const result = await queryMergedPage(
    {
      indexName: 'GSI2',
      partitionKey: 'GSI2PK',
      sortKey: 'GSI2SK',
      partitions,
      // Awaiting entries sort by their deadline: those below now are overdue.
      upperBound: filter.kind === 'STUCK' ? now.toISOString() : undefined,
    },
    page,
  );
  return { items: result.items.map((item) => problemOf(filter.kind, item)), nextCursor: result.nextCursor };
}
