/**
 * Supplier adapters: one interface, one adapter per supplier. The fulfilment
 * function calls `adapterFor(order.supplier.supplierId).submit(...)` for each
 * OrderPlaced event of supplier goods. Submission is idempotent: our order id
 * is the supplier's idempotency reference, so an event delivered twice (or a
 * retried invocation) never orders twice; the second answer is `duplicate: true`.
 *
 * Errors: SupplierRejectedError = the supplier refused for good (mark the order
 * rejected, do not retry); SupplierUnavailableError = try again later (let the
 * invocation fail so EventBridge/Lambda retries it). Configuration: config.ts.
 */
import { supplierEndpoint } from './config.js';
import { JdAdapter } from './jd.js';
import { TmallAdapter } from './tmall.js';

export { SupplierRejectedError, SupplierUnavailableError } from './errors.js';

export interface SupplierOrder {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly productName: string;
}

export interface SubmitResult {
  readonly supplierOrderRef: string;
  readonly duplicate: boolean;
}

export interface SupplierAdapter {
  readonly supplierId: string;
  /**
   * How long after a submission the supplier's first callback is due: past it the order is listed as stuck
   * (GET /v1/admin/fulfilment/problems). SUPPLIER_ENDPOINTS' `callbackDeadlineMinutes` overrides it per supplier.
   */
  readonly callbackDeadlineMinutes: number;
  submit(order: SupplierOrder): Promise<SubmitResult>;
}

/** Every supplier with an adapter. Adding one: a module like jd.ts, an entry here (see docs/operations.md). */
const factories: Record<string, () => SupplierAdapter> = {
  jd: () => new JdAdapter(),
  tmall: () => new TmallAdapter(),
};

/** The supplier ids that have an adapter. */
export const supportedSuppliers: readonly string[] = Object.keys(factories);

const adapters = new Map<string, SupplierAdapter>();

/** The adapter of a supplier (one per process); throws for a supplier without one. */
export function adapterFor(supplierId: string): SupplierAdapter {
  let adapter = adapters.get(supplierId);
  if (!adapter) {
    const create = Object.hasOwn(factories, supplierId) ? factories[supplierId] : undefined;
    if (!create) throw new Error(`no adapter for supplier "${supplierId}"; known: ${supportedSuppliers.join(', ')}`);
    adapter = create();
    adapters.set(supplierId, adapter);
  }
  return adapter;
}

/** Minutes a supplier's first callback may take after a submission: its SUPPLIER_ENDPOINTS entry's, else its adapter's default. */
export function callbackDeadlineMinutes(supplierId: string): number {
  return supplierEndpoint(supplierId).callbackDeadlineMinutes ?? adapterFor(supplierId).callbackDeadlineMinutes;
}
