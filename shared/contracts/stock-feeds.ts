import * as z from '../zod.js';
import { doc } from './doc.js';
import { idSchema } from './common.js';
import { MAX_STOCK_FEED_BODY_BYTES, MAX_STOCK_FEED_LINES, stockFeedLineStatuses, stockFeedStates } from './limits.js';
import { operation } from './operation.js';

export { MAX_STOCK_FEED_BODY_BYTES, MAX_STOCK_FEED_LINES, stockFeedLineStatuses, stockFeedStates };

/**
 * One line as sent. Only its shape is checked here (a malformed feed is refused whole, nothing written); its
 * values are checked line by line when the feed is taken (shared/mall/stock-feeds.ts), with the same rules as
 * `PUT /v1/admin/products/{productId}/stock`, so one bad line is refused on its line and the others apply.
 */
export const stockFeedLineSchema = doc(z.strictObject({
  productId: doc(z.string().check(z.maxLength(200, 'productId is at most 200 characters')), { description: 'The product whose stock the line sets; an id that names no product is refused on its line (404 NOT_FOUND).', example: 'p-mug' }),
  mode: doc(z.string().check(z.maxLength(20, 'mode is "set" or "add"')), { description: '`set`: the available stock becomes quantity; `add`: quantity is added (as PUT /v1/admin/products/{productId}/stock). Another value is refused on its line.', example: 'set' }),
  quantity: doc(z.number(), { description: 'Units: a whole number from 0 to 100,000,000; another number is refused on its line.', example: 120 }),
}), 'StockFeedLine');

export const stockFeedInputSchema = doc(z.strictObject({
  feedId: doc(idSchema, {
    description:
      'Your id for this feed (e.g. the inventory run). Sending the same feed again changes nothing and answers it as it stands; the same feedId with other lines is refused (409).',
    example: 'erp-2026-12-05T06:00',
  }),
  lines: doc(z.array(stockFeedLineSchema).check(z.minLength(1, 'send at least one line'), z.maxLength(MAX_STOCK_FEED_LINES, `a feed carries at most ${MAX_STOCK_FEED_LINES} lines; split it into several feeds`)), {
    description: `1 to ${MAX_STOCK_FEED_LINES} lines, each product at most once (a later line of the same product is refused on its line).`,
  }),
}), 'StockFeedInput');

export const stockFeedResultSchema = doc(z.object({
  index: doc(z.number().check(z.int()), { description: 'The line\'s position in `lines`, from 0 (as in validation paths, `body.lines.<index>`).' }),
  productId: z.string(),
  mode: z.string(),
  quantity: z.number(),
  status: doc(z.enum(stockFeedLineStatuses), { description: 'APPLIED: the stock changed; REFUSED: nothing changed for this line, `problem` says why.' }),
  before: doc(z.nullable(z.number().check(z.int())), { description: 'APPLIED: the available stock as read just before the change.' }),
  after: doc(z.nullable(z.number().check(z.int())), { description: 'APPLIED: the available stock the change made (set: quantity; add: before + quantity).' }),
  problem: doc(z.nullable(z.object({ code: z.string(), status: z.number().check(z.int()), detail: z.string() })), {
    description: 'REFUSED: the problem the line met, as the single-product route would answer it (e.g. 404 NOT_FOUND for an unknown product, 400 VALIDATION_FAILED for a bad quantity).',
  }),
}), 'StockFeedResult');

export const stockFeedSchema = doc(z.object({
  feedId: z.string(),
  state: doc(z.enum(stockFeedStates), { description: 'QUEUED (taken, waiting for the background run), RUNNING, DONE (every line has its result), FAILED (`error` says why; the lines with a result stand).' }),
  lineCount: z.number().check(z.int()),
  sentBy: doc(z.object({
    kind: z.enum(['operator', 'inventory']),
    id: doc(z.string(), { description: 'The operator id, or the inventory client\'s id.' }),
    role: doc(z.string(), { description: 'The operator role that admitted the feed, or `inventory`.' }),
  }), { description: 'Who sent the feed (as its audit record says).' }),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.nullable(z.string()),
  progress: doc(z.object({
    linesDone: doc(z.number().check(z.int()), { description: 'Lines counted so far (applied + refused), chunk by chunk.' }),
    applied: z.number().check(z.int()),
    refused: z.number().check(z.int()),
    chunks: doc(z.number().check(z.int()), { description: 'The chunks the feed is applied in.' }),
    chunksDone: z.number().check(z.int()),
  }), { description: 'Where the feed is. Counted per chunk; `results` may already hold lines of the chunk in progress.' }),
  results: doc(z.array(stockFeedResultSchema), {
    description: 'One result per line, in line order: every line when the feed was applied at once (201); a page when read with GET (see `nextCursor`); none in a 202 answer.',
  }),
  nextCursor: doc(z.nullable(z.string()), { description: 'GET only: pass it as `cursor` for the next page of results; null when this page is the last so far.' }),
  error: doc(z.nullable(z.string()), { description: 'Why the feed FAILED.' }),
}), 'StockFeed');

const resultsQuerySchema = z.object({
  limit: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100), { description: 'Results per page, 1-1000 (default 100).' }),
  cursor: doc(z.optional(z.string()), { description: '`nextCursor` of the previous page, unchanged (sealed, bound to the caller and the feed, valid 24 hours).' }),
  status: doc(z.optional(z.enum(stockFeedLineStatuses)), { description: 'Only the lines APPLIED, or only those REFUSED.' }),
});

export const stockFeedOperations = {
  submitStockFeed: operation({
    summary: 'Send the stock levels of many products at once (operator, or the inventory system\'s client with scope inventory)',
    description:
      `Up to ${MAX_STOCK_FEED_LINES} lines \`{ productId, mode: set|add, quantity }\`, each applied as PUT /v1/admin/products/{productId}/stock applies one ` +
      '(a sold-out product restocked reopens), each once: a line\'s result is written in the transaction that changes its stock. ' +
      'A small feed is applied at once and answered 201 with every line\'s result; a large one is answered 202 (QUEUED) and applied in chunks in the ' +
      'background: read GET /v1/admin/stock-feeds/{feedId} until DONE. Lines are checked one by one: an unknown product, a bad mode or quantity, a product ' +
      'sent twice, is refused on its line and the others apply. Idempotent by feedId: the same feed again changes nothing and answers it as it stands ' +
      '(201 with the results, or 202), with the header `idempotent-replayed: true`; the same feedId with other lines is 409. One audit record per feed names who sent it.',
    tags: ['mall'],
    body: stockFeedInputSchema,
    response: stockFeedSchema,
    status: 201,
    otherStatuses: [202],
    maxBodyBytes: MAX_STOCK_FEED_BODY_BYTES,
    errors: ['CONFLICT', 'PAYLOAD_TOO_LARGE'],
  }),
  getStockFeed: operation({
    summary: 'A stock feed: its state, progress and a page of its results (operator, or the inventory system\'s client)',
    tags: ['mall'],
    params: z.object({ feedId: idSchema }),
    query: resultsQuerySchema,
    response: stockFeedSchema,
    errors: ['NOT_FOUND'],
  }),
};
