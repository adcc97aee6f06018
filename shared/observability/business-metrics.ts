/**
 * Names of the business metrics the functions emit (CloudWatch embedded metric
 * format, through the Powertools metrics singleton) and the dashboard reads
 * (lib/constructs/points-mall-dashboard.ts): one list, so the two cannot drift.
 * Dimensions are few and bounded: `service` (the function, set by Powertools)
 * plus the ones named here.
 */
export const METRICS_NAMESPACE = 'PointsMall';

export const businessMetrics = {
  /** A new order placed through `POST /v1/orders` (idempotent replays excluded); `orders` function. */
  ordersPlaced: 'OrdersPlaced',
  /** Points issued (earned, vested, credited by operators), per `currency`, as the points-report consumer counts new ledger entries; `reports` function. */
  pointsIssued: 'PointsIssued',
  /** Points redeemed (spent, or captured from a hold), per `currency`, gross of refunds; `reports` function. */
  pointsRedeemed: 'PointsRedeemed',
  /** Units left of a flash-sale product on sale now, per `productId`; the `flash-sale-stock` job (`jobs` function), each minute. */
  flashSaleStockLeft: 'FlashSaleStockLeft',
} as const;
