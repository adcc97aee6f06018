/**
 * On AWS, events that could not be delivered end in SQS: the event rules'
 * shared DLQ (EventBridge could not invoke the target: its attributes name the
 * rule and the error) and the DLQ of each rule target function (the function
 * failed the event through all of Lambda's asynchronous retries: its
 * attributes carry the error). The `outbox` function consumes both queues and
 * turns each message into a DeadLetter item (shared/events/dead-letters.ts),
 * once per message id, so operators see, redrive and discard them through the
 * API instead of reading queues.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { eventRules } from '../../lib/routes.js';
import { logger } from '../observability/powertools.js';
import { matchesPattern } from './patterns.js';
import { recordDeadLetter, type FailedEvent } from './dead-letters.js';

/** Lambda's asynchronous invocation makes this many attempts (the first and 2 retries) before the function's DLQ. */
const LAMBDA_ASYNC_ATTEMPTS = 3;

function attribute(record: SQSRecord, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record.messageAttributes?.[name]?.stringValue;
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function parsed(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The event of an EventBridge envelope (the body of both kinds of message), or null when the body is not one. */
export function eventOfEnvelope(envelope: unknown): FailedEvent | null {
  if (envelope === null || typeof envelope !== 'object') return null;
  const e = envelope as Record<string, unknown>;
  const detailType = e['detail-type'];
  const detail = e.detail;
  if (typeof detailType !== 'string' || detail === null || typeof detail !== 'object' || Array.isArray(detail)) return null;
  return { detailType, detail: detail as Record<string, unknown> };
}

/** The rules an event was meant for: named by the message (a rule DLQ), else those of the rule table matching it. */
export function targetOf(record: SQSRecord, envelope: unknown): string {
  const ruleArn = attribute(record, 'RULE_ARN');
  if (ruleArn) return ruleArn.slice(ruleArn.lastIndexOf('/') + 1);
  if (envelope && typeof envelope === 'object') {
    const names = eventRules.filter((rule) => matchesPattern(rule.pattern as Record<string, unknown>, envelope as Record<string, unknown>)).map((r) => r.name);
    if (names.length > 0) return names.join(', ');
  }
  return 'unknown';
}

/**
 * Records each message as a dead letter (id `sqs-<message id>`: a message
 * delivered twice is recorded once); a message that could not be recorded is
 * reported as a batch item failure, so SQS delivers it again.
 */
export async function recordQueuedDeadLetters(records: readonly SQSRecord[]): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  for (const record of records) {
    const envelope = parsed(record.body);
    const errorCode = attribute(record, 'ERROR_CODE', 'ErrorCode');
    const errorMessage = attribute(record, 'ERROR_MESSAGE', 'ErrorMessage');
    const retries = attribute(record, 'RETRY_ATTEMPTS');
    const sentAt = Number(record.attributes?.SentTimestamp);
    try {
      await recordDeadLetter({
        deadLetterId: `sqs-${record.messageId}`,
        target: targetOf(record, envelope),
        event: eventOfEnvelope(envelope),
        error: [errorCode, errorMessage].filter(Boolean).join(': ') || 'delivery failed (the queue message names no error)',
        attempts: retries !== undefined && /^\d+$/.test(retries) ? Number(retries) + 1 : LAMBDA_ASYNC_ATTEMPTS,
        payload: envelope ?? record.body,
        ...(Number.isFinite(sentAt) && sentAt > 0 ? { failedAt: new Date(sentAt) } : {}),
      });
    } catch (error) {
      logger.error('dead letter not recorded; SQS delivers the message again', { messageId: record.messageId, error: error as Error });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
