import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { createReplay, getReplay, listReplays, replaysToRun, runReplaySegment, segmentStopAt } from '../../shared/earning/what-if.js';
import { httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { whatIfOperations } from '../../shared/contracts/what-if.js';

const replayConsumer = streamConsumers.find((c) => c.name === 'what-if-replays');
if (!replayConsumer) throw new Error('stream consumer what-if-replays is missing from lib/routes.ts');

const httpPart = httpHandler('whatif', whatIfOperations, {
  createWhatIfReplay: async ({ body, caller }) => createReplay(body, caller?.subject ?? 'unknown'),
  listWhatIfReplays: async ({ page }) => listReplays(page),
  getWhatIfReplay: async ({ params }) => getReplay(params.replayId),
});

/**
 * Table stream batches of what-if replays (the mapping's filter passes only WhatIfReplay items; checked again
 * here): each replay works until the invocation's segment ends; a failure is reported for its record (partial
 * batch response), whose retry resumes the replay at its last saved page.
 */
const streamPart = middy<DynamoDBStreamEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP part does the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event, context) => runReplays(event.Records.filter((r) => streamRecordMatches(replayConsumer, r)), segmentStopAt(context.getRemainingTimeInMillis())));

async function runReplays(records: DynamoDBStreamEvent['Records'], stopAt: number): Promise<DynamoDBBatchResponse> {
  for (const { replayId, record } of replaysToRun(records)) {
    try {
      const outcome = await runReplaySegment(replayId, { stopAt });
      logger.info('what-if replay segment', { replayId, outcome });
    } catch (error) {
      logger.error('what-if replay segment failed; the record is retried', { replayId, error: error as Error });
      // Lambda retries from the first failed record; the ones after it come again with it.
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

/** One function, two callers: API Gateway (an HTTP event) and the table stream (`Records`). */
export async function handler(event: HttpEvent | DynamoDBStreamEvent, context: Context): Promise<unknown> {
  return 'Records' in event ? streamPart(event, context) : httpPart(event, context);
}
