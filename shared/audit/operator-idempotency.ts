/**
 * Idempotency-Key for operator writes that have no idempotency of their own
 * (creating a campaign, saving rules, setting stock ...): the console makes one
 * key per dialog, so a double click or a retry after a lost answer applies once.
 *
 * 1. Before the work: a stored answer for the key is replayed; a key of another
 *    request is refused (422); a key claimed by a request still running (or one
 *    whose answer was lost) is refused with 409.
 * 2. The claim joins the audited transaction (shared/audit/audit.ts
 *    `auditItems`), conditional on no other request holding the key: of two
 *    concurrent requests with one key, one applies, the other's transaction is
 *    cancelled and it then finds the claim (step 1 again).
 * 3. After the work: the answer is stored on the claim for later replays.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, IdempotencyKeyReusedError } from '../errors.js';
import { DEFAULT_IDEMPOTENCY_TTL_SECONDS, type IdempotencySpec, type StoredResponse } from '../ledger/idempotency.js';
import type { TransactItem } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

/** The claim of a key by one request, written in the change's own transaction. */
export function claimItem(spec: IdempotencySpec, requestId: string): TransactItem {
  const nowEpoch = Math.floor(Date.now() / 1000);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.idempotency(spec.scope, spec.key),
        entity: 'IdempotencyRecord',
        fingerprint: spec.fingerprint,
        requestId,
        createdAt: new Date().toISOString(),
        ttl: nowEpoch + (spec.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS),
      },
      // The same request may write more than one audited transaction; another request may not.
      ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :nowEpoch OR requestId = :requestId',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':nowEpoch': nowEpoch, ':requestId': requestId },
      // Lets `claimRefused` tell this refusal from the domain item's own.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Whether a cancelled transaction was (also) refused on an Idempotency-Key
 * held by another request. Domain code that answers a refusal of its own item
 * with success (an object "already there" answered as it is) rethrows then,
 * so the handler answers that request's stored answer or 409 instead of a
 * second, different success.
 */
export function claimRefused(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed' && reason.Item?.entity?.S === 'IdempotencyRecord');
}

export type KeyState =
  | { readonly kind: 'free' }
  | { readonly kind: 'answered'; readonly response: StoredResponse }
  | { readonly kind: 'claimed'; readonly requestId: string };

/** What the table says of a key: free, answered (replay it), or claimed by a request without a stored answer. */
export async function keyState(spec: IdempotencySpec): Promise<KeyState> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.idempotency(spec.scope, spec.key), ConsistentRead: true }));
  const item = result.Item;
  if (!item || Number(item.ttl ?? 0) < Math.floor(Date.now() / 1000)) return { kind: 'free' };
  if (item.fingerprint !== spec.fingerprint) throw new IdempotencyKeyReusedError();
  if (item.response) return { kind: 'answered', response: item.response as StoredResponse };
  return { kind: 'claimed', requestId: String(item.requestId ?? '') };
}

/** The refusal for a key another request holds without an answer. */
export function keyInUse(): DomainError {
  return new DomainError(
    'CONFLICT',
    'a request with this Idempotency-Key is being applied, or was applied and its answer was lost: wait a moment and retry with the same key, or reload the object to see the change',
    { retryAfterSeconds: 2 },
  );
}

/** Stores the answer on the claim, so a retry with the key replays it. The change is done: a failure here is only logged. */
export async function storeAnswer(spec: IdempotencySpec, requestId: string, response: StoredResponse): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.idempotency(spec.scope, spec.key),
        UpdateExpression: 'SET #response = :response',
        ConditionExpression: 'requestId = :requestId',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':response': response, ':requestId': requestId },
      }),
    );
  } catch (error) {
    logger.warn('operator write applied but its answer was not stored for replays', { error: error as Error, scope: spec.scope });
  }
}
