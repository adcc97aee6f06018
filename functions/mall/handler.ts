import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches } from '../../lib/routes.js';
import { committedAnswer, httpHandler, type HttpEvent } from '../../shared/http/handler.js';
import { feedSegmentStopAt, feedsToRun, getFeed, runFeedSegment, submitFeed } from '../../shared/mall/stock-feeds.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import { stockFeedOperations } from '../../shared/contracts/stock-feeds.js';
import { DomainError, NotFoundError } from '../../shared/errors.js';
import { createProduct, getProduct, listProductsForOperator, listZone, mallView, updateProduct, visibleTo } from '../../shared/mall/catalogue.js';
import { saleMonitor } from '../../shared/mall/sale-stats.js';
import { forgetEmptyShards } from '../../shared/mall/orders.js';
import { readStock, rebalanceStock } from '../../shared/mall/stock.js';
import { setProductStock } from '../../shared/mall/product-stock.js';
import { refuseStockChangeOfCodePool, uploadCodes } from '../../shared/mall/code-pool.js';
import { couponTemplateView, createCouponTemplate, listCouponTemplates, listMemberCoupons, redeemCoupon } from '../../shared/mall/coupons.js';
import { getMember, requireMember } from '../../shared/members/service.js';
import { storeOfPosCaller } from '../../shared/stores/pos-store.js';
import type { Caller } from '../../shared/http/auth.js';
import { mallOperations } from '../../shared/contracts/mall.js';
import { couponOperations } from '../../shared/contracts/coupons.js';

function memberIdOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

const feedConsumer = streamConsumers.find((c) => c.name === 'stock-feeds');
if (!feedConsumer) throw new Error('stream consumer stock-feeds is missing from lib/routes.ts');

const httpPart = httpHandler('mall', { ...mallOperations, ...couponOperations, ...stockFeedOperations }, {
  createProduct: async ({ body }) => createProduct(body),
  updateProduct: async ({ params, body }) => updateProduct(params.productId, body),
  listProductsAdmin: async ({ query, page }) =>
    listProductsForOperator(
      {
        type: query.type,
        zone: query.zone,
        status: query.status,
        onSaleNow: query.onSaleNow === undefined ? undefined : query.onSaleNow === 'true',
        flashSale: query.flashSale === undefined ? undefined : query.flashSale === 'true',
      },
      page,
    ),
  getSaleMonitor: async ({ params, query }) => saleMonitor(params.productId, query.minutes),
  getProductAdmin: async ({ params }) => {
    const product = await getProduct(params.productId, { fresh: true });
    return { ...product, stock: await readStock(product.productId, product.stockShards) };
  },
  setStock: async ({ params, body }) => setProductStock(params.productId, body.mode, body.quantity),
  rebalanceStock: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    refuseStockChangeOfCodePool(product);
    const stock = await rebalanceStock(product.productId, product.stockShards, body.shards ?? product.stockShards, new Date(), product.saleStatsShards);
    forgetEmptyShards(product.productId);
    return stock;
  },
  submitStockFeed: async ({ body }) => submitFeed(body.feedId, body.lines),
  getStockFeed: async ({ params, query, page }) => getFeed(params.feedId, { status: query.status }, page),
  uploadProductCodes: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    const result = await uploadCodes(product, body.codes);
    forgetEmptyShards(product.productId);
    return { productId: product.productId, ...result, stock: await readStock(product.productId, product.stockShards) };
  },
  createCouponTemplate: async ({ body }) => createCouponTemplate(body),
  listCouponTemplates: async ({ page }) => listCouponTemplates(page),
  getCouponTemplate: async ({ params }) => couponTemplateView(params.couponTemplateId),
  listMyCoupons: async ({ caller, query, page }) => listMemberCoupons(memberIdOf(caller), { ...page, status: query.status }),
  listMemberCoupons: async ({ params, query, page }) => {
    await requireMember(params.memberId);
    return listMemberCoupons(params.memberId, { ...page, status: query.status });
  },
  redeemCoupon: async ({ params, body, caller }) => committedAnswer(await redeemCoupon(params.couponId, body, await storeOfPosCaller(caller))),
  listMallProducts: async ({ caller, query, page }) => {
    const member = await getMember(memberIdOf(caller));
    return listZone(query.zone, member.tier, page);
  },
  getMallProduct: async ({ caller, params }) => {
    const member = await getMember(memberIdOf(caller));
    const product = await getProduct(params.productId);
    // Hidden products do not exist for members who may not see them.
    if (!visibleTo(product, member.tier)) throw new NotFoundError(`product ${params.productId} does not exist`);
    return mallView(product);
  },
});

/**
 * Large stock feeds from the table stream (the mapping's filter passes only StockFeed items; checked again
 * here): each feed asked for works until the invocation's segment ends, then hands over. A failure is reported
 * for its record (partial batch response), whose retry resumes the feed at the lines without a result.
 */
const streamPart = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(metricsFlushedAtEnd())
  .handler(async (event, context) => {
    const stopAt = feedSegmentStopAt(context.getRemainingTimeInMillis());
    for (const { feedId, record } of feedsToRun(event.Records.filter((r) => streamRecordMatches(feedConsumer, r)))) {
      try {
        const outcome = await runFeedSegment(feedId, { stopAt });
        logger.info('stock feed segment', { feedId, outcome });
      } catch (error) {
        logger.error('stock feed segment failed; the record is retried', { feedId, error: error as Error });
        // Lambda retries from the first failed record; the ones after it come again with it.
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  });

/** One function, two callers: API Gateway (an HTTP event) and the table stream (`Records`, stock feeds). */
export async function handler(event: HttpEvent | DynamoDBStreamEvent, context: Context): Promise<unknown> {
  return 'Records' in event ? streamPart(event, context) : httpPart(event, context);
}
