/**
 * Coupons: operator templates (amount off over a threshold, percentage, no
 * threshold; validity; an optional issue limit), coupons issued to members
 * inside the redeeming order's own transaction, and their one-time use at a
 * POS. Templates never change once created, so functions cache them; the
 * issued and used counts live on a separate counters item that the issuing
 * and consuming transactions update.
 */
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { monotonicFactory, ulid } from 'ulid';
import type * as z from '../zod.js';
import type { couponRedemptionInputSchema, couponStatuses, couponTemplateInputSchema } from '../contracts/coupons.js';
import { couponProblem, discountCents, statusAt, validityWindow, type CouponDiscount, type CouponValidity } from '../domain/coupons.js';
import { auditItems } from '../audit/audit.js';
import { DomainError, NotFoundError } from '../errors.js';
import { fingerprintOf, storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';

export type CouponTemplateInput = z.output<typeof couponTemplateInputSchema>;
export type CouponRedemptionInput = z.output<typeof couponRedemptionInputSchema>;

export interface CouponTemplate {
  readonly couponTemplateId: string;
  readonly name: string;
  readonly description: string;
  readonly discount: CouponDiscount;
  readonly validity: CouponValidity;
  readonly issueLimit: number | null;
  readonly createdAt: string;
}

export interface Coupon {
  readonly couponId: string;
  readonly memberId: string;
  readonly couponTemplateId: string;
  readonly name: string;
  readonly discount: CouponDiscount;
  readonly validFrom: string;
  readonly validTo: string;
  readonly status: 'ACTIVE' | 'USED';
  readonly issuedAt: string;
  readonly orderId: string | null;
  readonly usedAt: string | null;
  readonly redemptionId: string | null;
}

/** Templates are immutable, so a copy is good for a while (only a missing one is re-read soon). */
const TEMPLATE_CACHE_MS = 60_000;
const templateCache = new Map<string, { template: CouponTemplate; until: number }>();

function templateFromItem(item: Record<string, unknown>): CouponTemplate {
  return {
    couponTemplateId: String(item.couponTemplateId),
    name: String(item.name),
    description: String(item.description ?? ''),
    discount: item.discount as CouponDiscount,
    validity: item.validity as CouponValidity,
    issueLimit: typeof item.issueLimit === 'number' ? item.issueLimit : null,
    createdAt: String(item.createdAt),
  };
}

export async function createCouponTemplate(input: CouponTemplateInput, now = new Date()) {
  const { couponTemplateId: requestedId, ...fields } = input;
  const template: CouponTemplate = { ...fields, couponTemplateId: requestedId ?? `ct-${ulid().toLowerCase()}`, createdAt: now.toISOString() };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.couponTemplate.item(template.couponTemplateId),
                ...keys.couponTemplate.listEntry(template.createdAt, template.couponTemplateId),
                entity: 'CouponTemplate',
                ...template,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.couponTemplate.counters(template.couponTemplateId), entity: 'CouponTemplateCounters', issued: 0, used: 0 },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...auditItems({ target: `coupon-template:${template.couponTemplateId}`, summary: `created coupon template "${template.name}"`, after: template }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.slice(0, 2).some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `coupon template ${template.couponTemplateId} already exists; templates do not change, create another`);
    }
    throw error;
  }
  templateCache.set(template.couponTemplateId, { template, until: Date.now() + TEMPLATE_CACHE_MS });
  return { ...template, issued: 0, used: 0 };
}

/** A template, from the function's cache when held (templates never change). */
export async function getCouponTemplate(couponTemplateId: string): Promise<CouponTemplate> {
  const cached = templateCache.get(couponTemplateId);
  if (cached && cached.until > Date.now()) return cached.template;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.couponTemplate.item(couponTemplateId) }));
  if (!result.Item) throw new NotFoundError(`coupon template ${couponTemplateId} does not exist`);
  const template = templateFromItem(result.Item);
  templateCache.set(couponTemplateId, { template, until: Date.now() + TEMPLATE_CACHE_MS });
  return template;
}

/** A template with its issued and used counts, read strongly consistent (operators). */
export async function couponTemplateView(couponTemplateId: string) {
  const template = await getCouponTemplate(couponTemplateId);
  const counters = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.couponTemplate.counters(couponTemplateId), ConsistentRead: true }),
  );
  return { ...template, issued: Number(counters.Item?.issued ?? 0), used: Number(counters.Item?.used ?? 0) };
}

/**
 * Every template, newest first (GSI1 list), each with its issued and used
 * counts: one BatchGet of the page's counters items (eventually consistent:
 * a count may lag a second behind the transaction that changed it).
 */
export async function listCouponTemplates(page: PageRequest) {
  const partition = keys.couponTemplate.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  const templates = result.items.map(templateFromItem);
  const counters = new Map<string, Record<string, unknown>>();
  let wanted = templates.map((t) => keys.couponTemplate.counters(t.couponTemplateId) as unknown as Record<string, unknown>);
  for (let attempt = 0; wanted.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
    const got = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: wanted } } }));
    for (const item of got.Responses?.[tableName()] ?? []) counters.set(String(item.PK), item);
    wanted = (got.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  return {
    items: templates.map((template) => {
      const item = counters.get(keys.couponTemplate.counters(template.couponTemplateId).PK);
      return { ...template, issued: Number(item?.issued ?? 0), used: Number(item?.used ?? 0) };
    }),
    nextCursor: result.nextCursor,
  };
}

/** Why coupons of a template cannot be issued at `now`, if they cannot (a fixed window that has ended). */
export function issueProblem(template: CouponTemplate, now: Date): string | undefined {
  if (template.validity.kind === 'WINDOW' && now.getTime() >= Date.parse(template.validity.to)) {
    return `coupon ${template.couponTemplateId} was valid until ${template.validity.to}; it is no longer issued`;
  }
  return undefined;
}

const nextCouponUlid = monotonicFactory();

/** New coupon ids: monotonic ULIDs, so a member's coupons sort by issue time even within one millisecond. */
export function newCouponIds(count: number): string[] {
  return Array.from({ length: count }, () => `cp-${nextCouponUlid().toLowerCase()}`);
}

/**
 * The writes that issue one coupon per id to a member, for the issuing
 * transaction (a mall order): the template's issued counter (under its limit,
 * condition checked by DynamoDB, so a limit holds under any concurrency) and
 * one coupon item per id, each with the template's snapshot and its window.
 */
export function issueCouponWrites(template: CouponTemplate, memberId: string, couponIds: readonly string[], orderId: string, now: Date): ExtraWrite[] {
  const at = now.toISOString();
  const window = validityWindow(template.validity, now);
  const limit = template.issueLimit;
  const counter: ExtraWrite = {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.couponTemplate.counters(template.couponTemplateId),
        UpdateExpression: 'ADD issued :q',
        ConditionExpression: limit === null ? 'attribute_exists(PK)' : 'attribute_exists(PK) AND issued <= :most',
        ExpressionAttributeValues: { ':q': couponIds.length, ...(limit === null ? {} : { ':most': limit - couponIds.length }) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      new DomainError('OUT_OF_STOCK', `coupon ${template.couponTemplateId} is limited to ${String(limit)} issued and ${Number(current?.issued ?? 0)} have been`, {
        issueLimit: limit,
        issued: Number(current?.issued ?? 0),
      }),
  };
  const puts: ExtraWrite[] = couponIds.map((couponId) => {
    const coupon: Coupon = {
      couponId,
      memberId,
      couponTemplateId: template.couponTemplateId,
      name: template.name,
      discount: template.discount,
      ...window,
      status: 'ACTIVE',
      issuedAt: at,
      orderId,
      usedAt: null,
      redemptionId: null,
    };
    return {
      item: {
        Put: {
          TableName: tableName(),
          Item: { ...keys.member.coupon(memberId, couponId), entity: 'Coupon', ...coupon },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    };
  });
  return [counter, ...puts];
}

function couponFromItem(item: Record<string, unknown>): Coupon {
  return {
    couponId: String(item.couponId),
    memberId: String(item.memberId),
    couponTemplateId: String(item.couponTemplateId),
    name: String(item.name),
    discount: item.discount as CouponDiscount,
    validFrom: String(item.validFrom),
    validTo: String(item.validTo),
    status: item.status === 'USED' ? 'USED' : 'ACTIVE',
    issuedAt: String(item.issuedAt),
    orderId: (item.orderId as string | undefined) ?? null,
    usedAt: (item.usedAt as string | undefined) ?? null,
    redemptionId: (item.redemptionId as string | undefined) ?? null,
  };
}

/** What a member sees of a coupon: the stored fields with the status at `now` (EXPIRED derived). */
export function couponView(coupon: Coupon, now: Date) {
  const { memberId: _memberId, ...view } = coupon;
  return { ...view, status: statusAt(coupon, now) };
}

const statusFilters: Record<(typeof couponStatuses)[number], string> = {
  ACTIVE: '#status = :active AND validTo > :now',
  EXPIRED: '#status = :active AND validTo <= :now',
  USED: '#status = :used',
};

/** A member's coupons, newest first, optionally of one (derived) status. */
export async function listMemberCoupons(
  memberId: string,
  page: PageRequest & { readonly status?: (typeof couponStatuses)[number] | undefined },
  now = new Date(),
) {
  const { PK } = keys.member.coupon(memberId, '');
  const filter = page.status ? statusFilters[page.status] : undefined;
  const result = await queryPage(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ...(filter
        ? {
            FilterExpression: filter,
            ExpressionAttributeNames: { '#status': 'status' },
          }
        : {}),
      ExpressionAttributeValues: {
        ':pk': PK,
        ':prefix': keys.member.couponPrefix(),
        ...(page.status === 'USED' ? { ':used': 'USED' } : {}),
        ...(page.status === 'ACTIVE' || page.status === 'EXPIRED' ? { ':active': 'ACTIVE', ':now': now.toISOString() } : {}),
      },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'PK', value: PK },
  );
  return { items: result.items.map((item) => couponView(couponFromItem(item), now)), nextCursor: result.nextCursor };
}

/** POS ids are natural idempotency keys; records are kept long enough for late retries. */
const POS_IDEMPOTENCY_TTL_SECONDS = 90 * 24 * 3600;

type RedemptionBody = {
  redemptionId: string;
  couponId: string;
  memberId: string;
  orderAmountCents: number;
  discountCents: number;
  payableCents: number;
  usedAt: string;
};

function refusal(problem: NonNullable<ReturnType<typeof couponProblem>>, couponId: string, coupon: Coupon): DomainError {
  const extensions = problem.code === 'THRESHOLD_NOT_MET' ? {} : { validFrom: coupon.validFrom, validTo: coupon.validTo };
  return new DomainError(problem.code, `coupon ${couponId}: ${problem.message}`, extensions);
}

/**
 * Consumes a member's coupon at a POS checkout, once. The coupon must belong
 * to `memberId` (else 404), be inside its window and meet its threshold; the
 * answer is the discount. One transaction marks it USED (condition: still
 * ACTIVE and valid now), counts the use on its template and stores the
 * answer under `redemptionId`: the same id replays it, another id on a used
 * coupon answers 409 ALREADY_COMPLETED. The use is recorded with the store
 * of the POS (`storeId`, resolved from its token), which is part of the
 * request: another store's replay of the id is a reused key.
 */
export async function redeemCoupon(couponId: string, input: CouponRedemptionInput, storeId: string, now = new Date()): Promise<CommitOutcome> {
  const idempotency: IdempotencySpec = {
    scope: 'pos:coupon-redemption',
    key: input.redemptionId,
    fingerprint: fingerprintOf({ couponId, ...input, storeId }),
    ttlSeconds: POS_IDEMPOTENCY_TTL_SECONDS,
  };
  const stored = await storedResponse(idempotency);
  if (stored) return { replayed: true, response: stored };

  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.coupon(input.memberId, couponId), ConsistentRead: true }));
  // Another member's coupon does not exist for this member: no hint that the id is real.
  if (!result.Item) throw new NotFoundError(`member ${input.memberId} has no coupon ${couponId}`);
  const coupon = couponFromItem(result.Item);
  // The idempotency record outlives most retries; the coupon keeps its answer for the rest.
  if (coupon.status === 'USED' && coupon.redemptionId === input.redemptionId && result.Item.redemption && result.Item.usedAtStore === storeId) {
    const answer = result.Item.redemption as RedemptionBody;
    if (answer.orderAmountCents === input.orderAmountCents) return { replayed: true, response: { status: 201, body: answer } };
  }
  const problem = couponProblem(coupon, input.orderAmountCents, now);
  if (problem) throw refusal(problem, couponId, coupon);

  const at = now.toISOString();
  const discount = discountCents(coupon.discount, input.orderAmountCents);
  const body: RedemptionBody = {
    redemptionId: input.redemptionId,
    couponId,
    memberId: input.memberId,
    orderAmountCents: input.orderAmountCents,
    discountCents: discount,
    payableCents: input.orderAmountCents - discount,
    usedAt: at,
  };
  return commit({
    moves: [],
    extra: [
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.member.coupon(input.memberId, couponId),
            UpdateExpression: 'SET #status = :used, usedAt = :at, redemptionId = :rid, redemption = :answer, usedAtStore = :store',
            ConditionExpression: '#status = :active AND validFrom <= :at AND validTo > :at',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':used': 'USED', ':active': 'ACTIVE', ':at': at, ':rid': input.redemptionId, ':answer': body, ':store': storeId },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (current) => {
          const latest = current ? couponFromItem(current) : coupon;
          const why = couponProblem(latest, input.orderAmountCents, new Date(at)) ?? { code: 'ALREADY_COMPLETED' as const, message: 'the coupon has already been used' };
          return refusal(why, couponId, latest);
        },
      },
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.couponTemplate.counters(coupon.couponTemplateId),
            UpdateExpression: 'ADD used :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      },
    ],
    idempotency,
    response: () => ({ status: 201, body }),
    now,
  });
}
