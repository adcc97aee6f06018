import { httpHandler } from '../../shared/http/handler.js';
import { DomainError, NotFoundError } from '../../shared/errors.js';
import { createProduct, getProduct, listZone, mallView, updateProduct, visibleTo } from '../../shared/mall/catalogue.js';
import { forgetEmptyShards } from '../../shared/mall/orders.js';
import { changeStock, readStock, rebalanceStock } from '../../shared/mall/stock.js';
import { getMember } from '../../shared/members/service.js';
import type { Caller } from '../../shared/http/auth.js';

function memberIdOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('mall', {
  createProduct: async ({ body }) => createProduct(body),
  updateProduct: async ({ params, body }) => updateProduct(params.productId, body),
  getProductAdmin: async ({ params }) => {
    const product = await getProduct(params.productId, { fresh: true });
    return { ...product, stock: await readStock(product.productId, product.stockShards) };
  },
  setStock: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    const stock = await changeStock(product.productId, product.stockShards, body.mode, body.quantity);
    forgetEmptyShards(product.productId);
    return stock;
  },
  rebalanceStock: async ({ params, body }) => {
    const product = await getProduct(params.productId, { fresh: true });
    const stock = await rebalanceStock(product.productId, product.stockShards, body.shards ?? product.stockShards);
    forgetEmptyShards(product.productId);
    return stock;
  },
  listMallProducts: async ({ caller, query }) => {
    const member = await getMember(memberIdOf(caller));
    return listZone(query.zone, member.tier, { limit: query.limit, cursor: query.cursor });
  },
  getMallProduct: async ({ caller, params }) => {
    const member = await getMember(memberIdOf(caller));
    const product = await getProduct(params.productId);
    // Hidden products do not exist for members who may not see them.
    if (!visibleTo(product, member.tier)) throw new NotFoundError(`product ${params.productId} does not exist`);
    return mallView(product);
  },
});
