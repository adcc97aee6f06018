import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { listAudit } from '../../shared/audit/audit.js';
import { httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { countLedgerEntries, pointsReport, type CountableEntry } from '../../shared/reports/points-report.js';
import { newImageOf } from '../../shared/streams/records.js';

const consumer = streamConsumers.find((c) => c.name === 'points-report');
if (!consumer) throw new Error('stream consumer points-report is missing from lib/routes.ts');

const httpPart = httpHandler('reports', {
  pointsReport: async ({ query }) => pointsReport({ currency: query.currency, from: query.from, to: query.to }),
  listAudit: async ({ query, page }) => listAudit({ target: query.target, operatorId: query.operatorId, from: query.from, to: query.to }, page),
});

/**
 * Table stream batches (ledger entries only, by the mapping's filter; checked
 * again here). A failure throws, so the batch is retried; entries counted by
 * an earlier attempt are skipped by their markers.
 */
const streamPart = middy<DynamoDBStreamEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    const entries = event.Records.filter((r) => streamRecordMatches(consumer, r)).flatMap((r) => {
      const image = newImageOf(r);
      return image ? [image as unknown as CountableEntry] : [];
    });
    const result = await countLedgerEntries(entries);
    logger.info('ledger entries counted', { records: event.Records.length, ...result });
    return result;
  });

/** One function, two callers: API Gateway (an HTTP event) and the table stream (`Records`). */
export async function handler(event: HttpEvent | DynamoDBStreamEvent, context: Context): Promise<unknown> {
  return 'Records' in event ? streamPart(event, context) : httpPart(event, context);
}
