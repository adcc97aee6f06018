import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsFor, inMemoryDevKeys, signDevToken } from '../../bin/local/dev-keys.js';
import { LocalGateway } from '../../bin/local/gateway.js';
import { LISTEN_BACKLOG, createLocalHttpServer, type LocalHttpServer } from '../../bin/local/http-server.js';
import { productInputSchema } from '../../shared/contracts/mall.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { mapWithConcurrency } from '../../shared/jobs/pool.js';
import { createProduct } from '../../shared/mall/catalogue.js';
import { readStock } from '../../shared/mall/stock.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import type { BurstAnswer, BurstRequest } from '../support/burst-client.js';
import { ledgerAudit } from '../support/ledger-audit.js';
import { seedWallets } from '../support/seed-wallets.js';

/**
 * The flash sale of the overload finding, through the path `npm start` serves:
 * the local HTTP server and gateway with their default settings (Lambda's
 * concurrency emulated, the local slots and queue), the orders handler with
 * its deadline, DynamoDB Local. The clients run in a process of their own.
 */
const MEMBERS = 1_000;
const STOCK = 200;
const SHARDS = 8;
const PRICE = 100;
/**
 * No answer may take the API longer, from the request's arrival at the local HTTP server (the finding: 500s
 * after 10.8 to 16.5 s).
 */
const ANSWER_WITHIN_MS = 3_000;
/**
 * What the clients see also holds the time a connection waits in the kernel's accept queue while the one
 * process is busy: on two cores shared with other work that grows with the machine's load, not with the API's
 * behaviour, so it is only bounded far below the finding's timeouts (and printed).
 */
const CLIENT_SEES_WITHIN_MS = 8_000;
const MAX_ROUNDS = 40;

const workDir = mkdtempSync(join(tmpdir(), 'points-mall-overload-'));
let server: LocalHttpServer;
let url: string;

afterAll(async () => {
  await new Promise<void>((closed) => (server ? server.close(() => closed()) : closed()));
  rmSync(workDir, { recursive: true, force: true });
});

/** Sends `requests` all at once from a child process and answers what each got. */
async function burst(requests: readonly BurstRequest[]): Promise<BurstAnswer[]> {
  const file = join(workDir, `burst-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ url, requests }));
  const output = await new Promise<string>((resolveOutput, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/burst-client.ts', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveOutput(stdout) : reject(new Error(`burst client exited ${code}: ${stderr}`))));
  });
  return output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as BurstAnswer);
}

function codeOf(answer: BurstAnswer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** The idempotency records stored for these member keys (BatchGet, 100 at a time). */
async function storedRecords(memberKeys: readonly { memberId: string; key: string }[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < memberKeys.length; i += 100) {
    let pending: Record<string, unknown>[] = memberKeys.slice(i, i + 100).map(({ memberId, key }) => ({ ...keys.idempotency(`${memberId}:placeOrder`, key) }));
    while (pending.length > 0) {
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[tableName()] ?? []) found.add(String(item.PK));
      pending = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return found;
}

describe('1,000 concurrent orders on one flash-sale product through the local HTTP server (npm start\'s settings)', () => {
  const productId = `p-overload-${ulid()}`;
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ memberId: `m-overload-${ulid()}-${i}`, key: `k-${randomUUID()}`, token: '' }));

  beforeAll(async () => {
    const now = new Date();
    await seedWallets(members.map(({ memberId }) => ({ memberId, credits: [{ bucket: bucketAfterMonths(now, 12), points: PRICE }] })), { now });
    await createProduct(productInputSchema.parse({ productId, name: 'Overload sneakers', type: 'PHYSICAL', zone: 'flash-sale', pricePoints: PRICE, stockShards: SHARDS, initialStock: STOCK }), now);
    const warmId = `p-overload-warm-${ulid()}`;
    await createProduct(productInputSchema.parse({ productId: warmId, name: 'Warm-up', type: 'PHYSICAL', zone: 'flash-sale', pricePoints: PRICE, stockShards: 1, initialStock: 0 }), now);
    const devKeys = await inMemoryDevKeys();
    await mapWithConcurrency(members, 16, async (member) => {
      member.token = await signDevToken(devKeys, claimsFor('member', member.memberId));
    });
    // The same server, gateway and settings as npm start (the environment's LOCAL_* or the defaults).
    server = createLocalHttpServer(new LocalGateway(devKeys), { logRequests: false });
    await new Promise<void>((listening) => server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A sale opens on a running system: the orders handler loaded and DynamoDB Local warm (a sold-out product: nothing written).
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(
        members.slice(0, 8).map(({ token }) =>
          fetch(`${url}/v1/orders`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `warm-${randomUUID()}` },
            body: JSON.stringify({ productId: warmId, quantity: 1, payment: 'POINTS' }),
          }).then((r) => r.text()),
        ),
      );
    }
  }, 240_000);

  it('answers only 201, 409 OUT_OF_STOCK, 429 or 503, each within 3 s, sells exactly the stock, and writes nothing for a refusal', async () => {
    // Prepare: each member orders once; a client answered 429 or 503 retries after Retry-After (plus backoff) with the same key
    const requestOf = (i: number, round: number): BurstRequest => {
      const member = members[i] as (typeof members)[number];
      return {
        // The first round all at once; each retry after Retry-After plus exponential backoff with full jitter
        // (up to 1, 2, 4, then 8 s), as AWS advises clients: one process on two shared cores answers a few
        // hundred requests a second, and a thousand clients retrying in the same second only queue in the kernel.
        delayMs: round === 1 ? 0 : Math.floor(Math.random() * 1_000 * 2 ** Math.min(round - 2, 3)),
        method: 'POST',
        path: '/v1/orders',
        headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json', 'idempotency-key': member.key },
        body: JSON.stringify({ productId, quantity: 1, payment: 'POINTS' }),
      };
    };
    const answers: { member: number; round: number; answer: BurstAnswer }[] = [];
    const final = new Map<number, BurstAnswer>();
    /** Members whose request may have written: answered 201 or OUTCOME_UNKNOWN at least once. */
    const mayHaveWritten = new Set<number>();
    const refusalsWithWrites: string[] = [];

    // Act
    let pending = members.map((_, i) => i);
    for (let round = 1; pending.length > 0 && round <= MAX_ROUNDS; round += 1) {
      const got = await burst(pending.map((i) => requestOf(i, round)));
      // The handlers of answered requests may still run (a client does not stop them): let them finish before reading.
      await server.idle();
      const retry: number[] = [];
      got.forEach((answer, j) => {
        const member = pending[j] as number;
        answers.push({ member, round, answer });
        const code = codeOf(answer);
        if (answer.status === 201 || code === 'OUTCOME_UNKNOWN') mayHaveWritten.add(member);
        if (answer.status === 429 || answer.status === 503) retry.push(member);
        else final.set(member, answer);
      });
      // Assess as we go: a request refused (not 2xx, not OUTCOME_UNKNOWN) by a member who never may have written stored nothing.
      const refused = got.flatMap((answer, j) => {
        const member = pending[j] as number;
        return answer.status !== 201 && codeOf(answer) !== 'OUTCOME_UNKNOWN' && !mayHaveWritten.has(member) ? [member] : [];
      });
      const stored = await storedRecords(refused.map((i) => members[i] as (typeof members)[number]));
      for (const i of refused) {
        const { memberId, key } = members[i] as (typeof members)[number];
        if (stored.has(keys.idempotency(`${memberId}:placeOrder`, key).PK)) refusalsWithWrites.push(`${memberId} in round ${round}`);
      }
      pending = retry;
      if (pending.length > 0) {
        const wait = Math.max(...got.map((a) => Number(a.retryAfter ?? 0)));
        await new Promise((r) => setTimeout(r, wait * 1000));
      }
    }

    // What the run looked like, for the record (docs/operations.md quotes such lines).
    const counts = new Map<string, number>();
    for (const { answer } of answers) counts.set(`${answer.status} ${codeOf(answer) ?? ''}`.trim(), (counts.get(`${answer.status} ${codeOf(answer) ?? ''}`.trim()) ?? 0) + 1);
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `p50 ${sorted[Math.floor(sorted.length / 2)]} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]} ms, max ${sorted.at(-1)} ms`;
    };
    const rounds = Math.max(...answers.map((a) => a.round));
    console.log(
      `overload: ${answers.length} answers in ${rounds} rounds: ${JSON.stringify(Object.fromEntries(counts))}; ` +
        `server ${spread(answers.map(({ answer }) => answer.serverMs))}; clients ${spread(answers.map(({ answer }) => answer.ms))}; ` +
        `first burst at the clients ${spread(answers.filter((a) => a.round === 1).map(({ answer }) => answer.ms))}`,
    );

    // Assess: every answer is one the API documents for overload, in time, as problem+json
    const unexpected = answers.filter(({ answer }) => {
      const code = codeOf(answer);
      if (answer.status === 201) return false;
      const problem = answer.contentType === 'application/problem+json';
      if (answer.status === 409) return !problem || code !== 'OUT_OF_STOCK';
      if (answer.status === 429) return !problem || code !== 'THROTTLED' || !answer.retryAfter;
      if (answer.status === 503) return !problem || !['UNAVAILABLE', 'OUTCOME_UNKNOWN'].includes(code ?? '') || !answer.retryAfter;
      return true;
    });
    expect(unexpected.map(({ answer }) => `${answer.status} ${answer.body.slice(0, 200)}`)).toEqual([]);
    const slow = answers.filter(({ answer }) => answer.serverMs < 0 || answer.serverMs > ANSWER_WITHIN_MS || answer.ms > CLIENT_SEES_WITHIN_MS);
    expect(
      slow.map(({ answer, round }) => `${answer.status} ${codeOf(answer)} in ${answer.serverMs} ms (${answer.gatewayMs} ms in the gateway), ${answer.ms} ms at the client, round ${round}`),
    ).toEqual([]);
    expect(refusalsWithWrites).toEqual([]);
    expect(pending).toEqual([]);

    // Assess: exactly the stock sold, to the members answered 201 (a retry of an OUTCOME_UNKNOWN answers the order once)
    const stock = await readStock(productId, SHARDS);
    expect(stock).toMatchObject({ sold: STOCK, available: 0 });
    const buyers = [...final].filter(([, answer]) => answer.status === 201).map(([member]) => member);
    expect(buyers).toHaveLength(STOCK);

    // Assess: each wallet paid for exactly what its member was answered, and its ledger explains it
    const problems: string[] = [];
    await mapWithConcurrency(members, 16, async ({ memberId }, i) => {
      const audit = await ledgerAudit(memberId);
      problems.push(...audit.problems);
      const paid = final.get(i)?.status === 201 ? PRICE : 0;
      if (audit.wallet.spent !== paid) problems.push(`${memberId}: spent ${audit.wallet.spent}, answered ${final.get(i)?.status} (expected ${paid})`);
    });
    expect(problems).toEqual([]);

  }, 300_000);
});
