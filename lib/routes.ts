/**
 * The ONE table of HTTP routes, event rules and schedules. The CDK stack
 * (lib/points-mall-stack.ts) and the local runtime (bin/local.ts) both read
 * it: a route added here exists in both, with the same function and auth.
 */
import type { OperationId } from '../shared/contracts/index.js';

/** One Lambda function per capability; each routes its own paths. */
export const functionNames = ['system', 'members', 'earning', 'campaigns', 'jobs'] as const;
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
}

export const functions: Record<FunctionName, FunctionSpec> = {
  system: {
    entry: 'functions/system/handler.ts',
    description: 'Health, the OpenAPI document, and problem+json answers for unknown routes',
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
    description: 'Earning rules, previews, and POS purchases, refunds, top-ups and checkout redemptions',
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
    publishesEvents: true,
    memoryMb: 1024,
    timeoutSeconds: 900,
  },
};

/**
 * Who may call a route. `member`: a member token (`sub` = member id);
 * `admin`: a token in group `admin`; `pos`: a client-credentials token with
 * scope `pos`; `public`: no token (webhooks verify a signature instead).
 */
export type RouteAuth = 'public' | 'member' | 'admin' | 'pos';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path template, `{name}` for a path parameter. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly auth: RouteAuth;
  readonly operation: OperationId;
}

export const routes = [
  { method: 'GET', path: '/v1/health', fn: 'system', auth: 'public', operation: 'health' },
  { method: 'GET', path: '/v1/openapi.json', fn: 'system', auth: 'public', operation: 'openapi' },

  { method: 'POST', path: '/v1/me/register', fn: 'members', auth: 'member', operation: 'registerMember' },
  { method: 'GET', path: '/v1/me', fn: 'members', auth: 'member', operation: 'getMe' },
  { method: 'GET', path: '/v1/me/points', fn: 'members', auth: 'member', operation: 'getMyPoints' },
  { method: 'GET', path: '/v1/me/ledger', fn: 'members', auth: 'member', operation: 'listMyLedger' },
  { method: 'POST', path: '/v1/me/exchanges', fn: 'members', auth: 'member', operation: 'exchangePoints' },
  { method: 'POST', path: '/v1/me/tier-upgrades', fn: 'members', auth: 'member', operation: 'buyTierUpgrade' },

  { method: 'GET', path: '/v1/admin/members/{memberId}', fn: 'members', auth: 'admin', operation: 'getMember' },
  {
    method: 'POST',
    path: '/v1/admin/members/{memberId}/adjustments',
    fn: 'members',
    auth: 'admin',
    operation: 'adjustMemberPoints',
  },
  { method: 'POST', path: '/v1/admin/jobs/{job}', fn: 'jobs', auth: 'admin', operation: 'runJob' },

  { method: 'GET', path: '/v1/admin/earning-rules', fn: 'earning', auth: 'admin', operation: 'getEarningRules' },
  { method: 'PUT', path: '/v1/admin/earning-rules', fn: 'earning', auth: 'admin', operation: 'putEarningRules' },
  { method: 'POST', path: '/v1/admin/earning-previews', fn: 'earning', auth: 'admin', operation: 'previewEarning' },
  { method: 'POST', path: '/v1/pos/purchases', fn: 'earning', auth: 'pos', operation: 'recordPurchase' },
  { method: 'POST', path: '/v1/pos/purchases/{purchaseId}/refunds', fn: 'earning', auth: 'pos', operation: 'refundPurchase' },
  { method: 'POST', path: '/v1/pos/top-ups', fn: 'earning', auth: 'pos', operation: 'recordTopUp' },
  { method: 'POST', path: '/v1/pos/redemptions', fn: 'earning', auth: 'pos', operation: 'redeemAtCheckout' },

  { method: 'POST', path: '/v1/admin/campaigns', fn: 'campaigns', auth: 'admin', operation: 'createCampaign' },
  { method: 'GET', path: '/v1/admin/campaigns', fn: 'campaigns', auth: 'admin', operation: 'listCampaigns' },
  { method: 'GET', path: '/v1/admin/campaigns/{campaignId}', fn: 'campaigns', auth: 'admin', operation: 'getCampaign' },
  { method: 'PATCH', path: '/v1/admin/campaigns/{campaignId}', fn: 'campaigns', auth: 'admin', operation: 'updateCampaign' },
  { method: 'GET', path: '/v1/admin/campaigns/{campaignId}/stats', fn: 'campaigns', auth: 'admin', operation: 'campaignStats' },

  { method: 'POST', path: '/v1/admin/pools', fn: 'campaigns', auth: 'admin', operation: 'createPool' },
  { method: 'GET', path: '/v1/admin/pools', fn: 'campaigns', auth: 'admin', operation: 'listPools' },
  { method: 'GET', path: '/v1/admin/pools/{poolId}', fn: 'campaigns', auth: 'admin', operation: 'getPool' },
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

export const scheduleNames = ['expiry', 'tier-review', 'birthdays', 'expiry-reminders', 'inactivity-expiry'] as const;
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
    description: 'Remind members of points expiring within 30 days, once per wallet and bucket (daily, 09:00 Asia/Shanghai)',
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
];

/** An EventBridge rule: a pattern on the bus and the function it invokes. */
export interface EventRuleSpec {
  readonly name: string;
  readonly pattern: { readonly source?: readonly string[]; readonly 'detail-type'?: readonly string[]; readonly detail?: Record<string, readonly unknown[]> };
  readonly fn: FunctionName;
  readonly description: string;
}

/** Event rules; consumers arrive with the fulfilment and notification capabilities. */
export const eventRules: readonly EventRuleSpec[] = [];

/** Source of every event this system puts on its bus. */
export const EVENT_SOURCE = 'points-mall';
