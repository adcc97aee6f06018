import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';
import { tiers } from '../domain/tiers.js';
import { instantTypes, orderStatuses, paymentKinds, productTypes, saleRefusalReasons } from './limits.js';

export { instantTypes, orderStatuses, paymentKinds, productTypes, saleRefusalReasons };


/** Hard ceiling of stock shards per product: a redemption tries each at most once; 256 carry 50,000 redemptions/s (docs/flash-sale.md). */
export const MAX_STOCK_SHARDS = 256;

const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });
const zoneName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, 'a zone name such as "main", "flash-sale" or "gold-club" (lower-case letters, digits, hyphens)');

const pointsCashSchema = z
  .object({
    points: z.number().int().min(0).max(100_000_000),
    cashCents: z.number().int('cashCents is whole fen (1 CNY = 100)').positive('cashCents must be positive').max(100_000_000),
  })
  .strict();

const productFields = {
  name: z.string().trim().min(2, 'give the product a name of at least 2 characters').max(200),
  description: z.string().max(4000).default(''),
  type: z.enum(productTypes).openapi({
    description: 'PHYSICAL: shipped by the brand; VIRTUAL: a code from the product code pool; COUPON: a coupon issued to the member; SUPPLIER: fulfilled by a supplier (JD, Tmall).',
  }),
  zone: zoneName.default('main').openapi({ description: 'Mall zone (专区) the product is listed in.' }),
  pricePoints: z
    .number()
    .int('pricePoints must be a whole number of points')
    .positive('pricePoints must be positive')
    .max(100_000_000)
    .openapi({ description: 'Price per unit when paid with points only (payment POINTS).' }),
  pointsCash: pointsCashSchema
    .nullable()
    .default(null)
    .openapi({ description: 'Price per unit when paid with points plus cash (payment POINTS_CASH), e.g. 2,000 points + 990 cents; null: not offered.' }),
  visibleToTiers: z
    .array(z.enum(tiers))
    .min(1, 'list at least one tier, or leave visibleToTiers out for everyone')
    .nullable()
    .default(null)
    .openapi({ description: 'Tiers that see and may redeem the product; null: every member.' }),
  limits: z
    .object({
      perDay: z.number().int().positive().max(1_000_000).nullable().default(null).openapi({ description: 'Units one member may redeem per programme-local day.' }),
      lifetime: z.number().int().positive().max(1_000_000).nullable().default(null).openapi({ description: 'Units one member may redeem in all.' }),
    })
    .strict()
    .default({ perDay: null, lifetime: null }),
  saleStartsAt: isoTime('saleStartsAt').nullable().default(null),
  saleEndsAt: isoTime('saleEndsAt').nullable().default(null),
  supplier: z
    .object({
      supplierId: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'a supplier id such as "jd" or "tmall"'),
      sku: z.string().min(1).max(100),
    })
    .strict()
    .nullable()
    .default(null)
    .openapi({ description: 'Supplier goods only: who fulfils the order and their SKU.' }),
  couponTemplateId: idSchema
    .nullable()
    .default(null)
    .openapi({ description: 'COUPON products only (required there): the template each redeemed unit issues a coupon from.' }),
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  sortOrder: z.number().int().min(0).max(1_000_000).default(1000).openapi({ description: 'Position within the zone, ascending.' }),
};


function checkProduct(
  p: { type: string; supplier: unknown; couponTemplateId: string | null; pointsCash: unknown; saleStartsAt: string | null; saleEndsAt: string | null },
  ctx: z.RefinementCtx,
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

export const productInputSchema = z
  .object({
    productId: idSchema.optional().openapi({ description: 'Your id for the product; generated when left out.' }),
    ...productFields,
    stockShards: z
      .number()
      .int()
      .min(1)
      .max(MAX_STOCK_SHARDS)
      .default(1)
      .openapi({ description: 'Items the stock is spread over: 1 for everyday goods, more for flash sales (see docs/flash-sale.md).' }),
    initialStock: z
      .number()
      .int()
      .min(0)
      .max(100_000_000)
      .default(0)
      .openapi({ description: 'Units on sale at creation; VIRTUAL products start at 0 and get stock by uploading codes.' }),
  })
  .strict()
  .superRefine(checkProduct)
  .superRefine((p, ctx) => {
    if (p.type === 'VIRTUAL' && p.initialStock > 0) {
      ctx.addIssue({ code: 'custom', path: ['initialStock'], message: 'VIRTUAL stock is its code pool: create it with 0 and upload codes' });
    }
  })
  .openapi('ProductInput');

export const productPatchSchema = z
  .object({
    expectedVersion: z.number().int().min(1).max(MAX_VERSION, MAX_VERSION_MESSAGE).openapi({ description: 'The version you read; refused with 409 if the product changed since.' }),
    name: productFields.name.optional(),
    description: z.string().max(4000).optional(),
    zone: zoneName.optional(),
    pricePoints: productFields.pricePoints.optional(),
    pointsCash: pointsCashSchema.nullable().optional(),
    visibleToTiers: z.array(z.enum(tiers)).min(1).nullable().optional(),
    limits: z
      .object({
        perDay: z.number().int().positive().max(1_000_000).nullable(),
        lifetime: z.number().int().positive().max(1_000_000).nullable(),
      })
      .strict()
      .optional(),
    saleStartsAt: isoTime('saleStartsAt').nullable().optional(),
    saleEndsAt: isoTime('saleEndsAt').nullable().optional(),
    status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
    // Not productFields.sortOrder: its default would put every product a patch leaves it out of back to 1000.
    sortOrder: z.number().int().min(0).max(1_000_000).optional().openapi({ description: 'Position within the zone, ascending.' }),
  })
  .strict()
  .openapi('ProductPatch');

const productViewFields = {
  productId: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.enum(productTypes),
  zone: z.string(),
  pricePoints: z.number().int(),
  pointsCash: z.object({ points: z.number().int(), cashCents: z.number().int() }).nullable(),
  visibleToTiers: z.array(z.enum(tiers)).nullable(),
  limits: z.object({ perDay: z.number().int().nullable(), lifetime: z.number().int().nullable() }),
  saleStartsAt: z.string().nullable(),
  saleEndsAt: z.string().nullable(),
  soldOut: z.boolean().openapi({ description: 'Set when a redemption found every stock shard empty; cleared by adding stock.' }),
};

export const mallProductSchema = z.object(productViewFields).openapi('MallProduct');

export const productSchema = z
  .object({
    ...productViewFields,
    supplier: z.object({ supplierId: z.string(), sku: z.string() }).nullable(),
    couponTemplateId: z.string().nullable(),
    status: z.enum(['ACTIVE', 'INACTIVE']),
    sortOrder: z.number().int(),
    stockShards: z.number().int(),
    soldOutAt: z.string().nullable().openapi({ description: 'When a redemption found every shard empty; null unless sold out.' }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Product');

export const stockSchema = z
  .object({
    productId: z.string(),
    available: z.number().int(),
    sold: z.number().int(),
    shards: z.array(z.object({ shard: z.number().int(), available: z.number().int(), sold: z.number().int() })),
  })
  .openapi('Stock');

export const stockInputSchema = z
  .object({
    mode: z.enum(['set', 'add']).openapi({ description: 'set: the available stock becomes quantity; add: quantity is added.' }),
    quantity: z.number().int('quantity must be a whole number').min(0, 'quantity must not be negative').max(100_000_000),
  })
  .strict()
  .openapi('StockInput');

export const rebalanceInputSchema = z
  .object({
    shards: z.number().int().min(1).max(MAX_STOCK_SHARDS).optional().openapi({ description: 'New number of shards; the current one when left out.' }),
  })
  .strict()
  .openapi('RebalanceInput');

export const orderInputSchema = z
  .object({
    productId: idSchema,
    quantity: z.number().int('quantity must be a whole number').min(1, 'quantity must be at least 1').max(10, 'at most 10 units per order').default(1),
    payment: z.enum(paymentKinds).default('POINTS'),
  })
  .strict()
  .openapi('OrderInput');

export const orderSchema = z
  .object({
    orderId: z.string(),
    memberId: z.string(),
    productId: z.string(),
    productName: z.string(),
    productType: z.enum(productTypes),
    quantity: z.number().int(),
    payment: z.enum(paymentKinds),
    points: z.number().int(),
    cashCents: z.number().int(),
    status: z.enum(orderStatuses),
    payBy: z.string().nullable().openapi({ description: 'POINTS_CASH: pay the cash part by then, or the order is released.' }),
    supplier: z.object({ supplierId: z.string(), sku: z.string() }).nullable(),
    history: z.array(z.object({ status: z.enum(orderStatuses), at: z.string(), reason: z.string() })),
    trackingNo: z.string().nullable().optional().openapi({ description: 'Supplier goods: the carrier tracking number, once shipped.' }),
    code: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "VIRTUAL orders: the code delivered. Only the order's owner sees it; operators see all but the last 4 characters masked." }),
    couponIds: z.array(z.string()).optional().openapi({ description: 'COUPON orders: the coupons issued (see GET /v1/me/coupons).' }),
    source: z
      .object({ kind: z.enum(['AUCTION', 'DRAW']), id: z.string() })
      .optional()
      .openapi({ description: 'Orders not redeemed in the mall: the auction won or the lucky-draw spin that created the order (no mall stock or limits used).' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order');

/** Codes of one upload; each 6-64 characters so the masked view keeps something hidden. */
export const MAX_CODES_PER_UPLOAD = 500;

export const codeUploadSchema = z
  .object({
    codes: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'a code is 6-64 letters, digits, underscores or hyphens'))
      .min(1, 'send at least one code')
      .max(MAX_CODES_PER_UPLOAD, `at most ${MAX_CODES_PER_UPLOAD} codes per upload; send more in further uploads`),
  })
  .strict()
  .openapi('CodeUpload');

const orderPageSchema = pageOf(orderSchema).openapi('OrderPage');

const productWithStockSchema = productSchema.extend({ stock: stockSchema }).openapi('ProductWithStock');

const booleanFilter = (description: string) =>
  z.enum(['true', 'false'], { message: 'true or false' }).optional().openapi({ description });

export const productListQuerySchema = pageQuerySchema.extend({
  type: z.enum(productTypes).optional(),
  zone: zoneName.optional().openapi({ description: "Only this zone's products, in the zone's sort order (otherwise every product, newest first)." }),
  status: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  onSaleNow: booleanFilter('true: active and inside the sale window now; false: the others.'),
  flashSale: booleanFilter(`true: listed in the flash-sale zone ("flash-sale"); false: the others.`),
});


const refusalCountsSchema = z
  .object(Object.fromEntries(saleRefusalReasons.map((r) => [r, z.number().int()])) as Record<(typeof saleRefusalReasons)[number], z.ZodNumber>)
  .openapi('SaleRefusals', { description: 'Refused redemptions by problem code: sold out, purchase limit reached, not enough points, outside the sale window, tier not allowed.' });

export const saleMonitorSchema = z
  .object({
    productId: z.string(),
    name: z.string(),
    zone: z.string(),
    onSaleNow: z.boolean(),
    ordersCounted: z
      .boolean()
      .openapi({ description: 'Whether orders are counted per minute: flash sales only (a sale window, or the flash-sale zone); else orders are 0.' }),
    saleStartsAt: z.string().nullable(),
    saleEndsAt: z.string().nullable(),
    stock: stockSchema.openapi({ description: 'Stock left, total and per shard (eventually consistent: may lag a second).' }),
    soldOut: z.boolean(),
    soldOutAt: z.string().nullable().openapi({ description: 'When a redemption found every shard empty.' }),
    ordersPerMinute: z.number().int().openapi({ description: 'Orders placed in the last complete minute.' }),
    ordersThisMinute: z.number().int().openapi({ description: 'Orders placed so far in the current minute.' }),
    orders: z.number().int().openapi({ description: 'Orders placed in the window.' }),
    units: z.number().int().openapi({ description: 'Units sold in the window.' }),
    refusals: refusalCountsSchema,
    minutes: z
      .array(z.object({ minute: z.string().openapi({ description: 'UTC minute, YYYY-MM-DDTHH:MM.' }), orders: z.number().int(), units: z.number().int(), refusals: refusalCountsSchema }))
      .openapi({ description: 'One entry per minute of the window, oldest first, the current minute last.' }),
    asOf: z.string(),
  })
  .openapi('SaleMonitor');

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
    response: pageOf(productWithStockSchema).openapi('ProductAdminPage'),
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
      minutes: z.coerce.number().int().min(1).max(180).default(30).openapi({ description: 'Minutes of history, the current one included (1-180, default 30).' }),
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
    response: z
      .object({ productId: z.string(), accepted: z.number().int(), duplicates: z.number().int(), stock: stockSchema })
      .openapi('CodeUploadResult'),
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listMallProducts: operation({
    summary: "Products of a zone the member's tier may see, in zone order",
    tags: ['mall'],
    query: pageQuerySchema.extend({ zone: zoneName.default('main') }),
    response: pageOf(mallProductSchema).openapi('MallProductPage'),
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
    errors: ['INSUFFICIENT_POINTS', 'OUT_OF_STOCK', 'NOT_ON_SALE', 'LIMIT_REACHED', 'FORBIDDEN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
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
