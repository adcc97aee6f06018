import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { DomainError, NotFoundError } from '../../shared/errors.js';
import { createProduct, getProduct, listProductsForOperator, listZone, mallView, updateProduct, visibleTo } from '../../shared/mall/catalogue.js';
import { saleMonitor } from '../../shared/mall/sale-stats.js';
import { forgetEmptyShards } from '../../shared/mall/orders.js';
import { changeStock, readStock, rebalanceStock } from '../../shared/mall/stock.js';
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

export const handler = httpHandler('mall', { ...mallOperations, ...couponOperations }, {
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
  setStock: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    refuseStockChangeOfCodePool(product);
    const stock = await changeStock(product.productId, product.stockShards, body.mode, body.quantity);
    forgetEmptyShards(product.productId);
    return stock;
  },
  rebalanceStock: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    refuseStockChangeOfCodePool(product);
    const stock = await rebalanceStock(product.productId, product.stockShards, body.shards ?? product.stockShards, new Date(), product.saleStatsShards);
    forgetEmptyShards(product.productId);
    return stock;
  },
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
