import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { listAudit } from '../../shared/audit/audit.js';
import { httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { campaignReport } from '../../shared/reports/campaign-report.js';
import { dashboard } from '../../shared/reports/dashboard.js';
import { expiryForecast } from '../../shared/reports/expiry-forecast.js';
import { pointsDailyReport, pointsReport } from '../../shared/reports/points-report.js';
import { countStreamRecords } from '../../shared/reports/stream.js';
import { reportOperations } from '../../shared/contracts/reports.js';
import { auditOperations } from '../../shared/contracts/audit.js';

const consumer = streamConsumers.find((c) => c.name === 'points-report');
if (!consumer) throw new Error('stream consumer points-report is missing from lib/routes.ts');

const httpPart = httpHandler('reports', { ...reportOperations, ...auditOperations }, {
  pointsReport: async ({ query }) => pointsReport({ currency: query.currency, from: query.from, to: query.to }),
  listAudit: async ({ query, page }) => listAudit({ target: query.target, operatorId: query.operatorId, from: query.from, to: query.to }, page),
  pointsDailyReport: async ({ query }) => pointsDailyReport({ currency: query.currency, from: query.from, to: query.to }),
  campaignReport: async ({ query, page }) => campaignReport({ from: query.from, to: query.to }, page),
  expiryForecast: async ({ query }) => expiryForecast(query.currency),
  dashboard: async () => dashboard(),
});

/**
 * Table stream batches of the points-report consumer (the mapping's filter passes only its own items; checked again
 * here): ledger entries, wallet, order and parked-message changes. A failure throws, so the batch is retried;
 * records counted by an earlier attempt are skipped by their markers.
 */
const streamPart = middy<DynamoDBStreamEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP part does the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    const result = await countStreamRecords(event.Records.filter((r) => streamRecordMatches(consumer, r)));
    logger.info('stream records counted', { records: event.Records.length, ...result });
    return result;
  });

/** One function, two callers: API Gateway (an HTTP event) and the table stream (`Records`). */
export async function handler(event: HttpEvent | DynamoDBStreamEvent, context: Context): Promise<unknown> {
  return 'Records' in event ? streamPart(event, context) : httpPart(event, context);
}
