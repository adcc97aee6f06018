import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { ADMIN_GROUP, type Caller } from '../../shared/http/auth.js';
import { DomainError } from '../../shared/errors.js';
import { cancelOrder, getOrder, listMemberOrders, placeOrder } from '../../shared/mall/orders.js';

function callerOf(caller: Caller | undefined): { memberId: string; admin: boolean } {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return { memberId: caller.subject, admin: caller.groups.includes(ADMIN_GROUP) };
}

export const handler = httpHandler('orders', {
  placeOrder: async ({ caller, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    return committedAnswer(await placeOrder({ memberId: callerOf(caller).memberId, ...body, idempotency }));
  },
  listMyOrders: async ({ caller, page }) => listMemberOrders(callerOf(caller).memberId, page),
  getOrder: async ({ caller, params }) => getOrder(params.orderId, callerOf(caller)),
  cancelOrder: async ({ caller, params, idempotency }) => committedAnswer(await cancelOrder(params.orderId, callerOf(caller), { idempotency })),
});
