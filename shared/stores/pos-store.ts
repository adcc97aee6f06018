/**
 * The POS trust boundary (docs/architecture.md): which store a POS request
 * acts for. The token's app client (`client_id`, the Cognito app client on
 * AWS) is looked up in the store registry's bindings; the binding carries the
 * store's status. Nothing the POS sends names its store: a `storeId` in a
 * body is only compared with the one found here.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TtlCache } from '../config/ttl-cache.js';
import { DomainError } from '../errors.js';
import type { Caller } from '../http/auth.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

/**
 * How long a function instance keeps a client's binding. A suspension, an
 * unbinding or a new binding reaches every instance within this time (the
 * instance that made the change at once); each instance reads a busy
 * client's binding once per period.
 */
export const POS_STORE_CACHE_MS = 5_000;

interface PosClientBinding {
  readonly clientId: string;
  readonly storeId: string;
  readonly storeStatus: string;
}

// Absence is cached too (undefined), so a token of an unbound client costs one read per period, not one per request.
const bindings = new TtlCache<PosClientBinding | undefined>(POS_STORE_CACHE_MS);

async function bindingOf(clientId: string): Promise<PosClientBinding | undefined> {
  const cached = bindings.lookup(clientId);
  if (cached) return cached.value;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.store.posClient(clientId), ConsistentRead: true }));
  const binding = result.Item
    ? { clientId, storeId: String(result.Item.storeId), storeStatus: String(result.Item.storeStatus ?? 'ACTIVE') }
    : undefined;
  bindings.set(clientId, binding);
  return binding;
}

/** Drops this instance's copies of some clients' bindings (after its own change of them). */
export function forgetPosClients(clientIds: readonly string[]): void {
  for (const clientId of clientIds) bindings.delete(clientId);
}

/** Drops every copy (tests that change bindings behind the API's back). */
export function forgetAllPosClients(): void {
  bindings.clear();
}

/**
 * The registered, active store the POS caller acts for. A token without an
 * app client, a client bound to no store, or a suspended store: 403.
 */
export async function storeOfPosCaller(caller: Caller | undefined): Promise<string> {
  const clientId = caller?.clientId;
  if (!clientId) throw new DomainError('FORBIDDEN', 'this POS token names no app client (client_id), so it acts for no store');
  const binding = await bindingOf(clientId);
  if (!binding) {
    throw new DomainError('FORBIDDEN', `POS client ${clientId} is bound to no registered store; an operator binds it with POST or PATCH /v1/admin/stores`);
  }
  if (binding.storeStatus !== 'ACTIVE') throw new DomainError('FORBIDDEN', `store ${binding.storeId} is suspended; its POS calls are refused until an operator resumes it`);
  return binding.storeId;
}

/** Refuses a request about another store than the caller's own. */
export function requireOwnStore(callerStoreId: string, storeId: string, what: string): void {
  if (storeId !== callerStoreId) {
    throw new DomainError('FORBIDDEN', `this POS acts for store ${callerStoreId}; it cannot ${what} of store ${storeId}`);
  }
}
