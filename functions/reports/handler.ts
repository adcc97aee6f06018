import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { listAudit } from '../../shared/audit/audit.js';
import { createReplay, getReplay, listReplays, replaysToRun, runReplaySegment, segmentStopAt } from '../../shared/earning/what-if.js';
import { httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { campaignReport } from '../../shared/reports/campaign-report.js';
import { dashboard } from '../../shared/reports/dashboard.js';
import { expiryForecast } from '../../shared/reports/expiry-forecast.js';
import { pointsDailyReport, pointsReport } from '../../shared/reports/points-report.js';
import { countStreamRecords } from '../../shared/reports/stream.js';
import { reportOperations } from '../../shared/contracts/reports.js';
import { auditOperations } from '../../shared/contracts/audit.js';
import { whatIfOperations } from '../../shared/contracts/what-if.js';

const consumer = streamConsumers.find((c) => c.name === 'points-report');
if (!consumer) throw new Error('stream consumer points-report is missing from lib/routes.ts');
const replayConsumer = streamConsumers.find((c) => c.name === 'what-if-replays');
if (!replayConsumer) throw new Error('stream consumer what-if-replays is missing from lib/routes.ts');

const httpPart = httpHandler('reports', { ...reportOperations, ...auditOperations, ...whatIfOperations }, {
  pointsReport: async ({ query }) => pointsReport({ currency: query.currency, from: query.from, to: query.to }),
  listAudit: async ({ query, page }) => listAudit({ target: query.target, operatorId: query.operatorId, from: query.from, to: query.to }, page),
  createWhatIfReplay: async ({ body, caller }) => createReplay(body, caller?.subject ?? 'unknown'),
  listWhatIfReplays: async ({ page }) => listReplays(page),
  getWhatIfReplay: async ({ params }) => getReplay(params.replayId),
  pointsDailyReport: async ({ query }) => pointsDailyReport({ currency: query.currency, from: query.from, to: query.to }),
  campaignReport: async ({ query, page }) => campaignReport({ from: query.from, to: query.to }, page),
  expiryForecast: async ({ query }) => expiryForecast(query.currency),
  dashboard: async () => dashboard(),
});

/**
 * Table stream batches of the two consumers (each mapping's filter passes
 * only its own items; checked again here). Ledger entries, wallet, order and parked-message changes: a failure
 * throws, so the batch is retried; records counted by an earlier attempt are skipped
 * by their markers. What-if replays: each works until the invocation's
 * segment ends; a failure is reported for its record (partial batch
 * response), whose retry resumes the replay at its last saved page.
 */
const streamPart = middy<DynamoDBStreamEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event, context) => {
    const replayRecords = event.Records.filter((r) => streamRecordMatches(replayConsumer, r));
    const counted = event.Records.filter((r) => streamRecordMatches(consumer, r));
    if (replayRecords.length === 0 || counted.length > 0) {
      const result = await countStreamRecords(counted);
      logger.info('stream records counted', { records: event.Records.length, ...result });
      if (replayRecords.length === 0) return result;
    }
    return runReplays(replayRecords, segmentStopAt(context.getRemainingTimeInMillis()));
  });

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
