import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { routeKey, streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { committedAnswer, httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { batchesToRun, batchSegmentStopAt, getBatch, runBatchSegment, submitBatch } from '../../shared/earning/purchase-batches.js';
import { purchaseBatchOperations } from '../../shared/contracts/purchase-batches.js';
import { DomainError } from '../../shared/errors.js';
import { recordPurchase, recordTopUp, redeemAtCheckout, refundPurchase } from '../../shared/earning/pos.js';
import { voidPurchase } from '../../shared/earning/voids.js';
import { requireOwnStore, storeOfPosCaller } from '../../shared/stores/pos-store.js';
import { earningOperations } from '../../shared/contracts/earning.js';

const batchConsumer = streamConsumers.find((c) => c.name === 'purchase-batches');
if (!batchConsumer) throw new Error('stream consumer purchase-batches is missing from lib/routes.ts');

const httpPart = httpHandler('earning', { ...earningOperations, ...purchaseBatchOperations }, {
  // Every POS call acts for the store its token's app client is bound to (shared/stores/pos-store.ts).
  recordPurchase: async ({ body, caller }) => {
    requireOwnStore(await storeOfPosCaller(caller), body.storeId, `record purchase ${body.purchaseId}`);
    return committedAnswer(await recordPurchase(body));
  },
  refundPurchase: async ({ params, body, caller }) => committedAnswer(await refundPurchase(params.purchaseId, body, await storeOfPosCaller(caller))),
  voidPurchase: async ({ params, body, caller, idempotency, route, event, requestId }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'a void takes back points: send an Idempotency-Key header');
    const storeId = await storeOfPosCaller(caller);
    const actor = { storeId, clientId: caller?.clientId ?? 'unknown', route: routeKey(route), path: event.rawPath, requestId };
    return committedAnswer(await voidPurchase(params.purchaseId, body, actor, idempotency));
  },
  recordTopUp: async ({ body, caller }) => committedAnswer(await recordTopUp({ ...body, storeId: await storeOfPosCaller(caller) })),
  redeemAtCheckout: async ({ body, caller }) => committedAnswer(await redeemAtCheckout({ ...body, storeId: await storeOfPosCaller(caller) })),
  submitPurchaseBatch: async ({ body, caller, route, event, requestId }) => {
    const answer = await submitBatch(await storeOfPosCaller(caller), body, { clientId: caller?.subject ?? 'unknown', requestId, route: routeKey(route), path: event.rawPath });
    // A batch applied in the background is read where it lives.
    return answer.status === 202 ? { ...answer, headers: { location: `/v1/pos/purchase-batches/${encodeURIComponent(body.batchId)}` } } : answer;
  },
  getPurchaseBatch: async ({ params, caller, page }) => getBatch(await storeOfPosCaller(caller), params.batchId, page),
});

/**
 * Large offline batches from the table stream (the mapping's filter passes only PurchaseBatch items; checked again
 * here): each batch asked for works until the invocation's segment ends, then hands over. A failure is reported
 * for its record (partial batch response), whose retry resumes the batch at the items without a result.
 */
const streamPart = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(metricsFlushedAtEnd())
  .handler(async (event, context) => {
    const stopAt = batchSegmentStopAt(context.getRemainingTimeInMillis());
    for (const { storeId, batchId, record } of batchesToRun(event.Records.filter((r) => streamRecordMatches(batchConsumer, r)))) {
      try {
        const outcome = await runBatchSegment(storeId, batchId, { stopAt });
        logger.info('purchase batch segment', { storeId, batchId, outcome });
      } catch (error) {
        logger.error('purchase batch segment failed; the record is retried', { storeId, batchId, error: error as Error });
        // Lambda retries from the first failed record; the ones after it come again with it.
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  });

/** One function, two callers: API Gateway (an HTTP event) and the table stream (`Records`, offline purchase batches). */
export async function handler(event: HttpEvent | DynamoDBStreamEvent, context: Context): Promise<unknown> {
  return 'Records' in event ? streamPart(event, context) : httpPart(event, context);
}
