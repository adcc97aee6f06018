/**
 * Property-based fuzz of every route of lib/routes.ts (a route added there is
 * fuzzed without a change here). Requests are derived from each operation's
 * zod contract (shared/contracts, through z.toJSONSchema and
 * test/support/schema-arbitrary.ts): valid-shaped bodies, bodies with hostile
 * values in any position, hostile whole bodies and raw text; prototype names
 * (`__proto__`, `constructor`, `toString` ...) in every string position that
 * allows them and as extra keys; hostile query strings and path segments; the
 * right kind of token, and sometimes a wrong one. For every request:
 *
 * - no 5xx;
 * - every 4xx is application/problem+json with type, title, status, detail, code;
 * - nothing changed on a refusal: no DynamoDB write of the request succeeded
 *   (every write the handlers send is recorded by a middleware on the one
 *   document client), and for writes the route's member partition (profile,
 *   wallet, ledger, coupons ...) is the same before and after.
 *
 * Runs on a table of its own, so what the fuzz creates (rules, campaigns,
 * tasks ...) never meets other files' data. Run size and replay: FUZZ_RUNS,
 * FUZZ_SEED, FUZZ_PATH, FUZZ_ROUTE (docs/operations.md, Fuzzing the API).
 */
import { generateKeyPairSync } from 'node:crypto';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { DEMO_POOL_ID, DEMO_CAMPAIGN_ID, demoProducts, seedDemoData } from '../../bin/local/seed.js';
import { DEMO_OPEN_AUCTION_ID, DEMO_UPCOMING_AUCTION_ID } from '../../bin/local/seed-auctions.js';
import { DEMO_FLASH_DRAW_ID } from '../../bin/local/seed-draw-admin.js';
import { DEMO_DRAW_ID } from '../../bin/local/seed-draws.js';
import { TASKS_POOL_ID } from '../../bin/local/seed-tasks.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { routes, type RouteSpec } from '../../lib/routes.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { forgetOperatorSettings } from '../../shared/config/operator-settings.js';
import { operations } from '../../shared/contracts/index.js';
import { matchRoute } from '../../shared/http/match.js';
import { jobNames } from '../../shared/contracts/jobs.js';
import type { Operation } from '../../shared/contracts/operation.js';
import { knownSenders } from '../../shared/webhooks/senders.js';
import { sign } from '../../shared/webhooks/signature.js';
import { canonicalJson } from '../../shared/ledger/idempotency.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi } from '../support/api.js';
import { arbitraryOf, hostileValue, jsonText, PROTO_NAMES, type JsonSchema } from '../support/schema-arbitrary.js';

const table = `points-mall-fuzz-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = table;
resetConfigForTests();

// One key pair for every simulated sender: the fuzz signs some bodies validly, so the checks after the signature run too.
const senderKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const senderPem = senderKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
process.env.WEBHOOK_SENDERS = JSON.stringify(
  Object.fromEntries(Object.entries(knownSenders).map(([kind, names]) => [kind, Object.fromEntries(names.map((name) => [name, senderPem]))])),
);

/** Runs per route (about 15 keep the whole file near a minute on two cores). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
/**
 * One seed for every route of a run (random unless given), so a failure's printed seed replays the whole run:
 * later routes draw from ids that earlier routes' answers named.
 */
const SEED = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
/** With FUZZ_SEED, replays one counterexample as fast-check printed it (`path: "..."`); pair with FUZZ_ROUTE. */
const PATH = process.env.FUZZ_PATH;
const ROUTE_FILTER = process.env.FUZZ_ROUTE === undefined ? undefined : new RegExp(process.env.FUZZ_ROUTE);

// --- what the handlers write -------------------------------------------------

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

interface RecordedWrite {
  readonly operation: string;
  readonly succeeded: boolean;
  readonly input: string;
}

/** Writes sent through the one document client (the handlers run in this process) since the last reset. */
let recorded: RecordedWrite[] = [];

function recordWrites(): void {
  db().middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (!WRITE_OPERATIONS.has(operation)) return next(args);
      const input = JSON.stringify(args.input).slice(0, 2_000);
      try {
        const result = await next(args);
        recorded.push({ operation, succeeded: true, input });
        return result;
      } catch (error) {
        recorded.push({ operation, succeeded: false, input });
        throw error;
      }
    },
    { step: 'initialize', name: 'routeFuzzWriteRecorder' },
  );
}

/**
 * Writes a refusal may make: facts the refusal discovered, kept so the next request is refused without the work.
 * Each is named here with the rule that allows it.
 */
const writesAllowedOnRefusal: readonly { readonly why: string; readonly matches: (w: RecordedWrite) => boolean }[] = [
  {
    // shared/mall/catalogue.ts markSoldOut: the first OUT_OF_STOCK over empty shards flags the product once.
    why: 'a sold-out product is flagged by the redemption that found every shard empty',
    matches: (w) => w.operation === 'UpdateItem' && w.input.includes('"UpdateExpression":"SET soldOut = :true, soldOutAt = :now"'),
  },
  {
    // shared/mall/sale-stats.ts flushRefusals: the flash-sale monitor's refusal counts, flushed by the instance now and then.
    why: "a redemption refused (sold out, limit, points ...) is counted for the flash-sale monitor: a counter, not the member's or the product's state",
    matches: (w) => w.operation === 'UpdateItem' && w.input.includes('":entity":"SaleRefusals"'),
  },
  {
    // shared/http/member-rate-limit.ts checkShared: the fuzz's one member sends many orders a second, so each is counted.
    why: "a member's requests to a rate-limited route are counted across instances before the redemption writes, whatever it answers then: a counter, not the member's state",
    matches: (w) => w.operation === 'UpdateItem' && w.input.includes('":entity":"RateWindow"'),
  },
  {
    // shared/mall/callbacks.ts recordRefusedCallback: bounded (50 an order), kept 30 days; never for an unsigned message.
    why: "a message its sender signed but that is refused (bad body, replay) is kept on the order's timeline for support",
    matches: (w) => w.operation === 'TransactWriteItems' && w.input.includes('"entity":"OrderCallback"') && w.input.includes('"verified":false'),
  },
];

/** Every item of a member's partition (profile, wallets, ledger, coupons, completions ...), as canonical JSON. */
async function memberPartition(memberId: string): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.member.profile(memberId).PK },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return canonicalJson(items);
}

// --- ids that exist ------------------------------------------------------------

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_LEARNED = 30;

/**
 * Ids of things that exist, by property name (`productId`, `drawId` ...): the demo data's, and every id a 2xx
 * answer names. Path segments and body fields of that name draw from them, so requests reach past "not found"
 * into the rules of real products, draws, tasks, auctions, orders.
 */
const learned = new Map<string, Set<string>>();

function learn(name: string, value: string): void {
  if (!ID_PATTERN.test(value)) return;
  const ids = learned.get(name) ?? new Set<string>();
  if (ids.size < MAX_LEARNED) ids.add(value);
  learned.set(name, ids);
}

function harvest(value: unknown, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.slice(0, 10).forEach((item) => harvest(item, depth + 1));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && /Id$/.test(key)) learn(key, item);
    else harvest(item, depth + 1);
  }
}

function learnedArbitrary(name: string): fc.Arbitrary<string> | undefined {
  const ids = [...(learned.get(name) ?? [])];
  return ids.length > 0 ? fc.constantFrom(...ids) : undefined;
}

// --- generated requests -------------------------------------------------------

type TokenChoice = 'right' | 'member' | 'admin' | 'pos' | 'none' | 'garbage';
type FuzzBody = { readonly kind: 'none' } | { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'raw'; readonly text: string };

interface FuzzCase {
  readonly segments: Readonly<Record<string, string>>;
  readonly query: string;
  readonly body: FuzzBody;
  readonly contentType: string | undefined;
  readonly token: TokenChoice;
  /** `fresh`: a new valid key per request. */
  readonly idempotencyKey: string | undefined;
  /** Webhooks only. */
  readonly signature: 'valid' | 'none' | 'garbage' | 'stale';
}

function jsonSchemaOf(schema: z.core.$ZodType): JsonSchema {
  // Input side: what a client sends (defaults optional, coercions as their input type). An empty metadata registry:
  // the global one holds the contracts' OpenAPI documentation (shared/contracts/doc.ts), not JSON Schema.
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', metadata: z.registry() }) as JsonSchema;
}

/** Path segments as raw URL text: traversal, encoded slashes and NULs, broken escapes, very long, prototype names, unicode. */
const hostileSegment = fc.oneof(
  fc.constantFrom('..', '.', '%2F', 'a%2Fb', '%2e%2e', '%2E%2E%2F%2E%2E', '%00', 'a%00b', '%', '%zz', '%E0%A4%A', '%F0%9F%98%80', '%20', '~', 'x'.repeat(3_000)),
  fc.constantFrom(...PROTO_NAMES).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map(encodeURIComponent),
);

/** Query values as raw URL text. */
const hostileQueryValue = fc.oneof(
  fc.constantFrom('', 'NaN', 'Infinity', '-Infinity', '-1', '0', '-0', '1e309', '1.5', '0x10', '99999999999999999999', '%00', '%', '%zz', '%E0%A4%A', '%F0%9F%98%80', 'x'.repeat(3_000)),
  fc.constantFrom(...PROTO_NAMES).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
  hostileValue.map((v) => encodeURIComponent(typeof v === 'string' ? v : jsonText(v)).slice(0, 20_000)),
);

function segmentArbitrary(name: string, schema: JsonSchema | undefined, memberId: string): fc.Arbitrary<string> {
  if (name === 'job') {
    // Only names that are not jobs: a valid name runs a real job over the table (expiry, tier review ...), which is
    // what the jobs' own tests are for; here the point is how the route refuses.
    return fc.oneof(hostileSegment, fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent)).filter((s) => !(jobNames as readonly string[]).includes(s));
  }
  const valid = (schema ? arbitraryOf(schema, { hostileWeight: 0 }) : fc.string({ minLength: 1, maxLength: 20 })).map((v) => encodeURIComponent(String(v)));
  const existing = name === 'memberId' ? fc.constant(memberId) : learnedArbitrary(name);
  const known = existing ? [{ weight: 3, arbitrary: existing.map(encodeURIComponent) }] : [];
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 2, arbitrary: hostileSegment }, ...known);
}

function queryArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  // `cursor` included: whatever a client sends there is refused as 400 INVALID_CURSOR (sealed cursors, shared/table/cursor.ts).
  const properties = Object.entries(schema?.properties ?? {});
  const pairs = properties.map(([name, propertySchema]) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: arbitraryOf(propertySchema, { hostileWeight: 0 }).map((v): [string, string] => [name, encodeURIComponent(String(v))]) },
        { weight: 1, arbitrary: hostileQueryValue.map((v): [string, string] => [name, v]) },
      ),
      { nil: undefined, freq: 2 },
    ),
  );
  const extras = fc.array(fc.tuple(fc.constantFrom(...PROTO_NAMES, 'limit', 'x'), hostileQueryValue), { maxLength: 2 });
  return fc.tuple(fc.tuple(...pairs), extras).map(([given, extra]) => {
    const all = [...given.filter((p): p is [string, string] => p !== undefined), ...extra];
    return all.length === 0 ? '' : `?${all.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}`;
  });
}

/** Bodies no schema describes: broken JSON, a `__proto__` or `constructor.prototype` payload, duplicate keys, a BOM, over 64 KB. */
const rawBodies = [
  '',
  '{',
  '{"a":',
  'null',
  '""',
  '[]',
  '\u0000',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"a": 1, "a": 2}',
  '\ufeff{}',
  `{"padding": "${'x'.repeat(70 * 1024)}"}`,
];

/**
 * Mends the cross-field rules a JSON Schema cannot carry (the contracts' refinements), so more valid-shaped bodies
 * get past validation into the domain: a window's end after its start, spend bands from 0 upwards, a draw's
 * consolation prize among its prizes, its daily cap at least its free spins. Applied to half the valid-shaped bodies.
 */
function mended(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(mended);
    const bands = items.every((b) => typeof b === 'object' && b !== null && typeof (b as { overYuan?: unknown }).overYuan === 'number');
    if (bands && items.length > 0) {
      const sorted = [...new Map(items.map((b) => [(b as { overYuan: number }).overYuan, b])).values()].sort(
        (a, b) => (a as { overYuan: number }).overYuan - (b as { overYuan: number }).overYuan,
      );
      return sorted.map((b, i) => (i === 0 ? { ...(b as object), overYuan: 0 } : b));
    }
    return items;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mended(v)]));
  const { startsAt, endsAt } = out;
  if (typeof startsAt === 'string' && typeof endsAt === 'string' && Date.parse(endsAt) <= Date.parse(startsAt)) {
    out.startsAt = endsAt;
    out.endsAt = startsAt;
    if (startsAt === endsAt) out.endsAt = new Date(Date.parse(startsAt) + 86_400_000).toISOString();
  }
  const prizes = out.prizes;
  if (Array.isArray(prizes) && prizes.length > 0 && 'consolationPrizeId' in out) {
    const ids = prizes.map((p) => (p as { prizeId?: unknown }).prizeId);
    if (!ids.includes(out.consolationPrizeId)) out.consolationPrizeId = ids[ids.length - 1];
  }
  if (typeof out.freeSpinsPerDay === 'number' && typeof out.maxSpinsPerDay === 'number' && out.maxSpinsPerDay < out.freeSpinsPerDay) {
    out.maxSpinsPerDay = Math.max(1, out.freeSpinsPerDay);
  }
  return out;
}

function bodyArbitrary(op: Operation, memberId: string): fc.Arbitrary<FuzzBody> {
  const schema = op.body ?? op.signedBody;
  const asValue = (value: unknown): FuzzBody => ({ kind: 'value', value });
  if (!schema) return fc.oneof({ weight: 5, arbitrary: fc.constant<FuzzBody>({ kind: 'none' }) }, { weight: 1, arbitrary: hostileValue.map(asValue) });
  const json = jsonSchemaOf(schema);
  // A body naming the fuzz member and things that exist sometimes, so a write that should be refused has something to change.
  const byName: Record<string, fc.Arbitrary<unknown>> = {
    memberId: fc.constant(memberId),
    timezone: fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York'),
    // The demo pools' activities ("constructor" comes from the generated names).
    activity: fc.constantFrom('sign-in', 'share', 'games', 'browse', 'custom'),
  };
  for (const name of learned.keys()) if (name !== 'memberId') byName[name] = learnedArbitrary(name) as fc.Arbitrary<string>;
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(arbitraryOf(json, { hostileWeight: 0, byName }), fc.boolean()).map(([value, mend]) => asValue(mend ? mended(value) : value)) },
    { weight: 3, arbitrary: arbitraryOf(json, { hostileWeight: 1, byName }).map(asValue) },
    { weight: 1, arbitrary: hostileValue.map(asValue) },
    { weight: 1, arbitrary: fc.constantFrom(...rawBodies).map((text): FuzzBody => ({ kind: 'raw', text })) },
  );
}

function caseArbitrary(route: RouteSpec, memberId: string): fc.Arbitrary<FuzzCase> {
  const op = operations[route.operation] as Operation;
  const paramsSchema = op.params ? jsonSchemaOf(op.params) : undefined;
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const segments = fc.record(Object.fromEntries(names.map((name) => [name, segmentArbitrary(name, paramsSchema?.properties?.[name], memberId)])));
  return fc.record({
    segments,
    query: queryArbitrary(op.query ? jsonSchemaOf(op.query) : undefined),
    body: bodyArbitrary(op, memberId),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json', 'application/json; charset=utf-8', undefined) },
    ),
    token: fc.oneof({ weight: 8, arbitrary: fc.constant<TokenChoice>('right') }, { weight: 1, arbitrary: fc.constantFrom<TokenChoice>('member', 'admin', 'pos', 'none', 'garbage') }),
    idempotencyKey: fc.oneof(
      { weight: 6, arbitrary: fc.constant('fresh') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('', 'short', 'x'.repeat(200), '__proto__', 'constructor', 'ключ-идемпотентности', 'fuzz-fixed-key-0001') },
    ),
    signature: fc.oneof({ weight: 2, arbitrary: fc.constant<FuzzCase['signature']>('valid') }, { weight: 1, arbitrary: fc.constantFrom<FuzzCase['signature']>('none', 'garbage', 'stale') }),
  });
}

// --- running one request ----------------------------------------------------------

/** FUZZ_STATS=1 prints, per route, how many answers had each status: whether the fuzz gets past validation. */
const statusCounts = new Map<string, Map<number, number>>();

function countStatus(route: RouteSpec, status: number): void {
  const key = `${route.method} ${route.path}`;
  const counts = statusCounts.get(key) ?? new Map<number, number>();
  counts.set(status, (counts.get(status) ?? 0) + 1);
  statusCounts.set(key, counts);
}

let api: TestApi;
let adminToken: string;
let posToken: string;

interface RouteContext {
  readonly memberId: string;
  readonly memberToken: string;
}

function tokenFor(route: RouteSpec, choice: TokenChoice, ctx: RouteContext): string | undefined {
  const kind = choice === 'right' ? route.auth : choice;
  switch (kind) {
    case 'member':
      return ctx.memberToken;
    case 'admin':
      return adminToken;
    case 'pos':
      return posToken;
    case 'garbage':
      return 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJfX3Byb3RvX18ifQ.';
    default:
      return undefined;
  }
}

function urlOf(route: RouteSpec, c: FuzzCase): string {
  return `${route.path.replace(/\{(\w+)\}/g, (_, name: string) => c.segments[name] ?? '')}${c.query}`;
}

function webhookHeaders(c: FuzzCase, text: string): Record<string, string> {
  const nonce = `fuzz-${ulid()}`;
  const now = Math.floor(Date.now() / 1000);
  switch (c.signature) {
    case 'valid':
      return { 'x-timestamp': String(now), 'x-nonce': nonce, 'x-signature': sign(senderKeys.privateKey, String(now), nonce, text) };
    case 'stale':
      return { 'x-timestamp': String(now - 3600), 'x-nonce': nonce, 'x-signature': sign(senderKeys.privateKey, String(now - 3600), nonce, text) };
    case 'garbage':
      return { 'x-timestamp': String(now), 'x-nonce': nonce, 'x-signature': Buffer.from('not a signature').toString('base64') };
    case 'none':
      return {};
  }
}

async function runCase(route: RouteSpec, c: FuzzCase, ctx: RouteContext): Promise<void> {
  const url = urlOf(route, c);
  const text = c.body.kind === 'none' ? undefined : c.body.kind === 'raw' ? c.body.text : jsonText(c.body.value);
  const headers: Record<string, string> = {};
  if (text !== undefined && c.contentType !== undefined) headers['content-type'] = c.contentType;
  if (c.idempotencyKey !== undefined) headers['idempotency-key'] = c.idempotencyKey === 'fresh' ? `fuzz-${ulid()}` : c.idempotencyKey;
  const webhook = route.fn === 'webhooks';
  if (webhook) Object.assign(headers, webhookHeaders(c, text ?? ''));
  const token = tokenFor(route, c.token, ctx);

  const mutating = route.method !== 'GET';
  const before = mutating ? await memberPartition(ctx.memberId) : undefined;
  recorded = [];
  const res = await api.call(route.method, url, { ...(token ? { token } : {}), ...(text !== undefined ? { rawBody: text } : {}), headers });
  const writes = recorded;
  if (res.status < 300) harvest(res.body);
  countStatus(route, res.status);
  const what = `${route.method} ${url.slice(0, 300)} ${(text ?? '').slice(0, 1_500)} -> ${res.status} ${res.text.slice(0, 400)}`;

  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers['content-type'], what).toBe('application/problem+json');
    expect(res.body, what).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status: res.status,
      detail: expect.any(String),
      code: expect.any(String),
    });
    // Nothing changed on a refusal: no write of this request took effect ...
    expect(
      writes.filter((w) => w.succeeded && !writesAllowedOnRefusal.some((allowed) => allowed.matches(w))),
      what,
    ).toEqual([]);
    // ... and the member the request named or acted as is as it was.
    if (before !== undefined) expect(await memberPartition(ctx.memberId), what).toBe(before);
  }
  // A segment such as `..` or a broken escape moves the request off this route (to the catch-all's 404/405).
  const match = matchRoute(routes, route.method, new URL(`http://localhost${url}`).pathname);
  const reached = match.kind === 'found' && match.route.path === route.path;
  if (match.kind !== 'found') expect(res.status, what).toBeGreaterThanOrEqual(400);
  if (reached && route.auth !== 'public' && (c.token === 'none' || c.token === 'garbage')) expect(res.status, what).toBe(401);
  if (reached && webhook && c.signature !== 'valid' && res.status !== 413) {
    const sender = c.segments.supplier ?? c.segments.provider ?? '';
    const known = Object.values(knownSenders).some((names) => names.includes(sender));
    // Without a valid signature: 401 for a known sender; for anyone else 404 (or 400 for a name no sender can have).
    if (known) expect(res.status, what).toBe(401);
    else expect([400, 404], what).toContain(res.status);
  }
}

// --- the properties ---------------------------------------------------------------

function assertOptions(): fc.Parameters<[FuzzCase]> {
  return {
    numRuns: RUNS,
    seed: SEED,
    ...(PATH !== undefined ? { path: PATH } : {}),
    endOnFailure: false,
  };
}

let ctx: RouteContext;

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, table, { stream: false });
  client.destroy();
  // The demo data on this table: products of each kind, draws, tasks, pools, auctions, coupons, a campaign.
  await seedDemoData();
  for (const product of demoProducts) if (product.productId) learn('productId', product.productId);
  for (const [name, id] of [
    ['drawId', DEMO_DRAW_ID],
    ['drawId', DEMO_FLASH_DRAW_ID],
    ['auctionId', DEMO_OPEN_AUCTION_ID],
    ['auctionId', DEMO_UPCOMING_AUCTION_ID],
    ['poolId', DEMO_POOL_ID],
    ['poolId', TASKS_POOL_ID],
    ['campaignId', DEMO_CAMPAIGN_ID],
    ['taskId', 't-sign-in'],
    ['taskId', 't-share'],
    ['taskId', 't-browse-tea-set'],
    ['couponTemplateId', 'ct-coffee-10-off-50'],
    ['couponTemplateId', 'ct-5-cny-no-threshold'],
    ...Object.values(knownSenders.suppliers).map((name) => ['supplier', name] as const),
    ...Object.values(knownSenders.payments).map((name) => ['provider', name] as const),
  ] as const) {
    learn(name, id);
  }
  recordWrites();
  api = await TestApi.create();
  adminToken = await api.token('admin');
  posToken = await api.token('pos', 'store1');
  // One member for the whole file (its orders, coupons and spins carry from route to route); each request's
  // refusal is checked against the member as it was just before that request.
  const member = await api.newMember('fuzz');
  ctx = { memberId: member.memberId, memberToken: member.token };
});

afterAll(() => {
  if (!process.env.FUZZ_STATS) return;
  for (const [route, counts] of statusCounts) {
    console.log(`${route.padEnd(55)} ${[...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`).join(' ')}`);
  }
});

/** Tops the fuzz member up, so spending routes get past "not enough points" and into their other rules. */
async function topUpMember(): Promise<void> {
  // The fuzz of PUT /v1/admin/settings may have left any threshold: the top-up must not wait for an approval.
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.config.current('operator-settings') }));
  forgetOperatorSettings();
  const credit = await api.call('POST', `/v1/admin/members/${ctx.memberId}/adjustments`, { token: adminToken, body: { points: 5_000, reason: 'fuzz balance' } });
  if (credit.status !== 201) throw new Error(`credit failed: ${credit.status} ${credit.text}`);
}

const fuzzed = (routes as readonly RouteSpec[]).filter((r) => !ROUTE_FILTER || ROUTE_FILTER.test(`${r.method} ${r.path}`));

describe('route fuzz: generated requests on every route', () => {
  it.each(fuzzed.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers without a 5xx and refuses cleanly', async (_, route) => {
    await topUpMember();
    await fc.assert(
      fc.asyncProperty(caseArbitrary(route, ctx.memberId), (c) => runCase(route, c, ctx)),
      assertOptions(),
    );
  });

  it('answers unknown paths and methods with a 404 or 405 problem', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'get', 'TRACE');
    const path = fc.oneof(
      fc.array(hostileSegment, { minLength: 1, maxLength: 4 }).map((parts) => `/v1/${parts.join('/')}`),
      fc.constantFrom('/', '//', '/v1', '/v1/', '/v2/health', '/v1/admin', '/v1/me/../admin/earning-rules', '/v1/%2e%2e/admin'),
    );
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        const res = await api.call(m, p, { token: adminToken });
        const what = `${m} ${p.slice(0, 200)} -> ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers['content-type'], what).toBe('application/problem+json');
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});
