/**
 * The audit log of operator changes.
 *
 * Every operator write (a route marked `write` in shared/http/roles.ts) runs
 * inside an `OperatorWrite` context the HTTP handler opens. The domain code
 * puts `auditItems(...)` into the very transaction that makes the change, so no
 * change exists without its record, and a refused change leaves none. The
 * handler checks afterwards that a successful write produced its record.
 *
 * The same transaction carries the claim of the request's Idempotency-Key for
 * operator routes that have no idempotency of their own
 * (shared/audit/operator-idempotency.ts): a double click or a retry is applied
 * once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { encodeTime, monotonicFactory } from 'ulid';
import type { ClientScope } from '../../lib/routes.js';
import type { OperatorRole } from '../http/roles.js';
import type { IdempotencySpec } from '../ledger/idempotency.js';
import type { ExtraWrite, TransactItem } from '../ledger/ledger.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage } from '../table/paging.js';
import type { PageRequest } from '../table/cursor.js';
import { claimItem } from './operator-idempotency.js';

/** Longest JSON kept of a change's before and after (the rest is cut, marked `…`): items stay small. */
export const AUDIT_SNAPSHOT_CHARS = 4_000;

/** One operator write in progress: who, through which route, on what. */
export interface OperatorWrite {
  /** The operator's id; for a machine client admitted by its scope (the inventory system), its client id. */
  readonly operatorId: string;
  /** The operator's role, or the machine client's scope (`inventory`). */
  readonly role: OperatorRole | ClientScope | 'pos';
  readonly operation: string;
  /** Route key, e.g. `PATCH /v1/admin/campaigns/{campaignId}`. */
  readonly route: string;
  /** The path as called, e.g. `/v1/admin/campaigns/c-1`. */
  readonly path: string;
  /** What the path names (`campaign:c-1`), when it names one; creations name their new object themselves. */
  readonly defaultTarget: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly requestId: string;
  /** The key's claim that joins the audited transaction (operator routes without idempotency of their own). */
  readonly claim: IdempotencySpec | undefined;
  /** Audit records built for this request (each attempt of a retried transaction builds one). */
  recordsBuilt: number;
  /** Set by `nothingChanged`: the write found nothing to change, so it wrote (and recorded) nothing. */
  unchanged?: boolean;
}

const context = new AsyncLocalStorage<OperatorWrite>();

export function runAsOperatorWrite<T>(write: OperatorWrite, work: () => Promise<T>): Promise<T> {
  return context.run(write, work);
}

/** The operator write the current code runs in, if any. */
export function currentOperatorWrite(): OperatorWrite | undefined {
  return context.getStore();
}

/**
 * Says the current operator write changed nothing and so records nothing: a
 * change equal to what is stored, a cancel of what is already cancelled, an
 * upload of codes that were all there. The handler then neither expects an
 * audit record nor stores an answer under the Idempotency-Key (no claim was
 * written: a repeat decides again, on what is stored then).
 */
export function nothingChanged(): void {
  const write = context.getStore();
  if (write) write.unchanged = true;
}

/**
 * Runs `work` outside the current operator write: what it writes is not that
 * request's change (a job run by an operator records its start; the job's own
 * writes are the job's, as when the scheduler runs it).
 */
export function outsideOperatorWrite<T>(work: () => Promise<T>): Promise<T> {
  return context.exit(work);
}

/** `campaignId` → `campaign`, `couponTemplateId` → `coupon-template`, `job` → `job`. */
export function targetType(paramName: string): string {
  return paramName
    .replace(/Id$/, '')
    .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The target a route's path names: its last path parameter (`/v1/admin/campaigns/{campaignId}/stats` → `campaign:<id>`). */
export function targetOfPath(routePath: string, params: Record<string, unknown>): string | undefined {
  const names = [...routePath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const last = names.at(-1);
  if (last === undefined) return undefined;
  const value = params[last];
  return typeof value === 'string' ? `${targetType(last)}:${value}` : undefined;
}

export interface AuditChange {
  /** The object changed, `<type>:<id>`; defaults to what the route's path names. */
  readonly target?: string;
  /** A line a person reads in the log, e.g. "set stock to 500". */
  readonly summary?: string;
  /** The object (or its changed fields) before and after the change. */
  readonly before?: unknown;
  readonly after?: unknown;
}

function snapshot(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value) ?? 'null';
  return text.length <= AUDIT_SNAPSHOT_CHARS ? text : `${text.slice(0, AUDIT_SNAPSHOT_CHARS)}…`;
}

const nextAuditId = monotonicFactory();

/**
 * The writes that record the current operator change, to add to the
 * transaction that makes it: the audit record and, the first time, the claim
 * of the request's Idempotency-Key. Outside an operator write (a scheduled
 * job, the demo seed) there is nothing to record: an empty list.
 */
export function auditItems(change: AuditChange = {}, now = new Date()): TransactItem[] {
  const write = context.getStore();
  if (!write) return [];
  write.recordsBuilt += 1;
  const items: TransactItem[] = [recordPut(write, change, now)];
  if (write.claim) items.push(claimItem(write.claim, write.requestId));
  return items;
}

/**
 * Who changed something outside an operator write: a POS till acting for its
 * store (a void of a purchase, shared/earning/voids.ts). `operatorId` names the
 * actor (`pos:<app client>`), `role` what it is (`pos`).
 */
export interface AuditActor {
  readonly operatorId: string;
  readonly role: string;
  readonly operation: string;
  readonly route: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly requestId: string;
}

/** The audit record of a change made by `actor` (not an operator), as an extra write of the transaction that makes it. */
export function actorAuditWrites(actor: AuditActor, change: AuditChange & { readonly target: string }, now = new Date()): ExtraWrite[] {
  return [{ item: recordPut(actor, change, now) }];
}

function recordPut(actor: AuditActor & { readonly defaultTarget?: string | undefined }, change: AuditChange, now: Date): TransactItem {
  const auditId = nextAuditId(now.getTime());
  const target = change.target ?? actor.defaultTarget ?? `route:${actor.route}`;
  const before = snapshot(change.before);
  const after = snapshot(change.after);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.audit.record(auditId),
        ...keys.audit.byTarget(target, auditId),
        ...keys.audit.byOperator(actor.operatorId, auditId),
        entity: 'AuditRecord',
        auditId,
        at: now.toISOString(),
        operatorId: actor.operatorId,
        role: actor.role,
        operation: actor.operation,
        route: actor.route,
        path: actor.path,
        target,
        ...(change.summary ? { summary: change.summary } : {}),
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
        ...(actor.idempotencyKey ? { idempotencyKey: actor.idempotencyKey } : {}),
        requestId: actor.requestId,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** `auditItems` as extra writes of a ledger commit (shared/ledger/ledger.ts). */
export function auditWrites(change: AuditChange = {}, now = new Date()): ExtraWrite[] {
  return auditItems(change, now).map((item) => ({ item }));
}

export interface AuditRecord {
  readonly auditId: string;
  readonly at: string;
  readonly operatorId: string;
  readonly role: string;
  readonly operation: string;
  readonly route: string;
  readonly path: string;
  readonly target: string;
  readonly summary?: string;
  readonly before?: string;
  readonly after?: string;
  readonly idempotencyKey?: string;
  readonly requestId: string;
}

function recordOf(item: Record<string, unknown>): AuditRecord {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, entity: _e, ...rest } = item;
  return rest as unknown as AuditRecord;
}

export interface AuditFilter {
  readonly target?: string | undefined;
  readonly operatorId?: string | undefined;
  /** ISO instants, inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** Audit ids sort by time (ULIDs): a time range is a range of ids. */
function idBounds(filter: AuditFilter): { low: string; high: string } {
  // The time part of a ULID (10 characters). Not `ulid(t)`: it takes 0 (1970-01-01T00:00:00Z) for "now".
  const low = filter.from ? `${encodeTime(Date.parse(filter.from), 10)}00000000000000000` : '0';
  const high = filter.to ? `${encodeTime(Date.parse(filter.to), 10)}ZZZZZZZZZZZZZZZZ` : '~';
  return { low, high };
}

/**
 * The audit log, newest first: all of it, one object's trail (`target`), or
 * one operator's changes (`operatorId`), within a time range. With both a
 * target and an operator, the target's trail is read and filtered by operator.
 */
export async function listAudit(filter: AuditFilter, page: PageRequest): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const { low, high } = idBounds(filter);
  const [index, pk, sk, partition] = filter.target
    ? (['GSI1', 'GSI1PK', 'GSI1SK', keys.audit.targetPartition(filter.target)] as const)
    : filter.operatorId
      ? (['GSI2', 'GSI2PK', 'GSI2SK', keys.audit.operatorPartition(filter.operatorId)] as const)
      : ([undefined, 'PK', 'SK', keys.audit.partition()] as const);
  const byOperatorToo = filter.target !== undefined && filter.operatorId !== undefined;
  const result = await queryPage(
    {
      ...(index ? { IndexName: index } : {}),
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :low AND :high',
      ...(byOperatorToo ? { FilterExpression: 'operatorId = :operator' } : {}),
      ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
      ExpressionAttributeValues: { ':pk': partition, ':low': low, ':high': high, ...(byOperatorToo ? { ':operator': filter.operatorId } : {}) },
      ScanIndexForward: false,
    },
    page,
    { attribute: pk, value: partition },
  );
  return { items: result.items.map(recordOf), nextCursor: result.nextCursor };
}

/** The named fields of an object (an audit record's before and after of a partial change). */
export function pickFields(value: object, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(value, field)) picked[field] = (value as Record<string, unknown>)[field];
  return picked;
}
