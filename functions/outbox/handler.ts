import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { recordQueuedDeadLetters } from '../../shared/events/dead-letter-queues.js';
import { discardDeadLetter, getDeadLetter, listDeadLetters, redriveDeadLetter, redriveOpenDeadLetters } from '../../shared/events/dead-letters.js';
import { publishOutboxRecords } from '../../shared/events/outbox.js';
import { httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { listFulfilmentProblems } from '../../shared/mall/fulfilment-problems.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { deadLetterOperations } from '../../shared/contracts/dead-letters.js';

const consumer = streamConsumers.find((c) => c.name === 'outbox');
if (!consumer) throw new Error('stream consumer outbox is missing from lib/routes.ts');

/** Table stream batches of outbox items (filtered by the mapping; checked again here). */
const streamPart = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    const result = await publishOutboxRecords(event.Records.filter((r) => streamRecordMatches(consumer, r)));
    logger.info('outbox batch', { records: event.Records.length, failed: result.batchItemFailures.length });
    return result;
  });

/** Messages of the dead-letter queues (the event rules' and their target functions'): each becomes a DeadLetter item. */
const queuePart = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    const result = await recordQueuedDeadLetters(event.Records);
    logger.info('dead-letter messages', { records: event.Records.length, failed: result.batchItemFailures.length });
    return result;
  });

const httpPart = httpHandler('outbox', deadLetterOperations, {
  listDeadLetters: async ({ query, page }) => listDeadLetters({ status: query.status, source: query.source }, page),
  getDeadLetter: async ({ params }) => getDeadLetter(params.deadLetterId),
  redriveDeadLetter: async ({ params, body, caller }) => redriveDeadLetter(params.deadLetterId, { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  redriveDeadLetters: async ({ query, body, caller, page }) =>
    redriveOpenDeadLetters({ source: query.source }, { operator: caller?.subject ?? 'unknown', reason: body.reason }, page),
  discardDeadLetter: async ({ params, body, caller }) => discardDeadLetter(params.deadLetterId, { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  listFulfilmentProblems: async ({ query, page }) => listFulfilmentProblems({ kind: query.kind, supplierId: query.supplier }, page),
});

function isQueueEvent(event: HttpEvent | DynamoDBStreamEvent | SQSEvent): event is SQSEvent {
  return 'Records' in event && event.Records.length > 0 && (event.Records[0] as { eventSource?: string }).eventSource === 'aws:sqs';
}

/** One function, three callers: the table stream (`Records` of aws:dynamodb), SQS (`Records` of aws:sqs) and API Gateway. */
export async function handler(event: HttpEvent | DynamoDBStreamEvent | SQSEvent, context: Context): Promise<unknown> {
  if (isQueueEvent(event)) return queuePart(event, context);
  return 'Records' in event ? streamPart(event as DynamoDBStreamEvent, context) : httpPart(event, context);
}
