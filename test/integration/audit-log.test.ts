import { setTimeout as sleep } from 'node:timers/promises';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { routes } from '../../lib/routes.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { recordDeadLetter } from '../../shared/events/dead-letters.js';
import { operatorRules, type OperatorOperation, type OperatorRole } from '../../shared/http/roles.js';
import { TestApi, uniqueId, type ApiResponse } from '../support/api.js';

/*
 * The audit log: every operator write (each operation the role table marks
 * `write`) leaves exactly one record naming who, as which role, through which
 * route, on what, with the Idempotency-Key; a refused call leaves none; a key
 * applies once. The file saves earning rules and runs jobs, so it works on a
 * table of its own: other test files keep their rules, and its log is its own.
 */
const AUDIT_TABLE = 'points-mall-test-audit';
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let api: TestApi;
/** The operator that builds fixtures (its own records never count: checks filter by each test's fresh operator). */
let fixtures: string;
let analyst: string;

interface AuditRecord {
  auditId: string;
  at: string;
  operatorId: string;
  role: string;
  operation: string;
  route: string;
  path: string;
  target: string;
  summary?: string;
  before?: string;
  after?: string;
  idempotencyKey?: string;
  requestId: string;
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

interface Valid {
  /** One valid call that changes something. */
  readonly call: Call;
  /** The target its record names (from the answer, for objects whose id the API makes). */
  readonly target: (answer: Record<string, unknown>) => string;
  /** Another request of the same operation (other body or path): the same key with it is 422. */
  readonly other: Call;
}

interface Refused {
  readonly call: Call;
  readonly status: number;
}

interface WriteCase {
  readonly valid: () => Promise<Valid>;
  readonly refused: () => Promise<Refused>;
}

// ---------------------------------------------------------------- fixtures

async function must(response: Promise<ApiResponse<Record<string, unknown>>>, what: string): Promise<Record<string, unknown>> {
  const answer = await response;
  if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${answer.text}`);
  return answer.body;
}

const as = (method: string, path: string, body?: unknown) =>
  must(api.call(method, path, { token: fixtures, ...(body === undefined ? {} : { body }), headers: { 'idempotency-key': ulid() } }), `${method} ${path}`);

async function product(type: 'PHYSICAL' | 'VIRTUAL' = 'PHYSICAL'): Promise<string> {
  const productId = uniqueId('p-audit');
  await as('POST', '/v1/admin/products', { productId, name: `Audit ${type.toLowerCase()}`, type, pricePoints: 100, stockShards: 2, ...(type === 'VIRTUAL' ? {} : { initialStock: 10 }) });
  return productId;
}

async function couponTemplateBody(couponTemplateId = uniqueId('ct-audit')) {
  return { couponTemplateId, name: 'Audit coupon', discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 } };
}

async function pool(): Promise<string> {
  const created = await as('POST', '/v1/admin/pools', { name: 'Audit pool', budgetPoints: 1000, activities: [{ activity: 'custom', weight: 1 }] });
  return String(created.poolId);
}

async function taskBody(taskId = uniqueId('t-audit')) {
  return { taskId, type: 'CUSTOM', name: 'Audit task', points: 1, poolId: await pool(), activity: 'custom', startsAt: '2026-01-01T00:00:00Z', period: 'DAILY' };
}

const campaignBody = (name = 'Audit campaign') => ({ name, effect: { kind: 'bonus', points: 1 }, schedule: { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z' } });

async function campaign(): Promise<string> {
  return String((await as('POST', '/v1/admin/campaigns', campaignBody())).campaignId);
}

async function auctionBody(auctionId = uniqueId('a-audit')) {
  // Upcoming: only an upcoming auction can be changed.
  return { auctionId, productId: await product(), title: 'Audit auction', startsAt: iso(Date.now() + HOUR), endsAt: iso(Date.now() + 3 * HOUR), startingPrice: 10, minIncrement: 1 };
}

function drawBody(drawId = uniqueId('d-audit')) {
  return {
    drawId,
    name: 'Audit wheel',
    startsAt: iso(Date.now() - HOUR),
    endsAt: iso(Date.now() + 30 * 24 * HOUR),
    freeSpinsPerDay: 1,
    spinCostPoints: 10,
    maxSpinsPerDay: 2,
    prizes: [
      { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
      { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
    ],
    consolationPrizeId: 'thanks',
  };
}

async function store(): Promise<string> {
  const storeId = uniqueId('store-audit');
  await as('POST', '/v1/admin/stores', { storeId, name: 'Audit store' });
  return storeId;
}

/** A member with 1,000 points. */
async function member(): Promise<{ memberId: string; token: string }> {
  const created = await api.newMember('audit');
  await as('POST', `/v1/admin/members/${created.memberId}/adjustments`, { points: 1000, reason: 'audit fixture' });
  return created;
}

/** A PLACED order of a member's. */
async function order(): Promise<string> {
  const { token } = await member();
  const productId = await product();
  const placed = await must(api.call('POST', '/v1/orders', { token, body: { productId }, headers: { 'idempotency-key': ulid() } }), 'order');
  return String(placed.orderId);
}

/** A FULFILLED order of a member's (a code delivered at once): one an operator may refund. */
async function fulfilledOrder(): Promise<string> {
  const { token } = await member();
  const productId = await product('VIRTUAL');
  await as('POST', `/v1/admin/products/${productId}/codes`, { codes: codes(2) });
  const placed = await must(api.call('POST', '/v1/orders', { token, body: { productId }, headers: { 'idempotency-key': ulid() } }), 'order');
  if (placed.status !== 'FULFILLED') throw new Error(`order not fulfilled: ${JSON.stringify(placed)}`);
  return String(placed.orderId);
}

/** A POS purchase above the review amount, held for an operator's decision. */
async function heldPurchase(): Promise<string> {
  const storeId = uniqueId('store-audit-pos');
  const pos = await api.registerStore(storeId);
  const { memberId } = await api.newMember('audit-buyer');
  const purchaseId = uniqueId('buy-audit');
  const held = await must(
    api.call('POST', '/v1/pos/purchases', {
      token: pos,
      body: { purchaseId, memberId, storeId, paidAt: iso(Date.now() - 60_000), lines: [{ sku: 'tv', category: 'A', amountCents: 6_000_000, quantity: 1 }] },
    }),
    'held purchase',
  );
  if (held.status !== 'PENDING_REVIEW') throw new Error(`purchase not held: ${JSON.stringify(held)}`);
  return purchaseId;
}

/** An adjustment above the approval threshold (lowered for this file), waiting for a second operator. */
async function pendingApproval(): Promise<{ approvalId: string; memberId: string }> {
  const { memberId } = await api.newMember('audit-approval');
  const request = await as('POST', `/v1/admin/members/${memberId}/adjustments`, { points: 20_000, reason: 'large goodwill credit' });
  if (request.status !== 'PENDING') throw new Error(`adjustment not held for approval: ${JSON.stringify(request)}`);
  return { approvalId: String(request.approvalId), memberId };
}

async function settingsBody(): Promise<Record<string, unknown> & { expectedVersion: number }> {
  const { version, updatedAt: _at, updatedBy: _by, ...settings } = await must(api.call('GET', '/v1/admin/settings', { token: fixtures }), 'settings');
  return { ...settings, expectedVersion: Number(version) };
}

function replayBody(name = 'Audit replay') {
  const day = iso(Date.now() - 24 * HOUR).slice(0, 10);
  return { from: day, to: day, draftCampaign: { name, effect: { kind: 'bonus', points: 1 }, schedule: { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z' } } };
}

async function rulesBody(): Promise<Record<string, unknown> & { expectedVersion: number }> {
  const current = await must(api.call('GET', '/v1/admin/earning-rules', { token: fixtures }), 'rules');
  const { version, updatedAt: _at, updatedBy: _by, ...rules } = current;
  return { ...rules, expectedVersion: Number(version) };
}

/** An open dead letter of a JD submission (as the bus records one when the supplier is down). */
async function deadLetter(): Promise<string> {
  const orderId = uniqueId('o-audit-dl');
  const { deadLetterId } = await recordDeadLetter({
    target: 'supplier-jd-placed',
    event: { detailType: 'OrderPlaced', detail: { orderId, status: 'PLACED', supplier: { supplierId: 'jd', sku: 'JD-1' } } },
    error: 'SupplierUnavailableError: jd is unavailable',
    attempts: 3,
    payload: { orderId },
  });
  return deadLetterId;
}

const codes = (n: number) => Array.from({ length: n }, () => `CODE-${ulid()}`);
const fixed = (target: string) => () => target;

// ---------------------------------------------------------------- one case per operator write

const cases: Partial<Record<OperatorOperation, WriteCase>> = {
  eraseMember: {
    valid: async () => {
      const [a, b] = await Promise.all([api.newMember('audit-erase'), api.newMember('audit-erase')]);
      return { call: { method: 'DELETE', path: `/v1/admin/members/${a.memberId}` }, target: fixed(`member:${a.memberId}`), other: { method: 'DELETE', path: `/v1/admin/members/${b.memberId}` } };
    },
    refused: async () => ({ call: { method: 'DELETE', path: `/v1/admin/members/${uniqueId('nobody')}` }, status: 404 }),
  },
  adjustMemberPoints: {
    valid: async () => {
      const { memberId } = await member();
      const path = `/v1/admin/members/${memberId}/adjustments`;
      return { call: { method: 'POST', path, body: { points: 25, reason: 'audit goodwill' } }, target: fixed(`member:${memberId}`), other: { method: 'POST', path, body: { points: 26, reason: 'audit goodwill' } } };
    },
    refused: async () => {
      const { memberId } = await member();
      return { call: { method: 'POST', path: `/v1/admin/members/${memberId}/adjustments`, body: { points: -5000, reason: 'more than there is' } }, status: 409 };
    },
  },
  runJob: {
    // The flash-sale stock job only reads and reports: safe to run at any time.
    valid: async () => ({
      call: { method: 'POST', path: '/v1/admin/jobs/flash-sale-stock' },
      target: fixed('job:flash-sale-stock'),
      other: { method: 'POST', path: '/v1/admin/jobs/draw-seeds' },
    }),
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/jobs/flash-sale-stock?at=${iso(Date.now() + 24 * HOUR)}` }, status: 400 }),
  },
  setMemberTier: {
    valid: async () => {
      const { memberId } = await api.newMember('audit-tier');
      const path = `/v1/admin/members/${memberId}/tier`;
      return {
        call: { method: 'POST', path, body: { tier: 'gold', expectedTier: 'normal', reason: 'goodwill upgrade' } },
        target: fixed(`member:${memberId}`),
        other: { method: 'POST', path, body: { tier: 'silver', expectedTier: 'normal', reason: 'goodwill upgrade' } },
      };
    },
    refused: async () => {
      const { memberId } = await api.newMember('audit-tier');
      return { call: { method: 'POST', path: `/v1/admin/members/${memberId}/tier`, body: { tier: 'gold', expectedTier: 'silver', reason: 'stale view' } }, status: 409 };
    },
  },
  approveApproval: {
    valid: async () => {
      const { approvalId, memberId } = await pendingApproval();
      const path = `/v1/admin/approvals/${approvalId}/approve`;
      return { call: { method: 'POST', path, body: { reason: 'checked with the store' } }, target: fixed(`member:${memberId}`), other: { method: 'POST', path, body: { reason: 'another reason' } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/approvals/${uniqueId('ap-none')}/approve`, body: {} }, status: 404 }),
  },
  rejectApproval: {
    valid: async () => {
      const { approvalId, memberId } = await pendingApproval();
      const path = `/v1/admin/approvals/${approvalId}/reject`;
      return { call: { method: 'POST', path, body: { reason: 'no receipt' } }, target: fixed(`member:${memberId}`), other: { method: 'POST', path, body: { reason: 'another reason' } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/approvals/${uniqueId('ap-none')}/reject`, body: { reason: 'unknown' } }, status: 404 }),
  },
  putOperatorSettings: {
    valid: async () => {
      const body = await settingsBody();
      return {
        call: { method: 'PUT', path: '/v1/admin/settings', body },
        target: fixed('settings:operator'),
        other: { method: 'PUT', path: '/v1/admin/settings', body: { ...body, expectedVersion: body.expectedVersion + 1 } },
      };
    },
    refused: async () => {
      const body = await settingsBody();
      return { call: { method: 'PUT', path: '/v1/admin/settings', body: { ...body, expectedVersion: body.expectedVersion + 5 } }, status: 409 };
    },
  },
  createWhatIfReplay: {
    valid: async () => ({
      call: { method: 'POST', path: '/v1/admin/what-if-replays', body: replayBody() },
      target: (answer) => `what-if-replay:${String(answer.replayId)}`,
      other: { method: 'POST', path: '/v1/admin/what-if-replays', body: replayBody('Another audit replay') },
    }),
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/what-if-replays', body: { ...replayBody(), to: '2020-01-01' } }, status: 400 }),
  },
  putEarningRules: {
    valid: async () => {
      const body = await rulesBody();
      return {
        call: { method: 'PUT', path: '/v1/admin/earning-rules', body },
        target: fixed('earning-rules:current'),
        other: { method: 'PUT', path: '/v1/admin/earning-rules', body: { ...body, expectedVersion: body.expectedVersion + 1 } },
      };
    },
    refused: async () => {
      const body = await rulesBody();
      return { call: { method: 'PUT', path: '/v1/admin/earning-rules', body: { ...body, expectedVersion: body.expectedVersion + 5 } }, status: 409 };
    },
  },
  createStore: {
    valid: async () => {
      const storeId = uniqueId('store-audit');
      return {
        call: { method: 'POST', path: '/v1/admin/stores', body: { storeId, name: 'Audit store' } },
        target: fixed(`store:${storeId}`),
        other: { method: 'POST', path: '/v1/admin/stores', body: { storeId, name: 'Another audit store' } },
      };
    },
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/stores', body: { storeId: await store(), name: 'Other details' } }, status: 409 }),
  },
  updateStore: {
    valid: async () => {
      const storeId = await store();
      const path = `/v1/admin/stores/${storeId}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Renamed store' } }, target: fixed(`store:${storeId}`), other: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Other name' } } };
    },
    refused: async () => ({ call: { method: 'PATCH', path: `/v1/admin/stores/${await store()}`, body: { expectedVersion: 9, name: 'Stale' } }, status: 409 }),
  },
  approvePurchaseReview: {
    valid: async () => {
      const purchaseId = await heldPurchase();
      const path = `/v1/admin/purchase-reviews/${purchaseId}/approve`;
      return { call: { method: 'POST', path, body: { reason: 'receipt checked' } }, target: fixed(`purchase:${purchaseId}`), other: { method: 'POST', path, body: { reason: 'other reason' } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/purchase-reviews/${uniqueId('buy-none')}/approve`, body: {} }, status: 404 }),
  },
  rejectPurchaseReview: {
    valid: async () => {
      const purchaseId = await heldPurchase();
      const path = `/v1/admin/purchase-reviews/${purchaseId}/reject`;
      return { call: { method: 'POST', path, body: { reason: 'test basket' } }, target: fixed(`purchase:${purchaseId}`), other: { method: 'POST', path, body: { reason: 'other reason' } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/purchase-reviews/${uniqueId('buy-none')}/reject`, body: { reason: 'unknown' } }, status: 404 }),
  },
  createCampaign: {
    valid: async () => ({
      call: { method: 'POST', path: '/v1/admin/campaigns', body: campaignBody() },
      target: (answer) => `campaign:${String(answer.campaignId)}`,
      other: { method: 'POST', path: '/v1/admin/campaigns', body: campaignBody('Another audit campaign') },
    }),
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/campaigns', body: { ...campaignBody(), schedule: { startsAt: '2020-01-02T00:00:00Z', endsAt: '2020-01-01T00:00:00Z' } } }, status: 400 }),
  },
  updateCampaign: {
    valid: async () => {
      const campaignId = await campaign();
      const path = `/v1/admin/campaigns/${campaignId}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Renamed campaign' } }, target: fixed(`campaign:${campaignId}`), other: { method: 'PATCH', path, body: { expectedVersion: 1, status: 'PAUSED' } } };
    },
    refused: async () => ({ call: { method: 'PATCH', path: `/v1/admin/campaigns/${await campaign()}`, body: { expectedVersion: 7, name: 'Stale' } }, status: 409 }),
  },
  createPool: {
    valid: async () => {
      const body = { name: 'Audit pool', budgetPoints: 1000, activities: [{ activity: 'custom', weight: 1 }] };
      return { call: { method: 'POST', path: '/v1/admin/pools', body }, target: (answer) => `pool:${String(answer.poolId)}`, other: { method: 'POST', path: '/v1/admin/pools', body: { ...body, budgetPoints: 2000 } } };
    },
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/pools', body: { name: 'Audit pool', budgetPoints: 0, activities: [{ activity: 'custom', weight: 1 }] } }, status: 400 }),
  },
  createProduct: {
    valid: async () => {
      const productId = uniqueId('p-audit');
      const body = { productId, name: 'Audit product', type: 'PHYSICAL', pricePoints: 100, initialStock: 5 };
      return { call: { method: 'POST', path: '/v1/admin/products', body }, target: fixed(`product:${productId}`), other: { method: 'POST', path: '/v1/admin/products', body: { ...body, pricePoints: 200 } } };
    },
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/products', body: { productId: await product(), name: 'Taken id', type: 'PHYSICAL', pricePoints: 1 } }, status: 409 }),
  },
  updateProduct: {
    valid: async () => {
      const productId = await product();
      const path = `/v1/admin/products/${productId}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Renamed product' } }, target: fixed(`product:${productId}`), other: { method: 'PATCH', path, body: { expectedVersion: 1, pricePoints: 300 } } };
    },
    refused: async () => ({ call: { method: 'PATCH', path: `/v1/admin/products/${await product()}`, body: { expectedVersion: 4, name: 'Stale' } }, status: 409 }),
  },
  setStock: {
    valid: async () => {
      const productId = await product();
      const path = `/v1/admin/products/${productId}/stock`;
      return { call: { method: 'PUT', path, body: { mode: 'set', quantity: 50 } }, target: fixed(`product:${productId}`), other: { method: 'PUT', path, body: { mode: 'add', quantity: 50 } } };
    },
    refused: async () => ({ call: { method: 'PUT', path: `/v1/admin/products/${await product('VIRTUAL')}/stock`, body: { mode: 'set', quantity: 5 } }, status: 409 }),
  },
  rebalanceStock: {
    valid: async () => {
      const productId = await product();
      const path = `/v1/admin/products/${productId}/stock/rebalance`;
      return { call: { method: 'POST', path, body: { shards: 3 } }, target: fixed(`product:${productId}`), other: { method: 'POST', path, body: { shards: 4 } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/products/${await product('VIRTUAL')}/stock/rebalance`, body: { shards: 3 } }, status: 409 }),
  },
  submitStockFeed: {
    valid: async () => {
      const feedId = uniqueId('feed-audit');
      const lines = [{ productId: await product(), mode: 'set', quantity: 5 }];
      return {
        call: { method: 'POST', path: '/v1/admin/stock-feeds', body: { feedId, lines } },
        target: fixed(`stock-feed:${feedId}`),
        other: { method: 'POST', path: '/v1/admin/stock-feeds', body: { feedId: uniqueId('feed-audit'), lines } },
      };
    },
    // The same feedId with other lines (the feed sent first by another operator).
    refused: async () => {
      const feedId = uniqueId('feed-audit');
      const productId = await product();
      await as('POST', '/v1/admin/stock-feeds', { feedId, lines: [{ productId, mode: 'set', quantity: 5 }] });
      return { call: { method: 'POST', path: '/v1/admin/stock-feeds', body: { feedId, lines: [{ productId, mode: 'set', quantity: 6 }] } }, status: 409 };
    },
  },
  uploadProductCodes: {
    valid: async () => {
      const productId = await product('VIRTUAL');
      const path = `/v1/admin/products/${productId}/codes`;
      return { call: { method: 'POST', path, body: { codes: codes(3) } }, target: fixed(`product:${productId}`), other: { method: 'POST', path, body: { codes: codes(3) } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/products/${await product()}/codes`, body: { codes: codes(2) } }, status: 409 }),
  },
  createCouponTemplate: {
    valid: async () => {
      const body = await couponTemplateBody();
      return {
        call: { method: 'POST', path: '/v1/admin/coupons', body },
        target: fixed(`coupon-template:${body.couponTemplateId}`),
        other: { method: 'POST', path: '/v1/admin/coupons', body: { ...body, name: 'Another audit coupon' } },
      };
    },
    refused: async () => {
      const body = await couponTemplateBody();
      await as('POST', '/v1/admin/coupons', body);
      return { call: { method: 'POST', path: '/v1/admin/coupons', body }, status: 409 };
    },
  },
  redriveDeadLetter: {
    valid: async () => {
      const [a, b] = await Promise.all([deadLetter(), deadLetter()]);
      return { call: { method: 'POST', path: `/v1/admin/dead-letters/${a}/redrive`, body: {} }, target: fixed(`dead-letter:${a}`), other: { method: 'POST', path: `/v1/admin/dead-letters/${b}/redrive`, body: {} } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/dead-letters/${uniqueId('dl-none')}/redrive`, body: {} }, status: 404 }),
  },
  redriveDeadLetters: {
    valid: async () => {
      await deadLetter();
      return {
        call: { method: 'POST', path: '/v1/admin/dead-letters/redrive?limit=25', body: { reason: 'supplier back' } },
        target: fixed('dead-letters:all'),
        other: { method: 'POST', path: '/v1/admin/dead-letters/redrive?limit=25', body: { reason: 'another reason' } },
      };
    },
    refused: async () => ({ call: { method: 'POST', path: '/v1/admin/dead-letters/redrive', body: {} }, status: 400 }),
  },
  discardDeadLetter: {
    valid: async () => {
      const id = await deadLetter();
      const path = `/v1/admin/dead-letters/${id}/discard`;
      return { call: { method: 'POST', path, body: { reason: 'handled by hand' } }, target: fixed(`dead-letter:${id}`), other: { method: 'POST', path, body: { reason: 'another reason' } } };
    },
    refused: async () => {
      const id = await deadLetter();
      await as('POST', `/v1/admin/dead-letters/${id}/redrive`, {});
      return { call: { method: 'POST', path: `/v1/admin/dead-letters/${id}/discard`, body: { reason: 'too late' } }, status: 409 };
    },
  },
  cancelOrderAdmin: {
    valid: async () => {
      const [orderId, otherId] = await Promise.all([order(), order()]);
      return {
        call: { method: 'POST', path: `/v1/admin/orders/${orderId}/cancel` },
        target: fixed(`order:${orderId}`),
        other: { method: 'POST', path: `/v1/admin/orders/${otherId}/cancel` },
      };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/orders/${uniqueId('o-none')}/cancel` }, status: 404 }),
  },
  refundOrderAdmin: {
    valid: async () => {
      const [orderId, otherId] = await Promise.all([fulfilledOrder(), fulfilledOrder()]);
      return {
        call: { method: 'POST', path: `/v1/admin/orders/${orderId}/refund`, body: { reason: 'code did not work' } },
        target: fixed(`order:${orderId}`),
        other: { method: 'POST', path: `/v1/admin/orders/${otherId}/refund`, body: { reason: 'code did not work' } },
      };
    },
    // Not yet fulfilled: cancelled, not refunded.
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/orders/${await order()}/refund`, body: { reason: 'too early' } }, status: 409 }),
  },
  createTask: {
    valid: async () => {
      const body = await taskBody();
      return { call: { method: 'POST', path: '/v1/admin/tasks', body }, target: fixed(`task:${body.taskId}`), other: { method: 'POST', path: '/v1/admin/tasks', body: { ...body, points: 2 } } };
    },
    refused: async () => {
      const body = await taskBody();
      await as('POST', '/v1/admin/tasks', body);
      return { call: { method: 'POST', path: '/v1/admin/tasks', body }, status: 409 };
    },
  },
  updateTask: {
    valid: async () => {
      const { taskId } = await as('POST', '/v1/admin/tasks', await taskBody());
      const path = `/v1/admin/tasks/${String(taskId)}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Renamed task' } }, target: fixed(`task:${String(taskId)}`), other: { method: 'PATCH', path, body: { expectedVersion: 1, status: 'PAUSED' } } };
    },
    refused: async () => {
      const { taskId } = await as('POST', '/v1/admin/tasks', await taskBody());
      return { call: { method: 'PATCH', path: `/v1/admin/tasks/${String(taskId)}`, body: { expectedVersion: 3, name: 'Stale' } }, status: 409 };
    },
  },
  createAuction: {
    valid: async () => {
      const body = await auctionBody();
      return { call: { method: 'POST', path: '/v1/admin/auctions', body }, target: fixed(`auction:${body.auctionId}`), other: { method: 'POST', path: '/v1/admin/auctions', body: { ...body, title: 'Another audit auction' } } };
    },
    refused: async () => {
      const body = await auctionBody();
      await as('POST', '/v1/admin/auctions', body);
      return { call: { method: 'POST', path: '/v1/admin/auctions', body }, status: 409 };
    },
  },
  updateAuction: {
    valid: async () => {
      const body = await auctionBody();
      await as('POST', '/v1/admin/auctions', body);
      const path = `/v1/admin/auctions/${body.auctionId}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 0, title: 'Renamed auction' } }, target: fixed(`auction:${body.auctionId}`), other: { method: 'PATCH', path, body: { expectedVersion: 0, title: 'Other title' } } };
    },
    refused: async () => {
      const body = await auctionBody();
      await as('POST', '/v1/admin/auctions', body);
      return { call: { method: 'PATCH', path: `/v1/admin/auctions/${body.auctionId}`, body: { expectedVersion: 5, title: 'Stale' } }, status: 409 };
    },
  },
  cancelAuction: {
    valid: async () => {
      const body = await auctionBody();
      await as('POST', '/v1/admin/auctions', body);
      const path = `/v1/admin/auctions/${body.auctionId}/cancel`;
      return { call: { method: 'POST', path, body: { reason: 'lot withdrawn' } }, target: fixed(`auction:${body.auctionId}`), other: { method: 'POST', path, body: { reason: 'another reason' } } };
    },
    refused: async () => ({ call: { method: 'POST', path: `/v1/admin/auctions/${uniqueId('a-none')}/cancel`, body: { reason: 'no such auction' } }, status: 404 }),
  },
  createDraw: {
    valid: async () => {
      const body = drawBody();
      return { call: { method: 'POST', path: '/v1/admin/draws', body }, target: fixed(`draw:${body.drawId}`), other: { method: 'POST', path: '/v1/admin/draws', body: { ...body, name: 'Another audit wheel' } } };
    },
    refused: async () => {
      const body = drawBody();
      await as('POST', '/v1/admin/draws', body);
      return { call: { method: 'POST', path: '/v1/admin/draws', body }, status: 409 };
    },
  },
  updateDraw: {
    valid: async () => {
      const body = drawBody();
      await as('POST', '/v1/admin/draws', body);
      const path = `/v1/admin/draws/${body.drawId}`;
      return { call: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Renamed wheel' } }, target: fixed(`draw:${body.drawId}`), other: { method: 'PATCH', path, body: { expectedVersion: 1, name: 'Other wheel' } } };
    },
    refused: async () => {
      const body = drawBody();
      await as('POST', '/v1/admin/draws', body);
      return { call: { method: 'PATCH', path: `/v1/admin/draws/${body.drawId}`, body: { expectedVersion: 6, name: 'Stale' } }, status: 409 };
    },
  },
  replaceDrawPrizes: {
    valid: async () => {
      // Upcoming: an upcoming draw's prizes can be replaced until a minute before it opens.
      const body = { ...drawBody(), startsAt: iso(Date.now() + HOUR) };
      await as('POST', '/v1/admin/draws', body);
      const path = `/v1/admin/draws/${body.drawId}/prizes`;
      const table = (giftWeight: number) => ({ expectedVersion: 1, prizes: [{ ...body.prizes[0], weight: giftWeight }, body.prizes[1]], consolationPrizeId: 'thanks' });
      return { call: { method: 'PUT', path, body: table(3) }, target: fixed(`draw:${body.drawId}`), other: { method: 'PUT', path, body: table(5) } };
    },
    refused: async () => {
      // Open already: the prizes are fixed.
      const body = drawBody();
      await as('POST', '/v1/admin/draws', body);
      return { call: { method: 'PUT', path: `/v1/admin/draws/${body.drawId}/prizes`, body: { expectedVersion: 1, prizes: body.prizes, consolationPrizeId: 'thanks' } }, status: 409 };
    },
  },
};

// ---------------------------------------------------------------- helpers

const writeOperations = (Object.keys(operatorRules) as OperatorOperation[]).filter((operation) => operatorRules[operation].access === 'write');

/** The role a test calls an operation as: the narrowest role the table admits (admin only where nothing else is). */
function roleFor(operation: OperatorOperation): OperatorRole {
  return operatorRules[operation].roles.find((role) => role !== 'admin') ?? 'admin';
}

function routeOf(operation: OperatorOperation): string {
  const route = routes.find((r) => r.operation === operation);
  if (!route) throw new Error(`no route for ${operation}`);
  return `${route.method} ${route.path}`;
}

/** Every record the filter lists, page by page (newest first). */
async function audit(filter: Record<string, string>, limit = 100): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ ...filter, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const page = await api.call<{ items: AuditRecord[]; nextCursor: string | null }>('GET', `/v1/admin/audit?${query}`, { token: analyst });
    if (page.status !== 200) throw new Error(`audit list: ${page.status} ${page.text}`);
    records.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return records;
}

function send(token: string, call: Call, key: string) {
  return api.call(call.method, call.path, { token, ...(call.body === undefined ? {} : { body: call.body }), headers: { 'idempotency-key': key } });
}

const is2xx = (status: number) => status >= 200 && status < 300;

async function operator(role: OperatorRole) {
  // A fresh operator per test: its records are exactly that test's.
  const operatorId = uniqueId(`op-${role}`);
  return { operatorId, token: await api.operatorToken(role, operatorId) };
}

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, AUDIT_TABLE);
  client.destroy();
  process.env.TABLE_NAME = AUDIT_TABLE;
  resetConfigForTests();
  api = await TestApi.create();
  fixtures = await api.operatorToken('admin', 'audit-fixtures');
  analyst = await api.operatorToken('analyst', 'audit-reader');
  // Adjustments above 10,000 points wait for a second operator (the approval cases); the rest apply at once.
  const settings = await settingsBody();
  await as('PUT', '/v1/admin/settings', { ...settings, approvalThresholdPoints: 10_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 1_000_000 });
});

// ---------------------------------------------------------------- tests

describe('audit log of operator writes', () => {
  it('has a case for every operator write in the role table', () => {
    // Assess: a new write operation without a case fails here
    expect(Object.keys(cases).sort()).toEqual([...writeOperations].sort());
  });

  describe.each(writeOperations.map((operation) => [operation] as const))('%s', (operation) => {
    const role = roleFor(operation);
    const kase = () => {
      const found = cases[operation];
      if (!found) throw new Error(`no audit case for ${operation}`);
      return found;
    };

    it('records the change once, naming the operator, role, route, target and Idempotency-Key', async () => {
      // Prepare
      const { valid, key, op } = { valid: await kase().valid(), key: ulid(), op: await operator(role) };
      // Act
      const answer = await send(op.token, valid.call, key);
      // Assess
      expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
      expect(answer.status, answer.text).toBeLessThan(300);
      const target = valid.target(answer.body);
      const mine = await audit({ operatorId: op.operatorId });
      expect(mine).toEqual([
        expect.objectContaining({ operatorId: op.operatorId, role, operation, route: routeOf(operation), path: valid.call.path.split('?')[0], target, idempotencyKey: key }),
      ]);
      expect(mine[0]?.summary).toEqual(expect.any(String));
      expect(await audit({ target })).toContainEqual(mine[0]);
      expect(await audit({ target, operatorId: op.operatorId })).toEqual(mine);
    });

    it('records nothing for a refused call', async () => {
      // Prepare
      const { refused, op } = { refused: await kase().refused(), op: await operator(role) };
      // Act
      const answer = await send(op.token, refused.call, ulid());
      // Assess
      expect(answer.status, answer.text).toBe(refused.status);
      expect(await audit({ operatorId: op.operatorId })).toEqual([]);
    });

    it('applies a repeat with the same Idempotency-Key once and replays the first answer', async () => {
      // Prepare
      const { valid, key, op } = { valid: await kase().valid(), key: ulid(), op: await operator(role) };
      // Act
      const first = await send(op.token, valid.call, key);
      const again = await send(op.token, valid.call, key);
      // Assess
      expect(is2xx(first.status), first.text).toBe(true);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect({ status: again.status, body: again.body, replayed: again.headers['idempotent-replayed'] }).toEqual({ status: first.status, body: first.body, replayed: 'true' });
      expect(await audit({ operatorId: op.operatorId })).toHaveLength(1);
    });

    it('applies concurrent requests with one Idempotency-Key once', async () => {
      // Prepare
      const { valid, key, op } = { valid: await kase().valid(), key: ulid(), op: await operator(role) };
      // Act
      const answers = await Promise.all([1, 2, 3].map(() => send(op.token, valid.call, key)));
      // Assess: one applied; the others answer its answer, or 409 while it is being applied
      const succeeded = answers.filter((a) => is2xx(a.status));
      expect(answers.every((a) => is2xx(a.status) || (a.status === 409 && a.body.code === 'CONFLICT')), answers.map((a) => `${a.status} ${a.text}`).join('\n')).toBe(true);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      for (const answer of succeeded) expect(answer.body).toEqual(succeeded[0]?.body);
      const records = await audit({ operatorId: op.operatorId });
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ target: valid.target(succeeded[0]?.body ?? {}), idempotencyKey: key });
    });

    it('refuses the same Idempotency-Key with another request (422) and records nothing more', async () => {
      // Prepare
      const { valid, key, op } = { valid: await kase().valid(), key: ulid(), op: await operator(role) };
      const first = await send(op.token, valid.call, key);
      expect(is2xx(first.status), first.text).toBe(true);
      // Act
      const reused = await send(op.token, valid.other, key);
      // Assess
      expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await audit({ operatorId: op.operatorId })).toHaveLength(1);
    });
  });
});

describe('what a record keeps', () => {
  it('keeps the changed fields before and after', async () => {
    // Prepare
    const productId = await product();
    const op = await operator('marketer');
    // Act
    const changed = await send(op.token, { method: 'PATCH', path: `/v1/admin/products/${productId}`, body: { expectedVersion: 1, name: 'New name', pricePoints: 250 } }, ulid());
    // Assess
    expect(changed.status).toBe(200);
    const [record] = await audit({ operatorId: op.operatorId });
    expect(JSON.parse(record?.before ?? '{}')).toEqual({ name: 'Audit physical', pricePoints: 100 });
    expect(JSON.parse(record?.after ?? '{}')).toEqual({ name: 'New name', pricePoints: 250 });
    expect(record?.summary).toBe('changed name, pricePoints (version 2)');
  });

  it('says how many codes were uploaded, never the codes', async () => {
    // Prepare
    const productId = await product('VIRTUAL');
    const op = await operator('marketer');
    const uploaded = codes(5);
    // Act
    const answer = await send(op.token, { method: 'POST', path: `/v1/admin/products/${productId}/codes`, body: { codes: uploaded } }, ulid());
    // Assess
    expect(answer.status).toBe(200);
    const [record] = await audit({ operatorId: op.operatorId });
    expect(record?.summary).toMatch(/^uploaded 5 codes/);
    const text = JSON.stringify(record);
    for (const code of uploaded) expect(text).not.toContain(code);
  });

  it('records the whole change of stock over many shards once, in the transaction that makes it', async () => {
    // Prepare
    const productId = uniqueId('p-audit-shards');
    await as('POST', '/v1/admin/products', { productId, name: 'Many shards', type: 'PHYSICAL', pricePoints: 1, stockShards: 16, initialStock: 160 });
    const op = await operator('marketer');
    // Act
    const set = await send(op.token, { method: 'PUT', path: `/v1/admin/products/${productId}/stock`, body: { mode: 'set', quantity: 500 } }, ulid());
    // Assess
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ available: 500 });
    const [record] = await audit({ operatorId: op.operatorId });
    expect(record).toMatchObject({ target: `product:${productId}`, summary: 'set stock to 500 over 16 shards', before: '{"available":160}', after: '{"available":500}' });
  });

  it('records a job run as its start: who ran which job, as of when', async () => {
    // Prepare
    const op = await operator('admin');
    const at = iso(Date.now() - 2 * HOUR);
    // Act
    const run = await send(op.token, { method: 'POST', path: `/v1/admin/jobs/draw-seeds?at=${at}` }, ulid());
    // Assess
    expect(run.status, run.text).toBe(200);
    const [record] = await audit({ operatorId: op.operatorId });
    expect(record).toMatchObject({ target: 'job:draw-seeds', role: 'admin', summary: `started job draw-seeds as of ${at}` });
  });

  it('records nothing for a change that changes nothing', async () => {
    // Prepare: an upcoming auction, changed to what it already is
    const body = await auctionBody();
    await as('POST', '/v1/admin/auctions', body);
    const op = await operator('marketer');
    // Act
    const same = await send(op.token, { method: 'PATCH', path: `/v1/admin/auctions/${body.auctionId}`, body: { expectedVersion: 0, title: body.title } }, ulid());
    // Assess
    expect(same.status).toBe(200);
    expect(await audit({ operatorId: op.operatorId })).toEqual([]);
  });
});

describe('GET /v1/admin/audit', () => {
  it('filters by operator, by time range, and by target and operator together', async () => {
    // Prepare: two operators change one product; one of them changes it again later
    const productId = await product();
    const [alice, bob] = await Promise.all([operator('marketer'), operator('marketer')]);
    const path = `/v1/admin/products/${productId}/stock`;
    await send(alice.token, { method: 'PUT', path, body: { mode: 'set', quantity: 1 } }, ulid());
    await send(bob.token, { method: 'PUT', path, body: { mode: 'set', quantity: 2 } }, ulid());
    await sleep(5);
    const between = iso(Date.now());
    await sleep(5);
    await send(alice.token, { method: 'PUT', path, body: { mode: 'set', quantity: 3 } }, ulid());
    const target = `product:${productId}`;
    // Act
    const byAlice = await audit({ operatorId: alice.operatorId });
    const aliceBefore = await audit({ operatorId: alice.operatorId, to: between });
    const aliceAfter = await audit({ operatorId: alice.operatorId, from: between });
    const targetBob = await audit({ target, operatorId: bob.operatorId });
    const targetAll = await audit({ target });
    const allAfter = await audit({ from: between });
    // From the epoch itself (a ULID's time 0): every record of the range, not a 500.
    const sinceEpoch = await audit({ operatorId: alice.operatorId, from: '1970-01-01T00:00:00Z', to: between });
    // Assess
    const summaries = (records: AuditRecord[]) => records.map((r) => r.summary);
    expect(summaries(sinceEpoch)).toEqual(['set stock to 1 over 2 shards']);
    expect(summaries(byAlice)).toEqual(['set stock to 3 over 2 shards', 'set stock to 1 over 2 shards']);
    expect(summaries(aliceBefore)).toEqual(['set stock to 1 over 2 shards']);
    expect(summaries(aliceAfter)).toEqual(['set stock to 3 over 2 shards']);
    expect(targetBob.map((r) => [r.operatorId, r.summary])).toEqual([[bob.operatorId, 'set stock to 2 over 2 shards']]);
    // The product's trail: its creation by the fixtures operator, then the three changes, newest first.
    expect(summaries(targetAll).slice(0, 3)).toEqual(['set stock to 3 over 2 shards', 'set stock to 2 over 2 shards', 'set stock to 1 over 2 shards']);
    expect(targetAll).toHaveLength(4);
    expect(allAfter.map((r) => r.operatorId)).toContain(alice.operatorId);
    expect(allAfter.every((r) => r.at >= between)).toBe(true);
  });

  it('pages with cursors, newest first, every record once', async () => {
    // Prepare: one operator, five changes
    const op = await operator('marketer');
    const productId = await product();
    for (const quantity of [1, 2, 3, 4, 5]) {
      await send(op.token, { method: 'PUT', path: `/v1/admin/products/${productId}/stock`, body: { mode: 'set', quantity } }, ulid());
    }
    // Act
    const pages: number[] = [];
    const records: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call<{ items: AuditRecord[]; nextCursor: string | null }>(
        'GET',
        `/v1/admin/audit?operatorId=${op.operatorId}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: analyst },
      );
      expect(page.status).toBe(200);
      pages.push(page.body.items.length);
      records.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    // Assess
    expect(pages.slice(0, 3)).toEqual([2, 2, 1]);
    expect(records.map((r) => r.summary)).toEqual([5, 4, 3, 2, 1].map((q) => `set stock to ${q} over 2 shards`));
    expect(new Set(records.map((r) => r.auditId)).size).toBe(5);
  });

  it('refuses a bad filter with 400 and lets every operator role read', async () => {
    // Act
    const badTarget = await api.call('GET', '/v1/admin/audit?target=no-colon', { token: analyst });
    const badRange = await api.call('GET', `/v1/admin/audit?from=${iso(Date.now())}&to=${iso(Date.now() - HOUR)}`, { token: analyst });
    const reads = await Promise.all(
      (['admin', 'marketer', 'support', 'analyst'] as const).map(async (role) => (await api.call('GET', '/v1/admin/audit?limit=1', { token: (await operator(role)).token })).status),
    );
    // Assess
    expect([badTarget.status, badRange.status]).toEqual([400, 400]);
    expect(reads).toEqual([200, 200, 200, 200]);
  });
});
