/**
 * Intake of signed webhooks: sender known and configured (else 404), headers
 * and signature valid and fresh (else 401 INVALID_SIGNATURE), nonce not seen
 * before (else 409 REPLAYED), then the body validated (400). The nonce record
 * and the event the message becomes are one transaction, so a message is
 * accepted exactly once and every accepted message is delivered (outbox).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import type * as z from '../zod.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { outboxWrite } from '../events/outbox.js';
import { parseJsonBody } from '../http/json-body.js';
import { recordRefusedCallback, verifiedCallbackWrite } from '../mall/callbacks.js';
import { logger } from '../observability/powertools.js';
import { tableName, db } from '../table/client.js';
import { keys } from '../table/keys.js';
import { senderKey, type SenderKind } from './senders.js';
import { SIGNATURE_WINDOW_SECONDS, signatureProblem } from './signature.js';

/** Nonces are kept past the timestamp window on both sides, so a replay inside it is always caught. */
const NONCE_TTL_SECONDS = 3 * SIGNATURE_WINDOW_SECONDS;

const explanations = {
  'missing-headers': 'send X-Timestamp, X-Nonce and X-Signature',
  'malformed-headers': 'X-Timestamp must be Unix seconds and X-Nonce 8-128 letters, digits, dot, underscore, colon or hyphen',
  stale: `X-Timestamp is more than ${SIGNATURE_WINDOW_SECONDS / 60} minutes from our clock`,
  'bad-signature': "X-Signature does not verify with the sender's public key over timestamp, nonce and body",
} as const;

export interface SignedMessage {
  readonly kind: SenderKind;
  readonly sender: string;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

export async function receiveSigned<S extends z.ZodMiniType>(
  message: SignedMessage,
  schema: S,
  detailType: string,
  now = new Date(),
): Promise<{ received: true; eventId: string }> {
  const key = senderKey(message.kind, message.sender);
  if (!key) throw new NotFoundError(`no ${message.kind === 'suppliers' ? 'supplier' : 'payment provider'} ${message.sender} is configured`);
  const nonce = message.headers['x-nonce'];
  const problem = signatureProblem(
    key,
    { timestamp: message.headers['x-timestamp'], nonce, signature: message.headers['x-signature'] },
    message.body,
    now,
  );
  if (problem) {
    // Logged only: anyone can send an unsigned message, and what they send must not write to the table (a flood of
    // forgeries would otherwise buy writes). Messages the sender did sign but that are refused are kept on the order.
    logger.warn('webhook refused', { kind: message.kind, sender: message.sender, problem });
    throw new DomainError('INVALID_SIGNATURE', explanations[problem]);
  }
  const parsed = parseJsonBody(message.body);
  const checked = schema.safeParse(parsed);
  if (!checked.success) {
    await recordRefusedCallback(message.kind, message.sender, message.body, 'invalid-body', now);
    throw new ValidationError(`body: ${checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const eventId = ulid();
  const record = verifiedCallbackWrite(message.kind, message.sender, checked.data as Record<string, unknown>, eventId, now);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.webhookNonce(message.kind, message.sender, String(nonce)),
                entity: 'WebhookNonce',
                receivedAt: now.toISOString(),
                ttl: Math.floor(now.getTime() / 1000) + NONCE_TTL_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          outboxWrite({ detailType, version: 1, detail: { sender: message.sender, ...(checked.data as Record<string, unknown>) } }, now, eventId).item,
          // The order's page lists the callbacks it received: the record is part of the acceptance.
          ...(record ? [record] : []),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
      logger.warn('webhook replayed', { kind: message.kind, sender: message.sender });
      await recordRefusedCallback(message.kind, message.sender, message.body, 'replayed', now);
      throw new DomainError('REPLAYED', 'this X-Nonce was already used; sign each message with a new nonce');
    }
    throw error;
  }
  return { received: true, eventId };
}
