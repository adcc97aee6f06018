import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import type { Caller } from '../../shared/http/auth.js';
import { DomainError } from '../../shared/errors.js';
import { listOrdersAdmin, orderDetail, refundOrder } from '../../shared/mall/order-admin.js';
import { cancelOrder, getOrder, listMemberOrders, placeOrder } from '../../shared/mall/orders.js';
import { requireMember } from '../../shared/members/service.js';
import { checkShared } from '../../shared/http/member-rate-limit.js';
import { flushRefusalsAfterRedemption, isRefusalReason, recordRefusal } from '../../shared/mall/sale-stats.js';
import { businessMetrics } from '../../shared/observability/business-metrics.js';
import { metrics } from '../../shared/observability/powertools.js';
import { mallOperations } from '../../shared/contracts/mall.js';
import { orderAdminOperations } from '../../shared/contracts/orders-admin.js';

/**
 * Who acts on an order: a member on the member routes (their own orders; those routes refuse operator tokens,
 * shared/http/auth.ts), or an operator on the admin routes (any member's order).
 */
function actorOf(caller: Caller | undefined, admin = false): { memberId: string; admin: boolean } {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return { memberId: caller.subject, admin };
}

const callerOf = (caller: Caller | undefined) => actorOf(caller);
const operatorOf = (caller: Caller | undefined) => actorOf(caller, true);

export const handler = httpHandler('orders', { ...mallOperations, ...orderAdminOperations }, {
  placeOrder: async ({ caller, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    let outcome;
    try {
      const { memberId } = callerOf(caller);
      // The member's rate across instances, paid only by a redemption about to write (shared/http/member-rate-limit.ts).
      outcome = await placeOrder({ memberId, ...body, idempotency, beforeWrite: () => checkShared('placeOrder', memberId) });
    } catch (error) {
      // The sale monitor's refusals by reason: counted in memory, written every few seconds (shared/mall/sale-stats.ts).
      if (error instanceof DomainError && isRefusalReason(error.code)) recordRefusal(body.productId, error.code);
      await flushRefusalsAfterRedemption();
      throw error;
    }
    await flushRefusalsAfterRedemption();
    // The redemption rate counts orders, not calls: a replayed key placed nothing new.
    if (!outcome.replayed) metrics.addMetric(businessMetrics.ordersPlaced, 'Count', 1);
    return committedAnswer(outcome);
  },
  listMyOrders: async ({ caller, page }) => listMemberOrders(callerOf(caller).memberId, page),
  listMemberOrders: async ({ params, page }) => {
    await requireMember(params.memberId);
    return listMemberOrders(params.memberId, page);
  },
  getOrder: async ({ caller, params }) => getOrder(params.orderId, callerOf(caller)),
  cancelOrder: async ({ caller, params, idempotency }) => committedAnswer(await cancelOrder(params.orderId, callerOf(caller), { idempotency })),
  listOrdersAdmin: async ({ query, page }) => {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return listOrdersAdmin(filters, page);
  },
  getOrderAdmin: async ({ params }) => orderDetail(params.orderId),
  cancelOrderAdmin: async ({ caller, params, idempotency }) =>
    committedAnswer(await cancelOrder(params.orderId, operatorOf(caller), { idempotency })),
  refundOrderAdmin: async ({ caller, params, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header (one per refund dialog)');
    return committedAnswer(await refundOrder(params.orderId, operatorOf(caller).memberId, body, { idempotency }));
  },
});
