/**
 * The store registry (docs/api.md, Stores): the stores a POS may act for,
 * their status, and the POS app clients bound to each. A POS request learns
 * its store from one item, the binding of its app client (`client_id`), which
 * carries a copy of the store's status; every change of a store rewrites the
 * store, the bindings it touches and its change record (who, when, what) in
 * one transaction, so the copies never disagree with the store.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type * as z from '../zod.js';
import type { storeInputSchema, storePatchSchema, storeStatuses } from '../contracts/stores.js';
import { MAX_CLIENTS_PER_STORE } from '../contracts/limits.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { fingerprintOf } from '../ledger/idempotency.js';
import type { TransactItem } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import { forgetPosClients } from './pos-store.js';
import { auditItems, nothingChanged } from '../audit/audit.js';
import { claimRefused } from '../audit/operator-idempotency.js';

export type StoreInput = z.output<typeof storeInputSchema>;
export type StorePatch = z.output<typeof storePatchSchema>;
export type StoreStatus = (typeof storeStatuses)[number];

export interface Store {
  readonly storeId: string;
  readonly name: string;
  readonly status: StoreStatus;
  readonly clientIds: readonly string[];
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** One operator change of a store, as kept in its history (the audit record). */
export interface StoreChange {
  readonly version: number;
  readonly action: 'CREATE' | 'UPDATE';
  readonly at: string;
  readonly by: string;
  readonly changes: Readonly<Record<string, { readonly from: string | null; readonly to: string | null }>>;
  readonly clientIdsAdded: readonly string[];
  readonly clientIdsRemoved: readonly string[];
}

/** Changes shown with a store (operators); older ones stay in the table. */
const STORE_HISTORY_SHOWN = 20;

function storeFromItem(item: Record<string, unknown>): Store {
  return {
    storeId: String(item.storeId),
    name: String(item.name),
    status: item.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE',
    clientIds: Array.isArray(item.clientIds) ? item.clientIds.map(String) : [],
    version: Number(item.version ?? 1),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}

/** The same creation request always has the same fingerprint, whatever the order of its client ids. */
function creationFingerprint(input: StoreInput): string {
  return fingerprintOf({ storeId: input.storeId, name: input.name, clientIds: [...input.clientIds].sort() });
}

function storeItem(store: Store, createFingerprint: string) {
  return { ...keys.store.item(store.storeId), ...keys.store.listEntry(store.storeId), entity: 'Store', ...store, createFingerprint };
}

function changePut(storeId: string, change: StoreChange): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.store.change(storeId, change.version), entity: 'StoreChange', storeId, ...change },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Binds a client to the store, on condition that no store has it (a client serves one store). */
function bindingPut(clientId: string, store: Store, at: string, by: string): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.store.posClient(clientId), entity: 'PosClient', clientId, storeId: store.storeId, storeStatus: store.status, boundAt: at, boundBy: by },
      ConditionExpression: 'attribute_not_exists(PK)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** What a failed binding put means: the client serves another store. */
function boundElsewhere(reason: { Item?: Parameters<typeof unmarshall>[0] } | undefined, clientId: string): DomainError {
  const current = reason?.Item ? unmarshall(reason.Item) : undefined;
  return new DomainError('CONFLICT', `POS client ${clientId} is already bound to store ${String(current?.storeId ?? 'another store')}; unbind it there first`, {
    clientId,
    boundTo: current?.storeId ?? null,
  });
}

export async function readStore(storeId: string): Promise<Store | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.store.item(storeId), ConsistentRead: true }));
  return result.Item ? storeFromItem(result.Item) : undefined;
}

async function storeWithFingerprint(storeId: string): Promise<{ store: Store; createFingerprint: string } | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.store.item(storeId), ConsistentRead: true }));
  return result.Item ? { store: storeFromItem(result.Item), createFingerprint: String(result.Item.createFingerprint ?? '') } : undefined;
}

/**
 * Registers a store with its POS clients: the store, one binding per client
 * and the change record, in one transaction. The same request again answers
 * the store as it is now (`created: false`); another request for an existing
 * storeId, or a client bound to another store, is a 409.
 */
export async function createStore(input: StoreInput, operator: string, now = new Date()): Promise<{ store: Store; created: boolean }> {
  const at = now.toISOString();
  const fingerprint = creationFingerprint(input);
  const store: Store = {
    storeId: input.storeId,
    name: input.name,
    status: 'ACTIVE',
    clientIds: [...input.clientIds].sort(),
    version: 1,
    createdAt: at,
    createdBy: operator,
    updatedAt: at,
    updatedBy: operator,
  };
  const change: StoreChange = {
    version: 1,
    action: 'CREATE',
    at,
    by: operator,
    changes: { name: { from: null, to: store.name }, status: { from: null, to: store.status } },
    clientIdsAdded: store.clientIds,
    clientIdsRemoved: [],
  };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: storeItem(store, fingerprint), ConditionExpression: 'attribute_not_exists(PK)' } },
          changePut(store.storeId, change),
          ...store.clientIds.map((clientId) => bindingPut(clientId, store, at, operator)),
          ...auditItems({ target: `store:${store.storeId}`, summary: `registered store ${store.storeId}`, after: store }),
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') {
      // The same request with the same Idempotency-Key, at the same moment: the handler answers the first one's answer.
      if (claimRefused(error)) throw error;
      const existing = await storeWithFingerprint(store.storeId);
      if (existing && existing.createFingerprint === fingerprint) {
        nothingChanged();
        return { store: existing.store, created: false };
      }
      throw new DomainError('CONFLICT', `store ${store.storeId} already exists with other details; change it with PATCH /v1/admin/stores/${store.storeId}`);
    }
    const clientIndex = reasons.findIndex((r, i) => i >= 2 && r.Code === 'ConditionalCheckFailed');
    if (clientIndex >= 2) throw boundElsewhere(reasons[clientIndex], store.clientIds[clientIndex - 2] as string);
    // The same request sent twice at once: one of them lost the race on the store item and may send it again.
    if (reasons.some((r) => r.Code === 'TransactionConflict')) throw new DomainError('CONFLICT', `store ${store.storeId} is being registered concurrently; send the request again`);
    throw error;
  }
  forgetPosClients(store.clientIds);
  return { store, created: true };
}

/** Registered stores by storeId, a page at a time. */
export async function listStores(page: PageRequest): Promise<{ items: Store[]; nextCursor: string | null }> {
  const partition = keys.store.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition } },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map(storeFromItem), nextCursor: result.nextCursor };
}

/** The latest changes of a store, newest first. */
async function storeHistory(storeId: string): Promise<StoreChange[]> {
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.store.item(storeId).PK, ':prefix': keys.store.changePrefix() },
      ScanIndexForward: false,
      Limit: STORE_HISTORY_SHOWN,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    version: Number(item.version),
    action: item.action === 'CREATE' ? 'CREATE' : 'UPDATE',
    at: String(item.at),
    by: String(item.by),
    changes: (item.changes as StoreChange['changes'] | undefined) ?? {},
    clientIdsAdded: (item.clientIdsAdded as string[] | undefined) ?? [],
    clientIdsRemoved: (item.clientIdsRemoved as string[] | undefined) ?? [],
  }));
}

/** A store with its latest changes (operators). */
export async function storeAdminView(storeId: string): Promise<Store & { changes: StoreChange[] }> {
  const [store, changes] = await Promise.all([readStore(storeId), storeHistory(storeId)]);
  if (!store) throw new NotFoundError(`store ${storeId} is not registered`);
  return { ...store, changes };
}

/**
 * An operator's change of a store (optimistic on its version): status, name,
 * clients bound or unbound. One transaction: the store (condition: still at
 * the version read), a binding put per client added (condition: unbound), a
 * delete per client removed, the status copied onto every binding kept when
 * it changes, and the change record. A change that changes nothing writes nothing.
 */
export async function updateStore(storeId: string, patch: StorePatch, operator: string, now = new Date()): Promise<Store> {
  const current = await readStore(storeId);
  if (!current) throw new NotFoundError(`store ${storeId} is not registered`);
  if (patch.expectedVersion !== undefined && patch.expectedVersion !== current.version) {
    throw new DomainError('CONFLICT', `store ${storeId} is at version ${current.version}, not ${patch.expectedVersion}; reload it and decide again`, {
      currentVersion: current.version,
    });
  }
  const added = (patch.addClientIds ?? []).filter((id) => !current.clientIds.includes(id));
  const removed = (patch.removeClientIds ?? []).filter((id) => current.clientIds.includes(id));
  const clientIds = [...current.clientIds.filter((id) => !removed.includes(id)), ...added].sort();
  if (clientIds.length > MAX_CLIENTS_PER_STORE) {
    throw new ValidationError(`a store has at most ${MAX_CLIENTS_PER_STORE} POS clients; ${storeId} would have ${clientIds.length}`);
  }
  const at = now.toISOString();
  const next: Store = {
    ...current,
    name: patch.name ?? current.name,
    status: patch.status ?? current.status,
    clientIds,
    version: current.version + 1,
    updatedAt: at,
    updatedBy: operator,
  };
  const changes: Record<string, { from: string; to: string }> = {};
  if (next.name !== current.name) changes.name = { from: current.name, to: next.name };
  if (next.status !== current.status) changes.status = { from: current.status, to: next.status };
  if (Object.keys(changes).length === 0 && added.length === 0 && removed.length === 0) {
    nothingChanged();
    return current;
  }

  const kept = clientIds.filter((id) => !added.includes(id));
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName(),
        Key: keys.store.item(storeId),
        UpdateExpression: 'SET #name = :name, #status = :status, clientIds = :clients, version = :next, updatedAt = :at, updatedBy = :by',
        ConditionExpression: 'version = :v',
        ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
        ExpressionAttributeValues: {
          ':name': next.name,
          ':status': next.status,
          ':clients': next.clientIds,
          ':next': next.version,
          ':at': at,
          ':by': operator,
          ':v': current.version,
        },
      },
    },
    changePut(storeId, { version: next.version, action: 'UPDATE', at, by: operator, changes, clientIdsAdded: added, clientIdsRemoved: removed }),
    ...added.map((clientId) => bindingPut(clientId, next, at, operator)),
    ...removed.map(
      (clientId): TransactItem => ({
        Delete: {
          TableName: tableName(),
          Key: keys.store.posClient(clientId),
          ConditionExpression: 'storeId = :store',
          ExpressionAttributeValues: { ':store': storeId },
        },
      }),
    ),
    // The status every POS request reads lives on the bindings: they change with the store or not at all.
    ...(changes.status
      ? kept.map(
          (clientId): TransactItem => ({
            Update: {
              TableName: tableName(),
              Key: keys.store.posClient(clientId),
              UpdateExpression: 'SET storeStatus = :status',
              ConditionExpression: 'storeId = :store',
              ExpressionAttributeValues: { ':status': next.status, ':store': storeId },
            },
          }),
        )
      : []),
    ...auditItems({ target: `store:${storeId}`, summary: `changed store ${storeId}`, before: current, after: next }),
  ];
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw new DomainError('CONFLICT', `store ${storeId} changed meanwhile; reload it and decide again`);
    }
    const addedIndex = reasons.findIndex((r, i) => i >= 2 && i < 2 + added.length && r.Code === 'ConditionalCheckFailed');
    if (addedIndex >= 0) throw boundElsewhere(reasons[addedIndex], added[addedIndex - 2] as string);
    throw error;
  } finally {
    // This instance sees the change at once; others within the cache's lifetime.
    forgetPosClients([...current.clientIds, ...added]);
  }
  return next;
}

