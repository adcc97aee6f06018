/**
 * The ONE table of HTTP routes, event rules and schedules. The CDK stack
 * (lib/points-mall-stack.ts) and the local runtime (bin/local.ts) both read
 * it: a route added here exists in both, with the same function and auth.
 */
import type { OperationId } from '../shared/contracts/index.js';

/** One Lambda function per capability; each routes its own paths. */
export const functionNames = ['system', 'members', 'earning', 'campaigns', 'jobs', 'reports', 'whatif', 'mall', 'orders', 'outbox', 'webhooks', 'fulfilment', 'tasks', 'auctions', 'draws'] as const;
export type FunctionName = (typeof functionNames)[number];

export interface FunctionSpec {
  /** Handler module, relative to the project root. */
  readonly entry: string;
  readonly description: string;
  /** Least privilege on the table. */
  readonly tableAccess: 'none' | 'read' | 'readwrite';
  /** Whether the function puts events on the bus. */
  readonly publishesEvents: boolean;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /**
   * The most an HTTP invocation works before it answers 503 (shared/http/handler.ts `workingTimeMs`);
   * without it, the Lambda timeout minus a margin, within the HTTP API's 30 s.
   */
  readonly answerWithinMs?: number;
  /**
   * Reserved concurrency: the function's instances are guaranteed this many
   * and capped at it (Lambda throttles beyond). Without it, the function
   * shares the account's unreserved pool. The local runtime emulates both
   * (bin/local/concurrency.ts).
   */
  readonly reservedConcurrency?: number;
}

export const functions: Record<FunctionName, FunctionSpec> = {
  system: {
    entry: 'functions/system/handler.ts',
    description: 'Liveness and readiness, the OpenAPI document and its rendered reference page, and problem+json answers for unknown routes',
    tableAccess: 'read',
    publishesEvents: false,
    memoryMb: 256,
    timeoutSeconds: 5,
  },
  members: {
    entry: 'functions/members/handler.ts',
    description: 'Member registration, profile, points, ledger; operator adjustments',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  earning: {
    entry: 'functions/earning/handler.ts',
    description:
      'Earning rules, previews, the store registry and its POS clients; POS purchases (limits, daily caps, reviews), refunds, top-ups, checkout redemptions, offline batches (large ones from the table stream)',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  campaigns: {
    entry: 'functions/campaigns/handler.ts',
    description: 'Timed campaigns (double points, bonuses), points pools for activity points, and their results',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  jobs: {
    entry: 'functions/jobs/handler.ts',
    description: 'Scheduled jobs (points expiry, ...) run by the scheduler or on demand',
    tableAccess: 'readwrite',
    // Its events go through the outbox (written with each change), so it never puts any on the bus itself.
    publishesEvents: false,
    memoryMb: 1024,
    timeoutSeconds: 900,
    // A run fans out inside one invocation; a few at once are plenty, and a batch of runs must not take the API's share.
    reservedConcurrency: 5,
  },
  mall: {
    entry: 'functions/mall/handler.ts',
    description:
      'Mall catalogue: products, zones, tier visibility, stock shards, code pools; stock feeds (small ones at once, large ones from the table stream); coupon templates, members\' coupons and their POS redemption',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  orders: {
    entry: 'functions/orders/handler.ts',
    description: 'Redemptions (the flash-sale hot path), orders, cancellations',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 1024,
    timeoutSeconds: 10,
    // A redemption takes tens of milliseconds; one still working after 1.5 s is stuck behind a hot shard or an
    // overloaded table, and a member at a flash sale is better served by a quick 503 (retry with the same key).
    answerWithinMs: 1_500,
    // The stage throttle (2,000 requests/s) at about 50 ms a redemption keeps some 100 instances busy: reserved so a
    // sale always has them, capped so it cannot take the instances POS earning and the rest of the API need.
    reservedConcurrency: 100,
  },
  auctions: {
    entry: 'functions/auctions/handler.ts',
    description: 'Points auctions: operators create, change (before opening) and cancel them; members list, read and bid (proxy bidding, holds, anti-sniping); settlement runs in jobs',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  webhooks: {
    entry: 'functions/webhooks/handler.ts',
    description: 'Signed supplier and payment callbacks: signature, freshness and nonce checks; the verified message becomes an outbox event',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  fulfilment: {
    entry: 'functions/fulfilment/handler.ts',
    description: 'Order state machine on the bus: supplier callbacks, payment callbacks, submission to suppliers',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 30,
    // Invoked asynchronously by the bus: a throttled event waits in Lambda's queue and is retried, so after a sale the
    // burst of OrderPlaced events is worked off at this pace (and the suppliers' APIs with it) instead of taking the API's instances.
    reservedConcurrency: 20,
  },
  outbox: {
    entry: 'functions/outbox/handler.ts',
    description:
      'Event delivery: puts the outbox events written with each state change on the bus (table stream); records failed deliveries as dead letters (from the DLQs of the rules and their targets); the dead-letter and fulfilment-problem admin routes',
    tableAccess: 'readwrite',
    publishesEvents: true,
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  tasks: {
    entry: 'functions/tasks/handler.ts',
    description: 'Task centre: daily sign-in with streaks, share, browse, custom tasks and streak challenges, paid from points pools',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  draws: {
    entry: 'functions/draws/handler.ts',
    description: 'Lucky draws: prizes and published odds, provably fair spins (each one transaction), seeds, the audit trail',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  reports: {
    entry: 'functions/reports/handler.ts',
    description:
      'Points reports, expiry forecast, campaign report and dashboard (counted from ledger entries, wallet and order changes on the table stream); the audit log',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 60,
  },
  // Apart from reports: a replay loads the whole earning engine and the draft rules' and campaigns' schemas, which
  // the reports' reads never need (their cold start stays near the floor).
  whatif: {
    entry: 'functions/whatif/handler.ts',
    description: 'What-if replays of draft earning rules and campaigns over past purchases: taken by the API, run from the table stream in bounded segments',
    tableAccess: 'readwrite',
    publishesEvents: false,
    memoryMb: 512,
    timeoutSeconds: 60,
  },
};

/** Lambda's default concurrency quota per account and Region: what the unreserved functions share. */
export const ACCOUNT_CONCURRENCY = 1_000;
/** Lambda refuses reservations that leave the unreserved pool below this. */
export const MIN_UNRESERVED_CONCURRENCY = 100;

/** The concurrency the functions without a reservation share (the account's quota minus every reservation). */
export function unreservedConcurrency(accountConcurrency = ACCOUNT_CONCURRENCY): number {
  return accountConcurrency - Object.values(functions).reduce((sum, spec) => sum + (spec.reservedConcurrency ?? 0), 0);
}

/**
 * Who may call a route. `member`: a member token (`sub` = member id);
 * `admin`: a token in group `admin`; `pos`: a client-credentials token with
 * scope `pos`; `public`: no token (webhooks verify a signature instead).
 */
export type RouteAuth = 'public' | 'member' | 'admin' | 'pos';

/**
 * Scopes of machine clients (client-credentials tokens, no operator group) that an operator route may admit
 * besides its operators: `inventory`, the inventory system that sends stock feeds.
 */
export type ClientScope = 'inventory';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly auth: RouteAuth;
  /**
   * `admin` routes only: a client-credentials token with this scope is admitted too (audited as that client, role
   * `inventory`). Such a token is refused on every other route (shared/http/auth.ts).
   */
  readonly clientScope?: ClientScope;
  readonly operation: OperationId;
}

export const routes = [
  { method: 'GET', path: '/v1/health', fn: 'system', auth: 'public', operation: 'health' },
  { method: 'GET', path: '/v1/health/ready', fn: 'system', auth: 'public', operation: 'healthReady' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'system', auth: 'public', operation: 'openapi' },
  { method: 'GET', path: '/v1/docs', fn: 'system', auth: 'public', operation: 'apiDocs' },

  { method: 'POST', path: '/v1/me/register', fn: 'members', auth: 'member', operation: 'registerMember' },
  { method: 'GET', path: '/v1/me', fn: 'members', auth: 'member', operation: 'getMe' },
  { method: 'DELETE', path: '/v1/me', fn: 'members', auth: 'member', operation: 'eraseMe' },
  { method: 'GET', path: '/v1/me/points', fn: 'members', auth: 'member', operation: 'getMyPoints' },
  { method: 'GET', path: '/v1/me/ledger', fn: 'members', auth: 'member', operation: 'listMyLedger' },
  { method: 'POST', path: '/v1/me/exchanges', fn: 'members', auth: 'member', operation: 'exchangePoints' },
  { method: 'POST', path: '/v1/me/tier-upgrades', fn: 'members', auth: 'member', operation: 'buyTierUpgrade' },
  { method: 'POST', path: '/v1/me/payment-codes', fn: 'members', auth: 'member', operation: 'issuePaymentCode' },

  { method: 'GET', path: '/v1/admin/members', fn: 'members', auth: 'admin', operation: 'searchMembers' },
  { method: 'GET', path: '/v1/admin/members/{memberId}', fn: 'members', auth: 'admin', operation: 'getMember' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/ledger', fn: 'members', auth: 'admin', operation: 'listMemberLedger' },
  { method: 'DELETE', path: '/v1/admin/members/{memberId}', fn: 'members', auth: 'admin', operation: 'eraseMember' },
  {
    method: 'POST',
    path: '/v1/admin/members/{memberId}/adjustments',
    fn: 'members',
    auth: 'admin',
    operation: 'adjustMemberPoints',
  },
  { method: 'POST', path: '/v1/admin/members/{memberId}/tier', fn: 'members', auth: 'admin', operation: 'setMemberTier' },
  { method: 'GET', path: '/v1/admin/approvals', fn: 'members', auth: 'admin', operation: 'listApprovals' },
  { method: 'GET', path: '/v1/admin/approvals/{approvalId}', fn: 'members', auth: 'admin', operation: 'getApproval' },
  { method: 'POST', path: '/v1/admin/approvals/{approvalId}/approve', fn: 'members', auth: 'admin', operation: 'approveApproval' },
  { method: 'POST', path: '/v1/admin/approvals/{approvalId}/reject', fn: 'members', auth: 'admin', operation: 'rejectApproval' },
  { method: 'GET', path: '/v1/admin/settings', fn: 'members', auth: 'admin', operation: 'getOperatorSettings' },
  { method: 'PUT', path: '/v1/admin/settings', fn: 'members', auth: 'admin', operation: 'putOperatorSettings' },
  { method: 'POST', path: '/v1/admin/jobs/{job}', fn: 'jobs', auth: 'admin', operation: 'runJob' },

  { method: 'GET', path: '/v1/admin/earning-rules', fn: 'campaigns', auth: 'admin', operation: 'getEarningRules' },
  { method: 'GET', path: '/v1/admin/earning-rules/versions', fn: 'campaigns', auth: 'admin', operation: 'listEarningRuleVersions' },
  { method: 'PUT', path: '/v1/admin/earning-rules', fn: 'campaigns', auth: 'admin', operation: 'putEarningRules' },
  { method: 'POST', path: '/v1/admin/earning-previews', fn: 'campaigns', auth: 'admin', operation: 'previewEarning' },
  { method: 'POST', path: '/v1/admin/stores', fn: 'campaigns', auth: 'admin', operation: 'createStore' },
  { method: 'GET', path: '/v1/admin/stores', fn: 'campaigns', auth: 'admin', operation: 'listStores' },
  { method: 'GET', path: '/v1/admin/stores/{storeId}', fn: 'campaigns', auth: 'admin', operation: 'getStore' },
  { method: 'PATCH', path: '/v1/admin/stores/{storeId}', fn: 'campaigns', auth: 'admin', operation: 'updateStore' },
  { method: 'POST', path: '/v1/pos/purchases', fn: 'earning', auth: 'pos', operation: 'recordPurchase' },
  { method: 'POST', path: '/v1/pos/purchases/{purchaseId}/refunds', fn: 'earning', auth: 'pos', operation: 'refundPurchase' },
  { method: 'POST', path: '/v1/pos/purchases/{purchaseId}/void', fn: 'earning', auth: 'pos', operation: 'voidPurchase' },
  // Offline batches: small ones applied in the request, large ones from the table stream (consumer purchase-batches).
  { method: 'POST', path: '/v1/pos/purchase-batches', fn: 'earning', auth: 'pos', operation: 'submitPurchaseBatch' },
  { method: 'GET', path: '/v1/pos/purchase-batches/{batchId}', fn: 'earning', auth: 'pos', operation: 'getPurchaseBatch' },
  { method: 'POST', path: '/v1/pos/top-ups', fn: 'earning', auth: 'pos', operation: 'recordTopUp' },
  { method: 'POST', path: '/v1/pos/redemptions', fn: 'earning', auth: 'pos', operation: 'redeemAtCheckout' },
  { method: 'GET', path: '/v1/admin/purchase-reviews', fn: 'campaigns', auth: 'admin', operation: 'listPurchaseReviews' },
  { method: 'POST', path: '/v1/admin/purchase-reviews/{purchaseId}/approve', fn: 'campaigns', auth: 'admin', operation: 'approvePurchaseReview' },
  { method: 'POST', path: '/v1/admin/purchase-reviews/{purchaseId}/reject', fn: 'campaigns', auth: 'admin', operation: 'rejectPurchaseReview' },

  { method: 'POST', path: '/v1/admin/campaigns', fn: 'campaigns', auth: 'admin', operation: 'createCampaign' },
  { method: 'GET', path: '/v1/admin/campaigns', fn: 'campaigns', auth: 'admin', operation: 'listCampaigns' },
  { method: 'GET', path: '/v1/admin/campaigns/{campaignId}', fn: 'campaigns', auth: 'admin', operation: 'getCampaign' },
  { method: 'PATCH', path: '/v1/admin/campaigns/{campaignId}', fn: 'campaigns', auth: 'admin', operation: 'updateCampaign' },
  { method: 'GET', path: '/v1/admin/campaigns/{campaignId}/stats', fn: 'campaigns', auth: 'admin', operation: 'campaignStats' },

  { method: 'POST', path: '/v1/admin/pools', fn: 'campaigns', auth: 'admin', operation: 'createPool' },
  { method: 'GET', path: '/v1/admin/pools', fn: 'campaigns', auth: 'admin', operation: 'listPools' },
  { method: 'GET', path: '/v1/admin/pools/{poolId}', fn: 'campaigns', auth: 'admin', operation: 'getPool' },

  { method: 'GET', path: '/v1/admin/reports/points', fn: 'reports', auth: 'admin', operation: 'pointsReport' },
  { method: 'GET', path: '/v1/admin/audit', fn: 'reports', auth: 'admin', operation: 'listAudit' },
  { method: 'POST', path: '/v1/admin/what-if-replays', fn: 'whatif', auth: 'admin', operation: 'createWhatIfReplay' },
  { method: 'GET', path: '/v1/admin/what-if-replays', fn: 'whatif', auth: 'admin', operation: 'listWhatIfReplays' },
  { method: 'GET', path: '/v1/admin/what-if-replays/{replayId}', fn: 'whatif', auth: 'admin', operation: 'getWhatIfReplay' },
  { method: 'GET', path: '/v1/admin/reports/points/daily', fn: 'reports', auth: 'admin', operation: 'pointsDailyReport' },
  { method: 'GET', path: '/v1/admin/reports/campaigns', fn: 'reports', auth: 'admin', operation: 'campaignReport' },
  { method: 'GET', path: '/v1/admin/reports/expiry-forecast', fn: 'reports', auth: 'admin', operation: 'expiryForecast' },
  { method: 'GET', path: '/v1/admin/dashboard', fn: 'reports', auth: 'admin', operation: 'dashboard' },

  { method: 'POST', path: '/v1/admin/products', fn: 'mall', auth: 'admin', operation: 'createProduct' },
  { method: 'GET', path: '/v1/admin/products', fn: 'mall', auth: 'admin', operation: 'listProductsAdmin' },
  { method: 'GET', path: '/v1/admin/products/{productId}', fn: 'mall', auth: 'admin', operation: 'getProductAdmin' },
  { method: 'GET', path: '/v1/admin/products/{productId}/sale-monitor', fn: 'mall', auth: 'admin', operation: 'getSaleMonitor' },
  { method: 'PATCH', path: '/v1/admin/products/{productId}', fn: 'mall', auth: 'admin', operation: 'updateProduct' },
  { method: 'PUT', path: '/v1/admin/products/{productId}/stock', fn: 'mall', auth: 'admin', operation: 'setStock' },
  { method: 'POST', path: '/v1/admin/products/{productId}/stock/rebalance', fn: 'mall', auth: 'admin', operation: 'rebalanceStock' },
  { method: 'POST', path: '/v1/admin/products/{productId}/codes', fn: 'mall', auth: 'admin', operation: 'uploadProductCodes' },
  // Stock feeds: operators, or the inventory system's own credential (scope inventory), which may call nothing else.
  { method: 'POST', path: '/v1/admin/stock-feeds', fn: 'mall', auth: 'admin', clientScope: 'inventory', operation: 'submitStockFeed' },
  { method: 'GET', path: '/v1/admin/stock-feeds/{feedId}', fn: 'mall', auth: 'admin', clientScope: 'inventory', operation: 'getStockFeed' },
  { method: 'GET', path: '/v1/mall/products', fn: 'mall', auth: 'member', operation: 'listMallProducts' },
  { method: 'GET', path: '/v1/mall/products/{productId}', fn: 'mall', auth: 'member', operation: 'getMallProduct' },

  { method: 'POST', path: '/v1/admin/coupons', fn: 'mall', auth: 'admin', operation: 'createCouponTemplate' },
  { method: 'GET', path: '/v1/admin/coupons', fn: 'mall', auth: 'admin', operation: 'listCouponTemplates' },
  { method: 'GET', path: '/v1/admin/coupons/{couponTemplateId}', fn: 'mall', auth: 'admin', operation: 'getCouponTemplate' },
  { method: 'GET', path: '/v1/me/coupons', fn: 'mall', auth: 'member', operation: 'listMyCoupons' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/coupons', fn: 'mall', auth: 'admin', operation: 'listMemberCoupons' },
  { method: 'POST', path: '/v1/pos/coupons/{couponId}/redemptions', fn: 'mall', auth: 'pos', operation: 'redeemCoupon' },

  { method: 'POST', path: '/v1/orders', fn: 'orders', auth: 'member', operation: 'placeOrder' },
  { method: 'GET', path: '/v1/me/orders', fn: 'orders', auth: 'member', operation: 'listMyOrders' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/orders', fn: 'orders', auth: 'admin', operation: 'listMemberOrders' },
  { method: 'GET', path: '/v1/orders/{orderId}', fn: 'orders', auth: 'member', operation: 'getOrder' },
  { method: 'POST', path: '/v1/orders/{orderId}/cancel', fn: 'orders', auth: 'member', operation: 'cancelOrder' },
  { method: 'GET', path: '/v1/admin/orders/{orderId}', fn: 'orders', auth: 'admin', operation: 'getOrderAdmin' },
  { method: 'GET', path: '/v1/admin/orders', fn: 'orders', auth: 'admin', operation: 'listOrdersAdmin' },
  { method: 'POST', path: '/v1/admin/orders/{orderId}/cancel', fn: 'orders', auth: 'admin', operation: 'cancelOrderAdmin' },
  { method: 'POST', path: '/v1/admin/orders/{orderId}/refund', fn: 'orders', auth: 'admin', operation: 'refundOrderAdmin' },

  { method: 'GET', path: '/v1/tasks', fn: 'tasks', auth: 'member', operation: 'listMyTasks' },
  { method: 'POST', path: '/v1/tasks/{taskId}/completions', fn: 'tasks', auth: 'member', operation: 'completeTask' },
  { method: 'GET', path: '/v1/me/sign-ins', fn: 'tasks', auth: 'member', operation: 'listMySignIns' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/task-completions', fn: 'tasks', auth: 'admin', operation: 'listMemberTaskCompletions' },
  { method: 'POST', path: '/v1/admin/tasks', fn: 'tasks', auth: 'admin', operation: 'createTask' },
  { method: 'GET', path: '/v1/admin/tasks', fn: 'tasks', auth: 'admin', operation: 'listTasks' },
  { method: 'GET', path: '/v1/admin/tasks/{taskId}', fn: 'tasks', auth: 'admin', operation: 'getTask' },
  { method: 'PATCH', path: '/v1/admin/tasks/{taskId}', fn: 'tasks', auth: 'admin', operation: 'updateTask' },
  { method: 'GET', path: '/v1/auctions', fn: 'auctions', auth: 'member', operation: 'listAuctions' },
  { method: 'GET', path: '/v1/auctions/{auctionId}', fn: 'auctions', auth: 'member', operation: 'getAuction' },
  { method: 'POST', path: '/v1/auctions/{auctionId}/bids', fn: 'auctions', auth: 'member', operation: 'placeBid' },
  { method: 'GET', path: '/v1/me/bids', fn: 'auctions', auth: 'member', operation: 'listMyBids' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/bids', fn: 'auctions', auth: 'admin', operation: 'listMemberBids' },
  { method: 'POST', path: '/v1/admin/auctions', fn: 'auctions', auth: 'admin', operation: 'createAuction' },
  { method: 'GET', path: '/v1/admin/auctions', fn: 'auctions', auth: 'admin', operation: 'listAuctionsAdmin' },
  { method: 'GET', path: '/v1/admin/auctions/{auctionId}', fn: 'auctions', auth: 'admin', operation: 'getAuctionAdmin' },
  { method: 'PATCH', path: '/v1/admin/auctions/{auctionId}', fn: 'auctions', auth: 'admin', operation: 'updateAuction' },
  { method: 'POST', path: '/v1/admin/auctions/{auctionId}/cancel', fn: 'auctions', auth: 'admin', operation: 'cancelAuction' },
  { method: 'GET', path: '/v1/admin/auctions/{auctionId}/bids', fn: 'auctions', auth: 'admin', operation: 'listAuctionBids' },

  { method: 'POST', path: '/v1/admin/draws', fn: 'draws', auth: 'admin', operation: 'createDraw' },
  { method: 'GET', path: '/v1/admin/draws/{drawId}', fn: 'draws', auth: 'admin', operation: 'getDrawAdmin' },
  { method: 'PATCH', path: '/v1/admin/draws/{drawId}', fn: 'draws', auth: 'admin', operation: 'updateDraw' },
  { method: 'GET', path: '/v1/draws', fn: 'draws', auth: 'member', operation: 'listDraws' },
  { method: 'GET', path: '/v1/draws/{drawId}', fn: 'draws', auth: 'member', operation: 'getDraw' },
  { method: 'POST', path: '/v1/draws/{drawId}/spins', fn: 'draws', auth: 'member', operation: 'spinDraw' },
  { method: 'GET', path: '/v1/draws/{drawId}/spins', fn: 'draws', auth: 'member', operation: 'listMyDrawSpins' },
  { method: 'GET', path: '/v1/draws/{drawId}/seeds', fn: 'draws', auth: 'member', operation: 'listDrawSeeds' },
  { method: 'GET', path: '/v1/admin/members/{memberId}/spins', fn: 'draws', auth: 'admin', operation: 'listMemberSpins' },
  { method: 'GET', path: '/v1/admin/draws', fn: 'draws', auth: 'admin', operation: 'listDrawsAdmin' },
  { method: 'PUT', path: '/v1/admin/draws/{drawId}/prizes', fn: 'draws', auth: 'admin', operation: 'replaceDrawPrizes' },
  { method: 'GET', path: '/v1/admin/draws/{drawId}/seeds', fn: 'draws', auth: 'admin', operation: 'listDrawSeedsAdmin' },

  // Dead letters and fulfilment problems: served by the outbox function, which also records the dead letters.
  { method: 'GET', path: '/v1/admin/dead-letters', fn: 'outbox', auth: 'admin', operation: 'listDeadLetters' },
  { method: 'POST', path: '/v1/admin/dead-letters/redrive', fn: 'outbox', auth: 'admin', operation: 'redriveDeadLetters' },
  { method: 'GET', path: '/v1/admin/dead-letters/{deadLetterId}', fn: 'outbox', auth: 'admin', operation: 'getDeadLetter' },
  { method: 'POST', path: '/v1/admin/dead-letters/{deadLetterId}/redrive', fn: 'outbox', auth: 'admin', operation: 'redriveDeadLetter' },
  { method: 'POST', path: '/v1/admin/dead-letters/{deadLetterId}/discard', fn: 'outbox', auth: 'admin', operation: 'discardDeadLetter' },
  { method: 'GET', path: '/v1/admin/fulfilment/problems', fn: 'outbox', auth: 'admin', operation: 'listFulfilmentProblems' },

  { method: 'POST', path: '/v1/webhooks/suppliers/{supplier}', fn: 'webhooks', auth: 'public', operation: 'receiveSupplierCallback' },
  { method: 'POST', path: '/v1/webhooks/payments/{provider}', fn: 'webhooks', auth: 'public', operation: 'receivePaymentCallback' },
] as const satisfies readonly RouteSpec[];

/**
 * The catch-all: API Gateway's `$default` route, answered by the system
 * function with a problem+json 404 (unknown path) or 405 (known path, other method).
 */
export const defaultRoute = {
  method: 'GET',
  path: '$default',
  fn: 'system',
  auth: 'public',
  operation: 'fallback',
} as const satisfies RouteSpec;

/** Route key as API Gateway writes it into the event (`POST /v1/me/register`, or `$default`). */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return route.path === defaultRoute.path ? defaultRoute.path : `${route.method} ${route.path}`;
}

/** Every route a function may receive, the catch-all included. */
export const allRoutes: readonly RouteSpec[] = [...routes, defaultRoute];

export const scheduleNames = ['expiry', 'tier-review', 'birthdays', 'expiry-reminders', 'payment-timeouts', 'vest-pending', 'inactivity-expiry', 'auction-settlement', 'draw-seeds', 'flash-sale-stock', 'stalled-work'] as const;
export type ScheduleName = (typeof scheduleNames)[number];

export interface ScheduleSpec {
  readonly name: ScheduleName;
  readonly fn: FunctionName;
  /** EventBridge Scheduler expression, evaluated in `timezone`. */
  readonly expression: string;
  readonly timezone: string;
  /** Local runtime: how often the timer runs it. */
  readonly localEveryMinutes: number;
  readonly description: string;
}

export const schedules: readonly ScheduleSpec[] = [
  {
    name: 'expiry',
    fn: 'jobs',
    // Buckets end at 00:00 UTC on the first of a month (shared/domain/fifo.ts), so the job runs just after.
    expression: 'cron(5 0 * * ? *)',
    timezone: 'UTC',
    localEveryMinutes: 60,
    description: 'Expire due points buckets (daily, 00:05 UTC, just after month ends)',
  },
  {
    name: 'tier-review',
    fn: 'jobs',
    // Reviews fall due once a year (the first run of a year); the monthly runs resume a review that stopped early.
    expression: 'cron(30 0 1 * ? *)',
    timezone: 'Asia/Shanghai',
    localEveryMinutes: 60,
    description: 'Yearly tier review: downgrade members whose growth no longer reaches their tier (runs monthly, 00:30 Asia/Shanghai on the 1st)',
  },
  {
    name: 'birthdays',
    fn: 'jobs',
    expression: 'cron(10 0 * * ? *)',
    timezone: 'Asia/Shanghai',
    localEveryMinutes: 60,
    description: "Birthday bonus points by tier, once a year on the member's birthday (daily, 00:10 Asia/Shanghai)",
  },
  {
    name: 'expiry-reminders',
    fn: 'jobs',
    expression: 'cron(0 9 * * ? *)',
    timezone: 'Asia/Shanghai',
    localEveryMinutes: 60,
    description: 'Remind members of points expiring within the earning rules reminderDays (default 30), once per wallet and bucket (daily, 09:00 Asia/Shanghai)',
  },
  {
    name: 'payment-timeouts',
    fn: 'jobs',
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    localEveryMinutes: 1,
    description: 'Release points+cash orders not paid by their payBy: held points and stock come back (every minute)',
  },
  {
    name: 'vest-pending',
    fn: 'jobs',
    // Pending points become available within the hour after their return window ends.
    expression: 'cron(20 * * * ? *)',
    timezone: 'UTC',
    localEveryMinutes: 60,
    description: 'Make pending purchase points available once their return window has ended (hourly, 20 minutes past)',
  },
  {
    name: 'inactivity-expiry',
    fn: 'jobs',
    // Activity months are UTC months (like buckets): wallets fall due just after a month ends; daily runs resume.
    expression: 'cron(20 0 * * ? *)',
    timezone: 'UTC',
    localEveryMinutes: 60,
    description: 'Under the inactivity expiry policy, expire the points of wallets with no earning or spending for N months (daily, 00:20 UTC)',
  },
  {
    name: 'auction-settlement',
    fn: 'jobs',
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    localEveryMinutes: 1,
    description: 'Settle ended auctions: capture the winning bid and create the order, or release the holds (every minute)',
  },
  {
    name: 'draw-seeds',
    fn: 'jobs',
    // Just after midnight: tomorrow's seed (and so its hash) exists a whole day before its spins.
    expression: 'cron(5 0 * * ? *)',
    timezone: 'Asia/Shanghai',
    localEveryMinutes: 60,
    description: "Lucky draws: make today's and tomorrow's server seeds of every draw not ended, so each day's seed hash is published before its spins (daily, 00:05 Asia/Shanghai)",
  },
  {
    name: 'flash-sale-stock',
    fn: 'jobs',
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    // Metrics are off locally, so the local timer only keeps the job exercised.
    localEveryMinutes: 60,
    description: 'Metric FlashSaleStockLeft: the stock left of each flash-sale product on sale now, for the dashboard (every minute)',
  },
  {
    name: 'stalled-work',
    fn: 'jobs',
    expression: 'rate(1 minute)',
    timezone: 'UTC',
    localEveryMinutes: 1,
    description: 'Hand to the table stream the small stock feeds and offline batches whose request crashed or timed out before it finished (every minute)',
  },
];

/** A detail field's pattern: the values it may take, or patterns of its nested fields. */
export type DetailPattern = readonly unknown[] | { readonly [field: string]: DetailPattern };

/** An EventBridge rule: a pattern on the bus and the function it invokes. */
export interface EventRuleSpec {
  readonly name: string;
  readonly pattern: { readonly source?: readonly string[]; readonly 'detail-type'?: readonly string[]; readonly detail?: Record<string, DetailPattern> };
  readonly fn: FunctionName;
  readonly description: string;
}

/** Event rules: which events on the bus reach which function (each target with retries and a DLQ). */
export const eventRules: readonly EventRuleSpec[] = [
  {
    name: 'supplier-callbacks',
    pattern: { source: ['points-mall'], 'detail-type': ['SupplierCallbackReceived'] },
    fn: 'fulfilment',
    description: 'Verified supplier callbacks move supplier orders through their states',
  },
  {
    name: 'payment-callbacks',
    pattern: { source: ['points-mall'], 'detail-type': ['PaymentCallbackReceived'] },
    fn: 'fulfilment',
    description: 'Verified payment results capture or release points+cash orders',
  },
  {
    name: 'cash-refunds',
    pattern: { source: ['points-mall'], 'detail-type': ['CashRefundRequested'] },
    fn: 'fulfilment',
    description: "Cash parts to give back go to the payment provider's refund API (shared/payments/); its signed callback settles them",
  },
  // One pair of rules per supplier: its orders go to its adapter once ready (placed for points, or paid).
  ...(['jd', 'tmall'] as const).flatMap((supplierId): EventRuleSpec[] => [
    {
      name: `supplier-${supplierId}-placed`,
      pattern: { source: ['points-mall'], 'detail-type': ['OrderPlaced'], detail: { status: ['PLACED'], supplier: { supplierId: [supplierId] } } },
      fn: 'fulfilment',
      description: `Orders of ${supplierId} goods paid with points go to the ${supplierId} adapter`,
    },
    {
      name: `supplier-${supplierId}-paid`,
      pattern: { source: ['points-mall'], 'detail-type': ['OrderStatusChanged'], detail: { to: ['PAID'], supplier: { supplierId: [supplierId] } } },
      fn: 'fulfilment',
      description: `Points+cash orders of ${supplierId} goods go to the ${supplierId} adapter once paid`,
    },
  ]),
];

/** Source of every event this system puts on its bus. */
export const EVENT_SOURCE = 'points-mall';

/** A consumer of the table stream: which items' changes reach which function, in what batches. */
export interface StreamConsumerSpec {
  readonly name: string;
  readonly fn: FunctionName;
  /** Item types (the `entity` attribute of the new image) the consumer receives. */
  readonly entities: readonly string[];
  readonly eventNames: readonly ('INSERT' | 'MODIFY' | 'REMOVE')[];
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** The function answers `{ batchItemFailures }` (Lambda retries from the first failed record). */
  readonly partialBatchResponse: boolean;
  readonly description: string;
}

/**
 * Stream consumers. On AWS each is an event source mapping with these filters
 * (so other items never invoke the function); locally bin/local/streams.ts
 * polls the DynamoDB Local stream and applies the same filters.
 */
export const streamConsumers: readonly StreamConsumerSpec[] = [
  {
    name: 'points-report',
    fn: 'reports',
    entities: ['LedgerEntry', 'Wallet', 'Order', 'ParkedMessage'],
    eventNames: ['INSERT', 'MODIFY'],
    batchSize: 500,
    maxBatchingWindowSeconds: 5,
    partialBatchResponse: false,
    description:
      'Adds every new ledger entry, once, to the day counters and totals of the points reports; every wallet change to the expiry forecast; failed fulfilments and parked messages to the operations counters',
  },
  {
    name: 'outbox',
    fn: 'outbox',
    entities: ['OutboxEvent'],
    eventNames: ['INSERT'],
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    partialBatchResponse: true,
    description: 'Publishes each outbox event to the bus, in stream order, at least once',
  },
  {
    name: 'what-if-replays',
    fn: 'whatif',
    entities: ['WhatIfReplay'],
    // INSERT: a new replay starts. MODIFY: progress saves (ignored) and the hand-over of an unfinished replay to the next invocation.
    eventNames: ['INSERT', 'MODIFY'],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    partialBatchResponse: true,
    description: 'Works on what-if replays in bounded segments: a new one starts, an unfinished one goes on where the previous invocation handed over',
  },
  {
    name: 'stock-feeds',
    fn: 'mall',
    entities: ['StockFeed'],
    // INSERT: a queued (large) feed starts. MODIFY: progress saves (ignored) and hand-overs (segment bumped) of an unfinished feed.
    eventNames: ['INSERT', 'MODIFY'],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    partialBatchResponse: true,
    description: 'Applies large stock feeds chunk by chunk in bounded segments: a queued feed starts, an unfinished one goes on where the previous invocation (or the request) handed over',
  },
  {
    name: 'purchase-batches',
    fn: 'earning',
    entities: ['PurchaseBatch'],
    // INSERT: a queued (large) batch starts. MODIFY: the finish (ignored) and hand-overs (segment bumped) of an unfinished batch.
    eventNames: ['INSERT', 'MODIFY'],
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    partialBatchResponse: true,
    description: 'Applies large offline batches of POS purchases and refunds item by item in bounded segments: a queued batch starts, an unfinished one goes on where the previous invocation (or the request) handed over',
  },
];

/** Whether a stream record (as Lambda or DynamoDB Streams delivers it) passes a consumer's filter. */
export function streamRecordMatches(
  spec: Pick<StreamConsumerSpec, 'entities' | 'eventNames'>,
  record: { readonly eventName?: string | undefined; readonly dynamodb?: { readonly NewImage?: Record<string, { S?: string | undefined } | undefined> | undefined } | undefined },
): boolean {
  const entity = record.dynamodb?.NewImage?.entity?.S;
  return spec.eventNames.some((n) => n === record.eventName) && entity !== undefined && spec.entities.includes(entity);
}
