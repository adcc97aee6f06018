import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** An EventBridge event as a rule target's DLQ keeps it (the message body). */
interface DeadEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: unknown;
}

export interface RedriveResult {
  readonly redriven: number;
  /** Messages that are not EventBridge events: left in the queue for a person. */
  readonly skipped: number;
  /** Events the bus refused: left in the queue. */
  readonly failed: number;
}

/**
 * Moves up to `max` events from a rule target's DLQ back onto the bus, one
 * message at a time: a message is deleted only after its event was accepted.
 */
export async function redriveRuleDeadLetters(options: {
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  queueUrl: string;
  eventBusName: string;
  max: number;
}): Promise<RedriveResult> {
  let redriven = 0;
  let skipped = 0;
  let failed = 0;
  const seen = new Set<string>();
  while (redriven + skipped + failed < options.max) {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }),
    );
    const messages = (received.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId ?? '');
      let event: DeadEvent;
      try {
        event = JSON.parse(message.Body ?? '') as DeadEvent;
      } catch {
        skipped += 1;
        continue;
      }
      if (!event.source || !event['detail-type'] || event.detail === undefined) {
        skipped += 1;
        continue;
      }
      const put = await options.eventBridge.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: options.eventBusName, Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) }],
        }),
      );
      if ((put.FailedEntryCount ?? 0) > 0) {
        failed += 1;
        continue;
      }
      await options.sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      redriven += 1;
    }
  }
  return { redriven, skipped, failed };
}
