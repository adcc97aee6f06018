import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { publishOutboxRecords } from '../../shared/events/outbox.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';

const consumer = streamConsumers.find((c) => c.name === 'outbox');
if (!consumer) throw new Error('stream consumer outbox is missing from lib/routes.ts');

/** Table stream batches of outbox items (filtered by the mapping; checked again here). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    const result = await publishOutboxRecords(event.Records.filter((r) => streamRecordMatches(consumer, r)));
    logger.info('outbox batch', { records: event.Records.length, failed: result.batchItemFailures.length });
    return result;
  });
