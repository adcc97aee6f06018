/**
 * Maker-checker for manual adjustments: an adjustment above the programme's
 * threshold (shared/config/operator-settings.ts) is not applied but opened as
 * an approval request; a different operator approves it (applied once, in the
 * transaction that closes the request) or rejects it (nothing changes). Every
 * step is audited in its own transaction.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { auditItems, auditWrites, nothingChanged } from '../audit/audit.js';
import { claimRefused } from '../audit/operator-idempotency.js';
import { DomainError, IdempotencyKeyReusedError, NotFoundError } from '../errors.js';
import { idempotencyRecord, type IdempotencySpec, type StoredResponse } from '../ledger/idempotency.js';
import { commit, type ExtraWrite, type LedgerEntry } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import type { PageRequest } from '../table/cursor.js';
import { keys } from '../table/keys.js';
import { queryPage } from '../table/paging.js';
import { creditBucket } from './service.js';

export const approvalStatuses = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

export interface AdjustmentApproval {
  readonly approvalId: string;
  readonly kind: 'ADJUSTMENT';
  readonly status: ApprovalStatus;
  readonly memberId: string;
  readonly points: number;
  readonly currency: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedRole: string;
  readonly createdAt: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decisionReason?: string;
  /** The ledger entry the approval wrote. */
  readonly entryId?: string;
}

function viewOf(item: Record<string, unknown>): AdjustmentApproval {
  const { PK: _pk, SK: _sk, GSI2PK: _g, GSI2SK: _gs, entity: _e, ...rest } = item;
  return rest as unknown as AdjustmentApproval;
}

function countersAdd(delta: number): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.approval.counters(),
        UpdateExpression: 'ADD pending :d SET entity = :entity',
        ExpressionAttributeValues: { ':d': delta, ':entity': 'ApprovalCounters' },
      },
    },
  };
}

/**
 * Opens a request for an adjustment above the threshold: answered 202 with the
 * request. With an Idempotency-Key, a repeat answers the same request.
 */
export async function requestAdjustment(
  memberId: string,
  input: { points: number; currency: string; reason: string; operator: string; role: string },
  idempotency: IdempotencySpec | undefined,
  now = new Date(),
): Promise<{ status: number; body: AdjustmentApproval; replayed: boolean }> {
  const approval: AdjustmentApproval = {
    approvalId: `ap-${ulid()}`,
    kind: 'ADJUSTMENT',
    status: 'PENDING',
    memberId,
    points: input.points,
    currency: input.currency,
    reason: input.reason,
    requestedBy: input.operator,
    requestedRole: input.role,
    createdAt: now.toISOString(),
  };
  const response: StoredResponse = { status: 202, body: approval };
  const items = [
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.approval.request(approval.approvalId), ...keys.approval.byStatus('PENDING', approval.createdAt, approval.approvalId), entity: 'ApprovalRequest', ...approval },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    countersAdd(1).item,
    ...auditItems(
      {
        target: `member:${memberId}`,
        summary: `requested approval of an adjustment of ${input.points} ${input.currency} (${approval.approvalId}): ${input.reason}`,
        after: approval,
      },
      now,
    ),
    ...(idempotency
      ? [
          {
            Put: {
              TableName: tableName(),
              Item: idempotencyRecord(idempotency, response, now),
              ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :nowEpoch',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':nowEpoch': Math.floor(Date.now() / 1000) },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          },
        ]
      : []),
  ];
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    return { ...response, body: approval, replayed: false };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException) || !idempotency) throw error;
    const last = error.CancellationReasons?.at(-1) as { Code?: string; Item?: Record<string, AttributeValue> } | undefined;
    if (last?.Code !== 'ConditionalCheckFailed' || !last.Item) throw error;
    const stored = unmarshall(last.Item);
    if (stored.fingerprint !== idempotency.fingerprint) throw new IdempotencyKeyReusedError();
    const replay = stored.response as StoredResponse;
    return { status: replay.status, body: replay.body as AdjustmentApproval, replayed: true };
  }
}

export async function getApproval(approvalId: string): Promise<AdjustmentApproval> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.approval.request(approvalId), ConsistentRead: true }));
  if (!result.Item) throw new NotFoundError(`approval request ${approvalId} does not exist`);
  return viewOf(result.Item);
}

/** Requests with one status: pending ones oldest first (the queue), decided ones newest first. */
export async function listApprovals(status: ApprovalStatus, page: PageRequest) {
  const partition = keys.approval.statusPartition(status);
  const result = await queryPage(
    {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: status === 'PENDING',
    },
    page,
    { attribute: 'GSI2PK', value: partition },
  );
  return { items: result.items.map(viewOf), nextCursor: result.nextCursor };
}

/** How many requests wait for a decision (one item, kept by the transactions that open and close requests). */
export async function pendingApprovalsCount(): Promise<number> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.approval.counters() }));
  return Math.max(0, Number(result.Item?.pending ?? 0));
}

class DecidedMeanwhile extends DomainError {
  constructor() {
    super('CONFLICT', 'the request was decided meanwhile');
  }
}

/**
 * Approves (the adjustment is applied, once) or rejects (nothing changes) a
 * pending request. The requester cannot decide their own request. Repeating
 * the decision already taken answers the request as it is; the other decision
 * after it is 409.
 */
export async function decideApproval(
  approvalId: string,
  decision: 'APPROVED' | 'REJECTED',
  input: { operator: string; reason?: string | undefined },
  now = new Date(),
): Promise<AdjustmentApproval> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = await getApproval(approvalId);
    if (current.status !== 'PENDING') {
      if (current.status === decision && current.decidedBy === input.operator) {
        // The same decision again: answered as it stands, nothing changed or recorded.
        nothingChanged();
        return current;
      }
      throw new DomainError('CONFLICT', `approval request ${approvalId} is already ${current.status.toLowerCase()} by ${current.decidedBy ?? 'another operator'}`);
    }
    if (current.requestedBy === input.operator) {
      throw new DomainError('FORBIDDEN', 'you requested this adjustment: another operator must approve or reject it (maker-checker)');
    }
    const decided = {
      status: decision,
      decidedBy: input.operator,
      decidedAt: now.toISOString(),
      ...(input.reason ? { decisionReason: input.reason } : {}),
    };
    const closeRequest = (entryId?: string): ExtraWrite => {
      const fields: Record<string, unknown> = { ...decided, ...(entryId ? { entryId } : {}) };
      const gsi = keys.approval.byStatus(decision, decided.decidedAt, approvalId);
      return {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.approval.request(approvalId),
            UpdateExpression: `SET ${[...Object.keys(fields), 'GSI2PK', 'GSI2SK'].map((k) => `#${k} = :${k}`).join(', ')}`,
            ConditionExpression: '#status_now = :pending',
            ExpressionAttributeNames: {
              ...Object.fromEntries([...Object.keys(fields), 'GSI2PK', 'GSI2SK'].map((k) => [`#${k}`, k])),
              '#status_now': 'status',
            },
            ExpressionAttributeValues: {
              ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [`:${k}`, v])),
              ':GSI2PK': gsi.GSI2PK,
              ':GSI2SK': gsi.GSI2SK,
              ':pending': 'PENDING',
            },
          },
        },
        onConditionFailed: () => new DecidedMeanwhile(),
      };
    };
    const record = {
      target: `member:${current.memberId}`,
      summary: `${decision === 'APPROVED' ? 'approved' : 'rejected'} adjustment request ${approvalId} of ${current.points} ${current.currency} by ${current.requestedBy}${input.reason ? `: ${input.reason}` : ''}`,
      before: { status: 'PENDING' },
      after: decided,
    };
    try {
      if (decision === 'REJECTED') {
        await db().send(new TransactWriteCommand({ TransactItems: [closeRequest().item, countersAdd(-1).item, ...auditItems(record, now)] }));
        return { ...current, ...decided };
      }
      const bucket = current.points > 0 ? await creditBucket(current.currency, now) : undefined;
      let entryId: string | undefined;
      await commit({
        moves: [
          {
            memberId: current.memberId,
            currency: current.currency,
            type: 'ADJUST',
            points: current.points,
            ...(bucket ? { bucket } : {}),
            reason: current.reason,
            ref: `approval:${approvalId}`,
          },
        ],
        extra: [countersAdd(-1), ...auditWrites(record, now)],
        extraOf: (entries: readonly LedgerEntry[]) => {
          entryId = entries[0]?.id;
          return [closeRequest(entryId)];
        },
        now,
      });
      return { ...current, ...decided, ...(entryId ? { entryId } : {}) };
    } catch (error) {
      if (error instanceof DecidedMeanwhile) continue;
      // The same request with the same Idempotency-Key, at the same moment: the handler answers the first one's answer.
      if (claimRefused(error)) throw error;
      if (error instanceof TransactionCanceledException) continue;
      throw error;
    }
  }
  throw new DomainError('CONFLICT', `approval request ${approvalId} kept changing while it was decided; try again`);
}
