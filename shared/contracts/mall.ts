import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';
import { tiers } from '../domain/tiers.js';
import { instantTypes, orderStatuses, paymentKinds, productTypes, saleRefusalReasons } from './limits.js';

export { instantTypes, orderStatuses, paymentKinds, productTypes, saleRefusalReasons };


/** Hard ceiling of stock shards per product: a redemption tries each at most once; 256 carry 50,000 redemptions/s (docs/flash-sale.md). */
export const MAX_STOCK_SHARDS = 256;

const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });
const zoneName = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,39}$/, 'a zone name such as "main", "flash-sale" or "gold-club" (lower-case letters, digits, hyphens)'));

const pointsCashSchema = z.strictObject({
  points: z.number().check(z.int(), z.gte(0), z.lte(100_000_000)),
  cashCents: z.number().check(z.int('cashCents is whole fen (1 CNY = 100)'), z.positive('cashCents must be positive'), z.lte(100_000_000)),
});

const productFields = {
  name: z.string().check(z.trim(), z.minLength(2, 'give the product a name of at least 2 characters'), z.maxLength(200)),
  description: z._default(z.string().check(z.maxLength(4000)), ''),
  type: doc(z.enum(productTypes), {
    description: 'PHYSICAL: shipped by the brand; VIRTUAL: a code from the product code pool; COUPON: a coupon issued to the member; SUPPLIER: fulfilled by a supplier (JD, Tmall).',
  }),
  zone: doc(z._default(zoneName, 'main'), { description: 'Mall zone (专区) the product is listed in.' }),
  pricePoints: doc(z.number().check(z.int('pricePoints must be a whole number of points'), z.positive('pricePoints must be positive'), z.lte(100_000_000)), { description: 'Price per unit when paid with points only (payment POINTS).' }),
  pointsCash: doc(z._default(z.nullable(pointsCashSchema), null), { description: 'Price per unit when paid with points plus cash (payment POINTS_CASH), e.g. 2,000 points + 990 cents; null: not offered.' }),
  visibleToTiers: doc(z._default(z.nullable(z.array(z.enum(tiers)).check(z.minLength(1, 'list at least one tier, or leave visibleToTiers out for everyone'))), null), { description: 'Tiers that see and may redeem the product; null: every member.' }),
  limits: z._default(z.strictObject({
    perDay: doc(z._default(z.nullable(z.number().check(z.int(), z.positive(), z.lte(1_000_000))), null), { description: 'Units one member may redeem per programme-local day.' }),
    lifetime: doc(z._default(z.nullable(z.number().check(z.int(), z.positive(), z.lte(1_000_000))), null), { description: 'Units one member may redeem in all.' }),
  }), { perDay: null, lifetime: null }),
  saleStartsAt: z._default(z.nullable(isoTime('saleStartsAt')), null),
  saleEndsAt: z._default(z.nullable(isoTime('saleEndsAt')), null),
  supplier: doc(z._default(z.nullable(z.strictObject({
    supplierId: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'a supplier id such as "jd" or "tmall"')),
    sku: z.string().check(z.minLength(1), z.maxLength(100)),
  })), null), { description: 'Supplier goods only: who fulfils the order and their SKU.' }),
  couponTemplateId: doc(z._default(z.nullable(idSchema), null), { description: 'COUPON products only (required there): the template each redeemed unit issues a coupon from.' }),
  status: z._default(z.enum(['ACTIVE', 'INACTIVE']), 'ACTIVE'),
  sortOrder: doc(z._default(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 1000), { description: 'Position within the zone, ascending.' }),
};


function checkProduct(
  p: { type: string; supplier: unknown; couponTemplateId: string | null; pointsCash: unknown; saleStartsAt: string | null; saleEndsAt: string | null },
  ctx: z.core.$RefinementCtx,
) {
  if (p.type === 'SUPPLIER' && !p.supplier) ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'supplier goods need { supplierId, sku }' });
  if (p.type !== 'SUPPLIER' && p.supplier) ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'only SUPPLIER products have a supplier' });
  if (p.type === 'COUPON' && !p.couponTemplateId) {
    ctx.addIssue({ code: 'custom', path: ['couponTemplateId'], message: 'COUPON products need the couponTemplateId of the coupon they issue' });
  }
  if (p.type !== 'COUPON' && p.couponTemplateId) ctx.addIssue({ code: 'custom', path: ['couponTemplateId'], message: 'only COUPON products have a couponTemplateId' });
  if (instantTypes.includes(p.type) && p.pointsCash) {
    ctx.addIssue({ code: 'custom', path: ['pointsCash'], message: `${p.type} products are delivered at once and sold for points only; leave pointsCash out` });
  }
  if (p.saleStartsAt && p.saleEndsAt && Date.parse(p.saleEndsAt) <= Date.parse(p.saleStartsAt)) {
    ctx.addIssue({ code: 'custom', path: ['saleEndsAt'], message: 'saleEndsAt must be after saleStartsAt' });
  }
}

export const productInputSchema = doc(z.strictObject({
  productId: doc(z.optional(idSchema), { description: 'Your id for the product; generated when left out.' }),
  ...productFields,
  stockShards: doc(z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_STOCK_SHARDS)), 1), { description: 'Items the stock is spread over: 1 for everyday goods, more for flash sales (see docs/flash-sale.md).' }),
  initialStock: doc(z._default(z.number().check(z.int(), z.gte(0), z.lte(100_000_000)), 0), { description: 'Units on sale at creation; VIRTUAL products start at 0 and get stock by uploading codes.' }),
}).check(z.superRefine(checkProduct), z.superRefine((p, ctx) => {
  if (p.type === 'VIRTUAL' && p.initialStock > 0) {
    ctx.addIssue({ code: 'custom', path: ['initialStock'], message: 'VIRTUAL stock is its code pool: create it with 0 and upload codes' });
  }
})), 'ProductInput');

export const productPatchSchema = doc(z.strictObject({
  expectedVersion: doc(z.number().check(z.int(), z.gte(1), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)), { description: 'The version you read; refused with 409 if the product changed since.' }),
  name: z.optional(productFields.name),
  description: z.optional(z.string().check(z.maxLength(4000))),
  zone: z.optional(zoneName),
  pricePoints: z.optional(productFields.pricePoints),
  pointsCash: z.optional(z.nullable(pointsCashSchema)),
  visibleToTiers: z.optional(z.nullable(z.array(z.enum(tiers)).check(z.minLength(1)))),
  limits: z.optional(z.strictObject({
    perDay: z.nullable(z.number().check(z.int(), z.positive(), z.lte(1_000_000))),
    lifetime: z.nullable(z.number().check(z.int(), z.positive(), z.lte(1_000_000))),
  })),
  saleStartsAt: z.optional(z.nullable(isoTime('saleStartsAt'))),
  saleEndsAt: z.optional(z.nullable(isoTime('saleEndsAt'))),
  status: z.optional(z.enum(['ACTIVE', 'INACTIVE'])),
  // Not productFields.sortOrder: its default would put every product a patch leaves it out of back to 1000.
  sortOrder: doc(z.optional(z.number().check(z.int(), z.gte(0), z.lte(1_000_000))), { description: 'Position within the zone, ascending.' }),
}), 'ProductPatch');

const productViewFields = {
  productId: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.enum(productTypes),
  zone: z.string(),
  pricePoints: z.number().check(z.int()),
  pointsCash: z.nullable(z.object({ points: z.number().check(z.int()), cashCents: z.number().check(z.int()) })),
  visibleToTiers: z.nullable(z.array(z.enum(tiers))),
  limits: z.object({ perDay: z.nullable(z.number().check(z.int())), lifetime: z.nullable(z.number().check(z.int())) }),
  saleStartsAt: z.nullable(z.string()),
  saleEndsAt: z.nullable(z.string()),
  soldOut: doc(z.boolean(), { description: 'Set when a redemption found every stock shard empty; cleared by adding stock.' }),
};

export const mallProductSchema = doc(z.object(productViewFields), 'MallProduct');

export const productSchema = doc(z.object({
  ...productViewFields,
  supplier: z.nullable(z.object({ supplierId: z.string(), sku: z.string() })),
  couponTemplateId: z.nullable(z.string()),
  status: z.enum(['ACTIVE', 'INACTIVE']),
  sortOrder: z.number().check(z.int()),
  stockShards: z.number().check(z.int()),
  soldOutAt: doc(z.nullable(z.string()), { description: 'When a redemption found every shard empty; null unless sold out.' }),
  version: z.number().check(z.int()),
  createdAt: z.string(),
  updatedAt: z.string(),
}), 'Product');

export const stockSchema = doc(z.object({
  productId: z.string(),
  available: z.number().check(z.int()),
  sold: z.number().check(z.int()),
  shards: z.array(z.object({ shard: z.number().check(z.int()), available: z.number().check(z.int()), sold: z.number().check(z.int()) })),
}), 'Stock');

export const stockInputSchema = doc(z.strictObject({
  mode: doc(z.enum(['set', 'add']), { description: 'set: the available stock becomes quantity; add: quantity is added.' }),
  quantity: z.number().check(z.int('quantity must be a whole number'), z.gte(0, 'quantity must not be negative'), z.lte(100_000_000)),
}), 'StockInput');

export const rebalanceInputSchema = doc(z.strictObject({
  shards: doc(z.optional(z.number().check(z.int(), z.gte(1), z.lte(MAX_STOCK_SHARDS))), { description: 'New number of shards; the current one when left out.' }),
}), 'RebalanceInput');

export const orderInputSchema = doc(z.strictObject({
  productId: idSchema,
  quantity: z._default(z.number().check(z.int('quantity must be a whole number'), z.gte(1, 'quantity must be at least 1'), z.lte(10, 'at most 10 units per order')), 1),
  payment: z._default(z.enum(paymentKinds), 'POINTS'),
}), 'OrderInput');

export const orderSchema = doc(z.object({
  orderId: z.string(),
  memberId: z.string(),
  productId: z.string(),
  productName: z.string(),
  productType: z.enum(productTypes),
  quantity: z.number().check(z.int()),
  payment: z.enum(paymentKinds),
  points: z.number().check(z.int()),
  cashCents: z.number().check(z.int()),
  status: z.enum(orderStatuses),
  payBy: doc(z.nullable(z.string()), { description: 'POINTS_CASH: pay the cash part by then, or the order is released.' }),
  supplier: z.nullable(z.object({ supplierId: z.string(), sku: z.string() })),
  history: z.array(z.object({ status: z.enum(orderStatuses), at: z.string(), reason: z.string() })),
  trackingNo: doc(z.optional(z.nullable(z.string())), { description: 'Supplier goods: the carrier tracking number, once shipped.' }),
  code: doc(z.optional(z.nullable(z.string())), { description: "VIRTUAL orders: the code delivered. Only the order's owner sees it; operators see all but the last 4 characters masked." }),
  couponIds: doc(z.optional(z.array(z.string())), { description: 'COUPON orders: the coupons issued (see GET /v1/me/coupons).' }),
  source: doc(z.optional(z.object({ kind: z.enum(['AUCTION', 'DRAW']), id: z.string() })), { description: 'Orders not redeemed in the mall: the auction won or the lucky-draw spin that created the order (no mall stock or limits used).' }),
  createdAt: z.string(),
  updatedAt: z.string(),
}), 'Order');

/** Codes of one upload; each 6-64 characters so the masked view keeps something hidden. */
export const MAX_CODES_PER_UPLOAD = 500;

export const codeUploadSchema = doc(z.strictObject({
  codes: z.array(z.string().check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, 'a code is 6-64 letters, digits, underscores or hyphens'))).check(z.minLength(1, 'send at least one code'), z.maxLength(MAX_CODES_PER_UPLOAD, `at most ${MAX_CODES_PER_UPLOAD} codes per upload; send more in further uploads`)),
}), 'CodeUpload');

const orderPageSchema = doc(pageOf(orderSchema), 'OrderPage');

const productWithStockSchema = doc(docExtend(productSchema, { stock: stockSchema }), 'ProductWithStock');

const booleanFilter = (description: string) =>
  doc(z.optional(z.enum(['true', 'false'], { message: 'true or false' })), { description });

export const productListQuerySchema = docExtend(pageQuerySchema, {
  type: z.optional(z.enum(productTypes)),
  zone: doc(z.optional(zoneName), { description: "Only this zone's products, in the zone's sort order (otherwise every product, newest first)." }),
  status: z.optional(z.enum(['ACTIVE', 'INACTIVE'])),
  onSaleNow: booleanFilter('true: active and inside the sale window now; false: the others.'),
  flashSale: booleanFilter(`true: listed in the flash-sale zone ("flash-sale"); false: the others.`),
});


const refusalCountsSchema = doc(z.object(Object.fromEntries(saleRefusalReasons.map((r) => [r, z.number().check(z.int())])) as Record<(typeof saleRefusalReasons)[number], z.ZodMiniNumber>), 'SaleRefusals', { description: 'Refused redemptions by problem code: sold out, purchase limit reached, not enough points, outside the sale window, tier not allowed.' });

export const saleMonitorSchema = doc(z.object({
  productId: z.string(),
  name: z.string(),
  zone: z.string(),
  onSaleNow: z.boolean(),
  ordersCounted: doc(z.boolean(), { description: 'Whether orders are counted per minute: flash sales only (a sale window, or the flash-sale zone); else orders are 0.' }),
  saleStartsAt: z.nullable(z.string()),
  saleEndsAt: z.nullable(z.string()),
  stock: doc(stockSchema, { description: 'Stock left, total and per shard (eventually consistent: may lag a second).' }),
  soldOut: z.boolean(),
  soldOutAt: doc(z.nullable(z.string()), { description: 'When a redemption found every shard empty.' }),
  ordersPerMinute: doc(z.number().check(z.int()), { description: 'Orders placed in the last complete minute.' }),
  ordersThisMinute: doc(z.number().check(z.int()), { description: 'Orders placed so far in the current minute.' }),
  orders: doc(z.number().check(z.int()), { description: 'Orders placed in the window.' }),
  units: doc(z.number().check(z.int()), { description: 'Units sold in the window.' }),
  refusals: refusalCountsSchema,
  minutes: doc(z.array(z.object({ minute: doc(z.string(), { description: 'UTC minute, YYYY-MM-DDTHH:MM.' }), orders: z.number().check(z.int()), units: z.number().check(z.int()), refusals: refusalCountsSchema })), { description: 'One entry per minute of the window, oldest first, the current minute last.' }),
  asOf: z.string(),
}), 'SaleMonitor');

export const mallOperations = {
  createProduct: operation({
    summary: 'Create a product with its price, zone, visibility, limits, sale window and stock (operator)',
    tags: ['mall admin'],
    body: productInputSchema,
    response: productSchema,
    status: 201,
    errors: ['CONFLICT'],
  }),
  updateProduct: operation({
    summary: 'Change a product (optimistic: expectedVersion) (operator)',
    description: 'Takes effect for redemptions within a few seconds (functions cache the catalogue briefly).',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    body: productPatchSchema,
    response: productSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  getProductAdmin: operation({
    summary: 'A product as stored, with its stock per shard (operator)',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    response: productWithStockSchema,
    errors: ['NOT_FOUND'],
  }),
  listProductsAdmin: operation({
    summary: 'Every product, with filters, each with its stock as a total and per shard (operator)',
    description:
      'With `zone` (or `flashSale=true`, the flash-sale zone) the zone\'s products in its sort order, else every product, newest first. ' +
      'Never a table scan: an index partition is read and the other filters are applied to it, at most 500 products per page, so a page ' +
      'may come back short (even empty) with a `nextCursor` when a filter matches few.',
    tags: ['mall admin'],
    query: productListQuerySchema,
    response: doc(pageOf(productWithStockSchema), 'ProductAdminPage'),
  }),
  getSaleMonitor: operation({
    summary: "A product's sale monitor: stock left, orders per minute, sold-out time, refusals by reason (operator)",
    description:
      'Read from counters, never from orders (docs/flash-sale.md): each order is counted on its stock shard\'s minute item in the ' +
      "redemption's own transaction; refusals are counted by each function instance and written every few seconds, so the latest " +
      'refusals show up to ~5 s late. The answer is reused for 2 s by the function: poll every few seconds.',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    query: z.object({
      minutes: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(180)), 30), { description: 'Minutes of history, the current one included (1-180, default 30).' }),
    }),
    response: saleMonitorSchema,
    errors: ['NOT_FOUND'],
  }),
  setStock: operation({
    summary: 'Set or add stock, spread evenly over the shards; clears sold out (operator)',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    body: stockInputSchema,
    response: stockSchema,
    errors: ['NOT_FOUND'],
  }),
  rebalanceStock: operation({
    summary: 'Spread the remaining stock evenly over the shards, optionally changing their number (operator)',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    body: rebalanceInputSchema,
    response: stockSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  uploadProductCodes: operation({
    summary: 'Add codes (top-up cards, coupon codes) to a VIRTUAL product: each new code is one unit of stock (operator)',
    description:
      'Idempotent per code: a code uploaded before is counted in `duplicates` and changes nothing. Each code is bound to the stock shard its ' +
      'hash picks, in the same transaction that adds the unit to that shard. Codes never appear in answers or logs.',
    tags: ['mall admin'],
    params: z.object({ productId: idSchema }),
    body: codeUploadSchema,
    response: doc(z.object({ productId: z.string(), accepted: z.number().check(z.int()), duplicates: z.number().check(z.int()), stock: stockSchema }), 'CodeUploadResult'),
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listMallProducts: operation({
    summary: "Products of a zone the member's tier may see, in zone order",
    tags: ['mall'],
    query: docExtend(pageQuerySchema, { zone: z._default(zoneName, 'main') }),
    response: doc(pageOf(mallProductSchema), 'MallProductPage'),
  }),
  getMallProduct: operation({
    summary: 'One product (404 if hidden from the member\'s tier or inactive)',
    tags: ['mall'],
    params: z.object({ productId: idSchema }),
    response: mallProductSchema,
    errors: ['NOT_FOUND'],
  }),
  placeOrder: operation({
    summary: 'Redeem a product: points only, or points plus cash (PENDING_PAYMENT until paid by payBy)',
    description:
      'One DynamoDB transaction takes the points (SPEND, or HOLD for POINTS_CASH), a unit of stock from one shard, the purchase-limit ' +
      'counters, and writes the order and its ledger entry. Requires Idempotency-Key: a retry answers the first order.',
    tags: ['orders'],
    body: orderInputSchema,
    response: orderSchema,
    status: 201,
    idempotency: 'required',
    errors: ['INSUFFICIENT_POINTS', 'OUT_OF_STOCK', 'NOT_ON_SALE', 'LIMIT_REACHED', 'FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'THROTTLED'],
  }),
  listMyOrders: operation({
    summary: 'My orders, newest first',
    tags: ['orders'],
    query: pageQuerySchema,
    response: orderPageSchema,
  }),
  listMemberOrders: operation({
    summary: "A member's orders, newest first (operator)",
    description: 'The same list as GET /v1/me/orders answers the member, for the member in the path.',
    tags: ['admin'],
    params: memberIdParams,
    query: pageQuerySchema,
    response: orderPageSchema,
    errors: ['NOT_FOUND'],
  }),
  getOrder: operation({
    summary: 'One of my orders with its status history',
    tags: ['orders'],
    params: z.object({ orderId: idSchema }),
    response: orderSchema,
    errors: ['NOT_FOUND'],
  }),
  cancelOrder: operation({
    summary: 'Cancel an order not yet fulfilled: points and stock come back',
    description: 'PLACED orders get their points refunded; PENDING_PAYMENT orders get their held points released. Idempotent: cancelling a cancelled order answers it.',
    tags: ['orders'],
    params: z.object({ orderId: idSchema }),
    response: orderSchema,
    idempotency: 'optional',
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  cancelOrderAdmin: operation({
    summary: "Cancel a member's order not yet fulfilled (operators): points and stock come back",
    description:
      "As the member's cancel (REFUND or RELEASE entry, stock and limits back); the status history names the operator. Idempotent: cancelling a cancelled order answers it.",
    tags: ['orders'],
    params: z.object({ orderId: idSchema }),
    response: orderSchema,
    idempotency: 'optional',
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
};
