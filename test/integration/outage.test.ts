import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetConfigForTests } from '../../shared/config/env.js';
import { logger } from '../../shared/observability/powertools.js';
import { resetDbClientForTests } from '../../shared/table/client.js';
import { functions } from '../../lib/routes.js';
import { TestApi, type ApiResponse } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * DynamoDB cut off in the middle of a burst of writes. The functions reach
 * DynamoDB Local through a TCP proxy that the test cuts (open connections
 * destroyed, new ones refused or held unanswered) and restores; the emulator
 * itself is never killed (a SIGKILL of DynamoDB Local can lose writes it had
 * acknowledged, its own fault, not ours).
 */

// Short SDK limits so the cut shows within seconds: 2 attempts of at most 1.5 s each (3.2 s with the backoff) per
// DynamoDB call, so an adjustment (a read, then the transaction) answers inside the 10 s function timeout. The connect
// timeout also covers the wait for a free socket of the client's pool, which matters on a loaded machine.
const CONNECT_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 1500;
const MAX_ATTEMPTS = 2;
const FUNCTION_TIMEOUT_MS = functions.members.timeoutSeconds * 1000;
const MEMBERS = 10;
const BURST = 300;
/** Clients sending the burst at once (each sends its next write when answered); retries go out more gently. */
const BURST_CLIENTS = 20;
const RETRY_CLIENTS = 25;
/** The proxy is cut once this many writes of the burst are acknowledged (or after CUT_AFTER_MS on a machine too slow for that). */
const CUT_AFTER_ACKNOWLEDGED = 60;
const CUT_AFTER_MS = 15_000;

interface Adjustment {
  readonly memberId: string;
  readonly key: string;
  readonly points: number;
}

interface Answer {
  readonly adjustment: Adjustment;
  readonly response: ApiResponse<{ entry?: { id: string }; code?: string }>;
  readonly ms: number;
}

let proxy: TcpProxy;
let api: TestApi;
let admin: string;
const members: { memberId: string; token: string }[] = [];

beforeAll(async () => {
  // Point the functions at the proxy: the table client and the config are built from the environment on first use.
  proxy = await TcpProxy.start(process.env.DYNAMODB_ENDPOINT as string);
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: proxy.endpoint,
    SDK_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    SDK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    SDK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
  });
  resetConfigForTests();
  resetDbClientForTests();
  api = await TestApi.create();
  admin = await api.token('admin');
  for (let i = 0; i < MEMBERS; i += 1) members.push(await api.newMember('outage'));
});

afterAll(async () => {
  resetDbClientForTests();
  await proxy.close();
});

async function adjust(adjustment: Adjustment): Promise<Answer> {
  const started = Date.now();
  const response = await api.call<{ entry?: { id: string }; code?: string }>('POST', `/v1/admin/members/${adjustment.memberId}/adjustments`, {
    token: admin,
    headers: { 'idempotency-key': adjustment.key },
    body: { points: adjustment.points, reason: `outage ${adjustment.key}` },
  });
  return { adjustment, response, ms: Date.now() - started };
}

async function timed<T>(call: () => Promise<ApiResponse<T>>): Promise<{ response: ApiResponse<T>; ms: number }> {
  const started = Date.now();
  const response = await call();
  return { response, ms: Date.now() - started };
}

/** Runs `work` over `items` with at most `clients` at once, answers in the order of `items`. */
async function withClients<T, R>(items: readonly T[], clients: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const client = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, items.length) }, client));
  return results;
}

function count<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Every answer is a success or a 503 that says when to retry and whether the write may have happened; never a 500. */
function expectSuccessOr503(responses: readonly { response: ApiResponse<{ code?: string }>; ms: number }[], success: number) {
  for (const { response, ms } of responses) {
    expect([success, 503], `${response.status} ${response.text}`).toContain(response.status);
    if (response.status === 503) {
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(['UNAVAILABLE', 'OUTCOME_UNKNOWN']).toContain(response.body.code);
    }
    expect(ms, `${response.status} ${response.body.code ?? ''} after ${ms} ms`).toBeLessThan(FUNCTION_TIMEOUT_MS);
  }
}

describe('DynamoDB cut off in the middle of 300 writes', () => {
  it('answers 503 with Retry-After while cut off, loses no acknowledged write, and applies every key exactly once after retries', async () => {
    // Prepare: 300 operator adjustments with Idempotency-Keys over 10 members
    const run = Date.now().toString(36);
    const burst: Adjustment[] = Array.from({ length: BURST }, (_, i) => ({
      memberId: (members[i % MEMBERS] as { memberId: string }).memberId,
      key: `outage-${run}-${i}`,
      points: 1 + (i % 7),
    }));
    const warn = vi.spyOn(logger, 'warn');
    const error = vi.spyOn(logger, 'error');
    const readyBefore = await api.call('GET', '/v1/health/ready');
    // Warm up: the members function loaded and every wallet read once, so the burst meets a running system
    await Promise.all(members.map((m) => api.call('GET', '/v1/me/points', { token: m.token })));

    // Act 1: the burst from 20 clients; the proxy is cut (open connections destroyed, new ones refused) once 60 are acknowledged
    let acknowledged = 0;
    let cutAt: Promise<void> | undefined;
    const cut = () => (cutAt ??= proxy.cut('refuse'));
    const timer = setTimeout(cut, CUT_AFTER_MS);
    const burstStarted = Date.now();
    const burstAnswers = await withClients(burst, BURST_CLIENTS, async (adjustment) => {
      const answer = await adjust(adjustment);
      if (answer.response.status === 201 && !cutAt) acknowledged += 1;
      if (acknowledged === CUT_AFTER_ACKNOWLEDGED) void cut();
      return answer;
    });
    clearTimeout(timer);
    await cut();
    const burstMs = Date.now() - burstStarted;
    const openAtCut = proxy.stats.cutOpen;

    // Act 2: while refused: more writes, reads, liveness and readiness
    const lateWrites = burst.slice(0, 30).map((a, i) => ({ ...a, key: `outage-${run}-late-${i}` }));
    const refusedWrites = await Promise.all(lateWrites.map(adjust));
    const refusedReads = await Promise.all(members.map((m) => timed(() => api.call('GET', '/v1/me/points', { token: m.token }))));
    const liveWhileCut = await api.call('GET', '/v1/health');
    const readyWhileRefused = await timed(() => api.call<{ code?: string }>('GET', '/v1/health/ready'));

    // Act 3: while connections are accepted but never answered (a black hole): reads and readiness time out
    await proxy.cut('blackhole');
    const silentReads = await Promise.all(members.slice(0, 3).map((m) => timed(() => api.call('GET', '/v1/me/points', { token: m.token }))));
    const readyWhileSilent = await timed(() => api.call<{ code?: string }>('GET', '/v1/health/ready'));

    // Act 4: restore, then retry every request (acknowledged or not) with the same key until each is acknowledged,
    // waiting Retry-After between rounds as a client would
    await proxy.restore();
    const readyAfter = await api.call('GET', '/v1/health/ready');
    const everything = [...burst, ...lateWrites];
    const firstAnswers = new Map([...burstAnswers, ...refusedWrites].map((a) => [a.adjustment.key, a]));
    const finalAnswers = new Map<string, Answer>();
    let pending = everything;
    let rounds = 0;
    for (; pending.length > 0 && rounds < 10; rounds += 1) {
      const answers = await withClients(pending, RETRY_CLIENTS, adjust);
      expectSuccessOr503(answers, 201);
      for (const answer of answers) if (answer.response.status === 201) finalAnswers.set(answer.adjustment.key, answer);
      pending = pending.filter((a) => !finalAnswers.has(a.key));
      const wait = Math.max(0, ...answers.map((a) => Number(a.response.headers['retry-after'] ?? 0)));
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }

    // Assess: while cut off, 503s with Retry-After, never a 500, none near the function timeout
    const first = [...firstAnswers.values()];
    expectSuccessOr503(first, 201);
    expectSuccessOr503([...refusedReads, ...silentReads], 200);
    const firstCodes = count(first, (a) => (a.response.status === 201 ? '201' : String(a.response.body.code)));
    expect(firstCodes['201']).toBeGreaterThan(0);
    expect(firstCodes.OUTCOME_UNKNOWN ?? 0).toBeGreaterThan(0);
    expect(refusedWrites.every((a) => a.response.status === 503 && a.response.body.code === 'UNAVAILABLE')).toBe(true);
    expect([...refusedReads, ...silentReads].every((r) => r.response.status === 503 && r.response.body.code === 'UNAVAILABLE')).toBe(true);
    expect(liveWhileCut.status).toBe(200);
    expect(readyBefore.status).toBe(200);
    expect(readyWhileRefused.response).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect(readyWhileRefused.response.headers['retry-after']).toBeDefined();
    expect(readyWhileSilent.response).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    expect(readyWhileSilent.ms).toBeLessThan(functions.system.timeoutSeconds * 1000);
    expect(readyAfter.status).toBe(200);

    // Assess: after restore every key is acknowledged; an acknowledged write answers its first entry again (nothing lost)
    expect(pending).toEqual([]);
    for (const [key, answer] of firstAnswers) {
      if (answer.response.status !== 201) continue;
      const final = finalAnswers.get(key) as Answer;
      expect(final.response.headers['idempotent-replayed']).toBe('true');
      expect(final.response.body.entry?.id).toBe(answer.response.body.entry?.id);
    }
    // Some writes cut mid-flight had been applied: their retry is a replay, not a second credit
    const unknown = first.filter((a) => a.response.body.code === 'OUTCOME_UNKNOWN');
    const unknownApplied = unknown.filter((a) => finalAnswers.get(a.adjustment.key)?.response.headers['idempotent-replayed'] === 'true');

    // Assess: exactly once: each key has one ledger entry and the wallets hold exactly the sum of their keys
    for (const { memberId } of members) {
      const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
      const mine = everything.filter((a) => a.memberId === memberId);
      const reasons = count(entries.filter((e) => e.type === 'ADJUST'), (e) => e.reason);
      expect(Object.keys(reasons).sort()).toEqual(mine.map((a) => `outage ${a.key}`).sort());
      expect(Object.values(reasons).every((n) => n === 1)).toBe(true);
      expect(wallet.available).toBe(mine.reduce((sum, a) => sum + a.points, 0));
    }

    // Assess: logged as warnings with the code, never as unexpected errors
    expect(error.mock.calls.filter(([message]) => message === 'unexpected error')).toEqual([]);
    const warnings = warn.mock.calls.filter(([message]) => message === 'dependency unavailable');
    expect(warnings.length).toBeGreaterThan(0);

    const slowest = Math.max(...first.map((a) => a.ms), ...refusedReads.map((r) => r.ms), ...silentReads.map((r) => r.ms));
    console.log(
      `outage: ${BURST} writes in ${burstMs} ms, cut after ${acknowledged} acknowledged with ${openAtCut} connections open; first answers ${JSON.stringify(firstCodes)}; ` +
        `${unknown.length} OUTCOME_UNKNOWN of which ${unknownApplied.length} had been applied (replayed on retry); ` +
        `30 writes and ${MEMBERS} reads while refused: all 503 UNAVAILABLE; readiness 503 in ${readyWhileRefused.ms} ms (refused) and ${readyWhileSilent.ms} ms (black hole); ` +
        `slowest answer ${slowest} ms; every key acknowledged after ${rounds} retry rounds; ${warnings.length} warnings, 0 unexpected errors`,
    );
  });
});
