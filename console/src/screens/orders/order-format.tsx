import { Tag } from 'antd';
import type { components } from '../../api/schema';
import type { ScreenI18n } from '../../i18n/locale';
import type { OrderI18nKey } from './messages';

export type OrderI18n = ScreenI18n<OrderI18nKey>;
export type Order = components['schemas']['Order'];
export type OrderStatus = Order['status'];
export type PaymentKind = Order['payment'];

// Every status of the API's Order, in the order of an order's life: a Record over the generated union, so a status
// added to the contract and not here (or one here the contract dropped) fails the console's typecheck.
const orderStatusOrder: Record<OrderStatus, number> = {
  PLACED: 0,
  PENDING_PAYMENT: 1,
  PAID: 2,
  SUBMITTED: 3,
  ACCEPTED: 4,
  SHIPPED: 5,
  DELIVERED: 6,
  FULFILLED: 7,
  CANCELLED: 8,
  EXPIRED: 9,
  REJECTED: 10,
  FAILED: 11,
  REFUNDED: 12,
};
export const ORDER_STATUSES: readonly OrderStatus[] = (Object.keys(orderStatusOrder) as OrderStatus[]).sort((a, b) => orderStatusOrder[a] - orderStatusOrder[b]);
export const PAYMENT_KINDS: readonly PaymentKind[] = ['POINTS', 'POINTS_CASH'];

const statusColours: Partial<Record<OrderStatus, string>> = {
  PENDING_PAYMENT: 'gold',
  PAID: 'blue',
  SUBMITTED: 'blue',
  ACCEPTED: 'blue',
  SHIPPED: 'cyan',
  DELIVERED: 'green',
  FULFILLED: 'green',
  REJECTED: 'red',
  FAILED: 'red',
  REFUNDED: 'purple',
};

/** A message key built from an API enum value: the catalogues have one per value (typed as the screen's keys). */
export function enumKey(prefix: string, value: string): OrderI18nKey {
  return `${prefix}.${value}` as OrderI18nKey;
}

export function OrderStatusTag({ status, i18n }: { readonly status: OrderStatus; readonly i18n: OrderI18n }) {
  return <Tag color={statusColours[status] ?? 'default'}>{i18n.t(enumKey('order.status', status))}</Tag>;
}

/** `5,000 points` or `2,000 points + ¥9.90`. */
export function priceText(order: Pick<Order, 'points' | 'cashCents'>, i18n: OrderI18n): string {
  return order.cashCents > 0 ? `${i18n.points(order.points)} + ${i18n.money(order.cashCents)}` : i18n.points(order.points);
}
