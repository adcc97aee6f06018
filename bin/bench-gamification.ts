/**
 * `npm run bench:gamification`: auctions, lucky draws and the task centre
 * under load, over real HTTP. Starts its own in-memory DynamoDB Local,
 * serves the local API in-process (the same HTTP server, gateway, JWT check
 * and handlers as `npm start`), sets everything up through the admin API and
 * drives members' requests with plain concurrent fetch, each client acting
 * like an app would (a 429 or 503 retried after Retry-After with the same
 * Idempotency-Key). Three scenarios:
 *
 * - bids: C members bid on ONE hot auction that is open for D seconds. Each
 *   re-bids the minimum that BID_TOO_LOW names (after a reaction time of up
 *   to 200 ms), bids again when outbid,
 *   half of the bids carry a proxy maximum, a leader sometimes raises its own
 *   maximum, and a 409 CONFLICT is retried with the same Idempotency-Key.
 *   Then the invariants (one leader holding the auction's leaderHold, every
 *   other bidder holding 0, the ledger explaining every wallet) and one
 *   settlement run, timed.
 * - spins: N members spin one draw (free spins, then paid) for D seconds or
 *   until the daily cap; the prizes drawn against the published odds, the
 *   fallbacks of prizes out of stock, and the stock, statistics, pool and
 *   wallets checked.
 * - sign-ins: N members each sign in and share once, all at once; the pool's
 *   issued points checked against the awards. What each member waited (first
 *   try to answer) and where it went, the CPU used, and the committed
 *   transactions replayed bare for twin members (alone, then with the read
 *   the service sends first), to set the rate through HTTP against the table's.
 *
 * It prints rates, latencies, outcomes and the DynamoDB write units per
 * operation (from the TransactWriteItems the handlers sent), and exits 1 if
 * an invariant is broken.
 *
 *   npm run bench:gamification
 *   npm run bench:gamification -- --scenario bids --bidders 100 --bid-seconds 30
 *   npm run bench:gamification -- --scenario spins --spinners 100 --spins-per-member 50
 *   BENCH_SIGN_INS=1000 npm run bench:gamification -- --scenario sign-ins
 *
 * DynamoDB Local applies writes one at a time and everything shares this
 * machine's cores, so the rates measure the emulator and the machine; the
 * invariants and the write units per operation carry over to AWS.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { AttributeValue, TransactWriteItem, TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import {
  fixed,
  itemKind,
  keyKind,
  positiveInteger,
  recordTransactWrites,
  serveApiInProcess,
  startBenchDatabase,
  storedItemSizes,
  transactItemKey,
  whole,
  type TransactWriteRecorder,
} from './local/bench-env.js';

const scenarioNames = ['bids', 'spins', 'sign-ins'] as const;
type Scenario = (typeof scenarioNames)[number];

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: process.env.BENCH_SCENARIO ?? 'all' },
    bidders: { type: 'string', default: process.env.BENCH_BIDDERS ?? '40' },
    'bid-seconds': { type: 'string', default: process.env.BENCH_BID_SECONDS ?? '20' },
    spinners: { type: 'string', default: process.env.BENCH_SPINNERS ?? '40' },
    'spins-per-member': { type: 'string', default: process.env.BENCH_SPINS_PER_MEMBER ?? '30' },
    'spin-seconds': { type: 'string', default: process.env.BENCH_SPIN_SECONDS ?? '20' },
    'sign-ins': { type: 'string', default: process.env.BENCH_SIGN_INS ?? '300' },
  },
});

if (args.scenario !== 'all' && !(scenarioNames as readonly string[]).includes(args.scenario)) {
  console.error(`--scenario must be one of ${[...scenarioNames, 'all'].join(', ')}; got ${args.scenario}`);
  process.exit(2);
}
const SCENARIOS: readonly Scenario[] = args.scenario === 'all' ? scenarioNames : [args.scenario as Scenario];
const BIDDERS = positiveInteger('bidders', args.bidders);
const BID_SECONDS = positiveInteger('bid-seconds', args['bid-seconds']);
const SPINNERS = positiveInteger('spinners', args.spinners);
const SPINS_PER_MEMBER = positiveInteger('spins-per-member', args['spins-per-member']);
const SPIN_SECONDS = positiveInteger('spin-seconds', args['spin-seconds']);
const SIGN_INS = positiveInteger('sign-ins', args['sign-ins']);
if (SPINS_PER_MEMBER > 1000) throw new Error('--spins-per-member is a draw\'s maxSpinsPerDay: at most 1000');

// Environment, DynamoDB Local and the table first: shared modules read their configuration once, at first use.
const dynamo = await startBenchDatabase();

// ---------------------------------------------------------------------------------------------------------------
// Small helpers: HTTP calls, latencies, tallies.

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly ms: number;
  /** The local gateway's stamps: time waiting for one of the function's slots, and from arrival to answer (queue included). */
  readonly queueMs?: number;
  readonly gatewayMs?: number;
}

type Call = (method: string, path: string, options?: { token?: string; body?: unknown; key?: string }) => Promise<Answer>;

const sleep = (ms: number) => new Promise<void>((resolveSleep) => setTimeout(resolveSleep, ms));
const randomInt = (below: number) => Math.floor(Math.random() * below);
const codeOf = (answer: Answer) => (answer.status === 0 ? 'NETWORK' : String(answer.body.code ?? answer.status));
const isConflict = (answer: Answer) => answer.status === 409 && answer.body.code === 'CONFLICT';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** `p50 12 ms, p95 80 ms, p99 140 ms, max 300 ms (1,234 requests)` */
function latencies(ms: readonly number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => `${whole(percentile(sorted, p))} ms`;
  return `p50 ${at(50)}, p95 ${at(95)}, p99 ${at(99)}, max ${whole(sorted.at(-1) ?? 0)} ms (${whole(sorted.length)} requests)`;
}

function count(tally: Map<string, number>, label: string, by = 1): void {
  tally.set(label, (tally.get(label) ?? 0) + by);
}

function mix(tally: Map<string, number>): string {
  const total = [...tally.values()].reduce((sum, n) => sum + n, 0);
  return (
    [...tally]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} ${whole(n)} (${fixed((100 * n) / Math.max(1, total))}%)`)
      .join(', ') || 'none'
  );
}

const line = (label: string, text: string) => console.log(`  ${label.padEnd(20)} ${text}`);

/**
 * The kind of operation a transaction is, from its items: a bid (by
 * outcome), a spin (free or paid, by the prize kind given), a task
 * completion (by task type), an auction settlement.
 */
function operationOf(items: readonly TransactWriteItem[]): string {
  const put = (entity: string) => items.find((i) => i.Put?.Item?.entity?.S === entity)?.Put?.Item;
  const bid = put('AuctionBid');
  if (bid) return `bid ${bid.outcome?.S ?? '?'}`;
  const spin = put('Spin');
  if (spin) {
    const paid = Number(spin.costPoints?.N ?? 0) > 0 ? 'paid' : 'free';
    return `spin ${paid}, ${spin.prize?.M?.kind?.S ?? '?'}${spin.fallbackReason?.S ? ' (fallback)' : ''}`;
  }
  const done = put('TaskCompletion');
  if (done) return `${done.type?.S ?? '?'} completion`;
  if (items.some((i) => i.Update && keyKind(transactItemKey(i).PK) === 'AUCTION')) return 'auction settlement';
  return 'other';
}

/** Write units per operation of the labels `labels` selects, with one committed transaction of each re-sized by what is stored now. */
async function printWriteUnits(recorder: TransactWriteRecorder, selects: (label: string) => boolean): Promise<void> {
  const { transactWriteUnits, transactionalUnits } = await import('../shared/table/write-units.js');
  console.log('  write units          AWS billing from the requests sent: 2 WCU per started KB per transactional item');
  const labels = [...recorder.tallies.keys()].filter(selects).sort();
  if (labels.length === 0) console.log('    none recorded');
  for (const label of labels) {
    const tally = recorder.tally(label);
    let sampleText = '';
    const sample = tally.sample;
    if (sample) {
      const sent = transactWriteUnits(sample);
      const stored = await storedItemSizes(sample);
      const resized = sent.items.reduce((sum, item, i) => sum + transactionalUnits(Math.max(item.bytes, stored[i] ?? 0)), 0);
      const kinds = sample.map((item, i) => `${sent.items[i]?.kind} ${itemKind(transactItemKey(item))}`).join(', ');
      sampleText = `; the largest: ${sent.items.length} items, ${resized} WCU by the larger of sent and stored size [${kinds}]`;
    }
    const each = tally.committed > 0 ? `, ${fixed(tally.committedUnits / tally.committed, 2)} WCU each` : '';
    console.log(`    ${label.padEnd(32)} ${whole(tally.committed).padStart(6)} committed${each}${sampleText}`);
    if (tally.cancelled > 0) {
      const reasons = [...tally.reasons].map(([reason, n]) => `${reason}: ${whole(n)}`).join(', ');
      console.log(`    ${''.padEnd(32)} ${whole(tally.cancelled).padStart(6)} cancelled (${whole(tally.cancelledUnits)} WCU more if AWS charges them): ${reasons}`);
    }
  }
}

/** The process id of the DynamoDB Local listening on `port` (Linux /proc), to read its CPU time. */
function emulatorPid(port: string): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (command.includes('DynamoDBLocal.jar') && command[command.indexOf('-port') + 1] === port) return Number(entry);
      } catch {
        // A process that ended meanwhile.
      }
    }
  } catch {
    // No /proc: not measured.
  }
  return undefined;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Sends each recorded TransactWriteItems (the request as sent) again for
 * the member's twin: the member id, the ledger entry id and the
 * Idempotency-Key replaced, everything else (the task and pool counter shards
 * included) as it was, `concurrency` at a time, with its own client.
 */
async function replayBare(
  endpoint: string,
  bodies: readonly string[],
  options: { concurrency: number; twinOf: (memberId: string) => string; withReads: boolean },
) {
  const { concurrency, twinOf, withReads } = options;
  const { DynamoDBClient, GetItemCommand, QueryCommand, TransactWriteItemsCommand } = await import('@aws-sdk/client-dynamodb');
  const { monotonicFactory } = await import('ulid');
  const nextId = monotonicFactory();
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 64 } },
    maxAttempts: 1,
  });
  const swap = (text: string, from: string, to: string) => (from === '' ? text : text.split(from).join(to));
  const replays = bodies.map((body) => {
    // Without the SDK's ClientRequestToken: DynamoDB refuses a token again with other items.
    const { ClientRequestToken: _token, ...sent } = JSON.parse(body) as { TransactItems: TransactWriteItem[]; ClientRequestToken?: string };
    const items = sent.TransactItems;
    const ledger = items.find((i) => i.Put?.Item?.entity?.S === 'LedgerEntry')?.Put?.Item;
    const idem = items.find((i) => i.Put?.Item?.entity?.S === 'IdempotencyRecord')?.Put?.Item;
    const memberId = ledger?.memberId?.S ?? '';
    const key = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(idem?.PK?.S ?? '')?.[0] ?? '';
    if (!memberId || !ledger?.id?.S || !key) throw new Error('a recorded completion lacks its ledger entry or idempotency record');
    // The whole request as sent (ReturnConsumedCapacity included), not only its items.
    return { text: JSON.stringify(sent), memberId, entryId: ledger.id.S, key };
  });
  const failures = new Map<string, number>();
  let ok = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < replays.length) {
        const replay = replays[next] as (typeof replays)[number];
        next += 1;
        let text = swap(replay.text, replay.memberId, twinOf(replay.memberId));
        text = swap(text, replay.entryId, nextId());
        text = swap(text, replay.key, randomUUID());
        const input = JSON.parse(text) as TransactWriteItemsCommandInput & { TransactItems: TransactWriteItem[] };
        try {
          if (withReads) {
            // The read the service sends before this write: yesterday's sign-in (its first ConditionCheck), or the day's share slots.
            const record = input.TransactItems.find((i) => i.Put?.Item?.entity?.S === 'TaskCompletion')?.Put;
            const yesterday = input.TransactItems.find((i) => i.ConditionCheck)?.ConditionCheck;
            if (record?.Item?.type?.S === 'SIGN_IN' && yesterday) {
              await client.send(new GetItemCommand({ TableName: yesterday.TableName, Key: yesterday.Key }));
            } else if (record?.Item) {
              const sk = record.Item.SK?.S ?? '';
              await client.send(
                new QueryCommand({
                  TableName: record.TableName,
                  KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
                  ExpressionAttributeValues: { ':pk': record.Item.PK as AttributeValue, ':prefix': { S: sk.slice(0, sk.lastIndexOf('#') + 1) } },
                  ProjectionExpression: 'slot',
                  ConsistentRead: true,
                }),
              );
            }
          }
          await client.send(new TransactWriteItemsCommand(input));
          ok += 1;
        } catch (error) {
          failed += 1;
          const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? '').filter((c) => c && c !== 'None');
          const label = `${(error as Error).name}${reasons.length > 0 ? ` ${[...new Set(reasons)].join('+')}` : ''}`;
          failures.set(label, (failures.get(label) ?? 0) + 1);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return { ok, failed, failures, seconds };
}

try {
  const { claimsFor, inMemoryDevKeys, signDevToken } = await import('./local/dev-keys.js');
  const { useLocalEventSink } = await import('../shared/events/publisher.js');
  const { mapWithConcurrency } = await import('../shared/jobs/pool.js');
  const { dbCallCounts, resetDbCallCounts } = await import('../shared/table/client.js');
  const { ledgerAudit } = await import('../test/support/ledger-audit.js');

  useLocalEventSink(async () => undefined);
  const devKeys = await inMemoryDevKeys();
  const recorder = await recordTransactWrites(operationOf);
  const api = await serveApiInProcess(devKeys);
  const adminToken = await signDevToken(devKeys, claimsFor('admin', 'bench-operator'));
  const { localConcurrencyFromEnv } = await import('./local/concurrency.js');
  const local = localConcurrencyFromEnv();
  console.log(
    `DynamoDB Local on ${dynamo.endpoint} (in memory); API on ${api.url} (npm start's local concurrency: ${local.inFlight} in flight per function, ` +
      `queue ${local.queueLength}, wait ${local.queueWaitMs} ms); scenarios: ${SCENARIOS.join(', ')}`,
  );

  /** Answers 429/503 (overload: the local concurrency emulation, or a deadline) that `call` retried, by code. */
  const overloadRetries = new Map<string, number>();
  const once: Call = async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.key) headers['idempotency-key'] = options.key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    try {
      const response = await fetch(`${api.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        // Not JSON: counted by its status.
      }
      const stamp = (name: string) => {
        const value = response.headers.get(name);
        return value === null ? {} : { [name === 'x-local-queue-ms' ? 'queueMs' : 'gatewayMs']: Number(value) };
      };
      return { status: response.status, body, text, ms: performance.now() - started, ...stamp('x-local-queue-ms'), ...stamp('x-local-latency-ms') };
    } catch (error) {
      return { status: 0, body: {}, text: String(error), ms: performance.now() - started };
    }
  };
  /**
   * One request as an app sends it: a 429 or 503 is retried after Retry-After plus jitter, with the same
   * Idempotency-Key (UNAVAILABLE did nothing; OUTCOME_UNKNOWN is answered from what was done). The latency
   * is the last attempt's.
   */
  const call: Call = async (method, path, options = {}) => {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await once(method, path, options);
      if ((answer.status !== 429 && answer.status !== 503) || attempt >= 30) return answer;
      count(overloadRetries, codeOf(answer));
      // The local gateway and the handlers say Retry-After: 1.
      await sleep(1000 + randomInt(1000));
    }
  };

  /** An operator call during set-up or checks: anything but 2xx stops the benchmark. */
  const admin = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await call(method, path, { token: adminToken, body });
    if (answer.status < 200 || answer.status >= 300) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.text}`);
    return answer.body as T;
  };

  interface BenchMember {
    readonly memberId: string;
    readonly token: string;
  }

  /** Members registered through the API (POST /v1/me/register) and credited `points` by an operator adjustment. */
  const members = (prefix: string, n: number, points: number): Promise<BenchMember[]> =>
    mapWithConcurrency(
      Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`),
      16,
      async (memberId) => {
        const token = await signDevToken(devKeys, claimsFor('member', memberId));
        const registered = await call('POST', '/v1/me/register', { token, body: {} });
        if (registered.status !== 201 && registered.status !== 200) throw new Error(`registering ${memberId} answered ${registered.status}: ${registered.text}`);
        if (points > 0) await admin('POST', `/v1/admin/members/${memberId}/adjustments`, { points, reason: 'benchmark credit' });
        return { memberId, token };
      },
    );

  /** Every member's ledger explains their wallet (test/support/ledger-audit.ts); answers the wallets. */
  const audit = async (list: readonly BenchMember[], problems: string[]) => {
    const audits = await mapWithConcurrency(list, 16, (m) => ledgerAudit(m.memberId));
    for (const a of audits) problems.push(...a.problems);
    return new Map(audits.map((a, i) => [list[i]?.memberId ?? '', a.wallet]));
  };

  const problems: string[] = [];
  const startedAt = Date.now();

  // -------------------------------------------------------------------------------------------------------------
  // 1. Bids on one hot auction.
  if (SCENARIOS.includes('bids')) {
    const STARTING_PRICE = 100;
    const INCREMENT = 10;
    const CREDIT = 1_000_000;
    const setupStart = Date.now();
    await admin('POST', '/v1/admin/products', { productId: 'bench-lot', name: 'Benchmark lot', type: 'PHYSICAL', zone: 'main', pricePoints: 5000, stockShards: 1, initialStock: 0 });
    const bidders = await members('bidder', BIDDERS, CREDIT);
    const opensAt = Date.now();
    const endsAt = opensAt + BID_SECONDS * 1000;
    const auction = await admin<{ auctionId: string }>('POST', '/v1/admin/auctions', {
      auctionId: 'a-bench-hot',
      productId: 'bench-lot',
      title: 'Benchmark auction',
      startsAt: new Date(opensAt - 60_000).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      startingPrice: STARTING_PRICE,
      minIncrement: INCREMENT,
    });
    const path = `/v1/auctions/${auction.auctionId}`;
    console.log(`\nbids: ${whole(BIDDERS)} bidders (set up in ${fixed((opensAt - setupStart) / 1000)} s) on one auction open for ${BID_SECONDS} s ...`);

    const outcomes = new Map<string, number>();
    const bidMs: number[] = [];
    const acceptedMs: number[] = [];
    const acceptedBids = new Set<string>();
    let attempts = 0;
    let conflictRetries = 0;
    let polls = 0;
    // Clients stop on AUCTION_CLOSED; this is only a backstop for one that never hears it.
    const hardDeadline = endsAt + 10_000;

    const bid = async (m: BenchMember, body: { amount: number; maxAmount?: number }): Promise<Answer> => {
      const key = randomUUID();
      for (;;) {
        const answer = await call('POST', `${path}/bids`, { token: m.token, body, key });
        attempts += 1;
        bidMs.push(answer.ms);
        if (answer.status === 201) {
          count(outcomes, String(answer.body.outcome));
          acceptedMs.push(answer.ms);
          acceptedBids.add(String(answer.body.bidId));
        } else count(outcomes, codeOf(answer));
        if (!isConflict(answer) || Date.now() > hardDeadline) return answer;
        // Every attempt of the bid lost a race: try the same bid again (same key) after a pause, as a client should.
        conflictRetries += 1;
        await sleep(20 + randomInt(80));
      }
    };

    const bidder = async (m: BenchMember): Promise<void> => {
      let view = await call('GET', path, { token: m.token });
      let amount = Number(view.body.minimumBid ?? STARTING_PRICE);
      let otherErrors = 0;
      while (Date.now() < hardDeadline) {
        // Half of the bids name a proxy maximum a few increments above the amount.
        const proxy = Math.random() < 0.5 ? { maxAmount: amount + INCREMENT * (1 + randomInt(5)) } : {};
        const answer = await bid(m, { amount, ...proxy });
        const code = codeOf(answer);
        if (answer.status === 201 && answer.body.leading === true) {
          // Leading: watch the auction like an app; now and then raise the hidden maximum; bid again once outbid.
          for (;;) {
            await sleep(100 + randomInt(200));
            view = await call('GET', path, { token: m.token });
            polls += 1;
            if (view.body.status !== 'OPEN') return;
            const you = view.body.you as { leading?: boolean; maximum?: number | null } | undefined;
            if (!you?.leading) break;
            if (Math.random() < 0.2) await bid(m, { amount: Number(view.body.price), maxAmount: Number(you.maximum ?? 0) + INCREMENT * (1 + randomInt(5)) });
          }
          amount = Number(view.body.minimumBid);
        } else if (answer.status === 201) {
          // OUTBID: the leader's proxy answered; the answer names the new minimum.
          amount = Number(answer.body.minimumBid);
          await sleep(randomInt(200));
        } else if (code === 'BID_TOO_LOW') {
          // Another bid landed first: bid what the refusal names (or a little more) after a reaction time.
          amount = Number(answer.body.minimumAmount) + INCREMENT * randomInt(3);
          await sleep(randomInt(200));
        } else if (code === 'AUCTION_CLOSED') {
          return;
        } else {
          otherErrors += 1;
          if (otherErrors > 10) return;
          await sleep(100);
          view = await call('GET', path, { token: m.token });
          amount = Number(view.body.minimumBid ?? amount);
        }
      }
    };

    resetDbCallCounts();
    recorder.recording = true;
    const loadStart = Date.now();
    await Promise.all(bidders.map(bidder));
    const loadSeconds = (Date.now() - loadStart) / 1000;
    await api.server.idle();
    const calls = dbCallCounts();

    // Invariants while open: one leader holding leaderHold (= leaderMax), everyone else 0, ledgers explain wallets.
    const { readAuction } = await import('../shared/auctions/auctions.js');
    const state = await readAuction(auction.auctionId);
    const bidProblems: string[] = [];
    const wallets = await audit(bidders, bidProblems);
    const holders = [...wallets].filter(([, w]) => w.held > 0).map(([id]) => id);
    if (acceptedBids.size > 0) {
      if (state.leaderId === null || !wallets.has(state.leaderId)) bidProblems.push(`the leader ${state.leaderId} is none of the bidders`);
      if (holders.length !== 1 || holders[0] !== state.leaderId) bidProblems.push(`members holding points: ${holders.join(', ') || 'none'}; the leader is ${state.leaderId}`);
      if (state.leaderHold !== state.leaderMax) bidProblems.push(`leaderHold ${state.leaderHold} != leaderMax ${state.leaderMax}`);
    }
    for (const [id, w] of wallets) {
      const expected = id === state.leaderId ? state.leaderHold : 0;
      if (w.held !== expected) bidProblems.push(`${id} holds ${w.held}, expected ${expected}`);
      if (w.available + w.held !== CREDIT) bidProblems.push(`${id}: available ${w.available} + held ${w.held} != credited ${CREDIT}`);
    }
    if (state.bids !== acceptedBids.size) bidProblems.push(`the auction counts ${state.bids} bids, the clients were answered 201 for ${acceptedBids.size}`);

    // Settlement, once the auction has ended: the job over HTTP, as the scheduler would run it.
    await sleep(Math.max(0, endsAt - Date.now() + 50));
    const settleStart = performance.now();
    const job = await admin<{ stats: Record<string, number> }>('POST', '/v1/admin/jobs/auction-settlement');
    const settleMs = performance.now() - settleStart;
    recorder.recording = false;
    const settled = await readAuction(auction.auctionId);
    const settledWallets = await audit(bidders, bidProblems);
    if (acceptedBids.size > 0) {
      const winner = settledWallets.get(state.leaderId ?? '');
      if (settled.status !== 'SETTLED') bidProblems.push(`after settlement the auction is ${settled.status}`);
      if (winner && (winner.held !== 0 || winner.spent !== state.price)) bidProblems.push(`the winner holds ${winner.held} and spent ${winner.spent}; expected 0 and the price ${state.price}`);
    }
    const stillHolding = [...settledWallets].filter(([, w]) => w.held !== 0);
    if (stillHolding.length > 0) bidProblems.push(`after settlement ${stillHolding.length} bidders still hold points`);

    const accepted = acceptedBids.size;
    console.log(`bids: ${whole(BIDDERS)} bidders, one auction open ${BID_SECONDS} s (increment ${INCREMENT}; half the bids with a proxy maximum)`);
    line('attempts', `${whole(attempts)} in ${fixed(loadSeconds)} s: ${fixed(attempts / loadSeconds)} attempts/s (${whole(conflictRetries)} of them CONFLICT retries with the same key)`);
    line('accepted bids', `${whole(accepted)}: ${fixed(accepted / loadSeconds)} accepted bids/s on one auction item`);
    // The answers a bidding client expects first, zero or not, then whatever else came back.
    const expectedAnswers = ['LEADING', 'OUTBID', 'RAISED', 'BID_TOO_LOW', 'CONFLICT'];
    const share = (n: number) => `${whole(n)} (${fixed((100 * n) / Math.max(1, attempts))}%)`;
    const others = [...outcomes].filter(([label]) => !expectedAnswers.includes(label));
    line(
      'outcomes',
      `${expectedAnswers.map((label) => `${label} ${share(outcomes.get(label) ?? 0)}`).join(', ')}; other ${share(others.reduce((sum, [, n]) => sum + n, 0))}${
        others.length > 0 ? `: ${others.map(([label, n]) => `${label} ${whole(n)}`).join(', ')}` : ''
      } (AUCTION_CLOSED: the clients' last bids, after the end)`,
    );
    line('latency, all bids', latencies(bidMs));
    line('latency, accepted', latencies(acceptedMs));
    line('final state', `price ${whole(state.price)}, leader ${state.leaderId}, leaderHold ${whole(state.leaderHold)}, ${whole(state.bids)} bids`);
    line('settlement', `${fixed(settleMs)} ms for the job over HTTP (${JSON.stringify(job.stats)}); winner ${settled.winnerId ?? 'none'}, order ${settled.orderId ?? 'none'}`);
    line('leaders watching', `${whole(polls)} GETs of the auction by leaders waiting to be outbid (every 100-300 ms)`);
    line('DynamoDB calls', `${JSON.stringify(calls.byOperation)} while bidding`);
    await printWriteUnits(recorder, (label) => label.startsWith('bid ') || label === 'auction settlement');
    if (bidProblems.length === 0) console.log('  invariants hold: exactly one leader, holding leaderHold = leaderMax; every other bidder holds 0; bids counted = bids answered 201; the ledger explains every wallet; settled: the winner paid the price, nobody holds anything');
    problems.push(...bidProblems.map((p) => `bids: ${p}`));
  }

  // -------------------------------------------------------------------------------------------------------------
  // 2. Spins of one lucky draw.
  if (SCENARIOS.includes('spins')) {
    const FREE_SPINS = Math.min(3, SPINS_PER_MEMBER);
    const SPIN_COST = 10;
    const CREDIT = SPIN_COST * SPINS_PER_MEMBER;
    const setupStart = Date.now();
    const pool = await admin<{ poolId: string }>('POST', '/v1/admin/pools', { name: 'Benchmark draw pool', budgetPoints: 10_000_000, activities: [{ activity: 'games', weight: 1 }] });
    await admin('POST', '/v1/admin/coupons', {
      couponTemplateId: 'ct-bench',
      name: '10 off 50 (benchmark)',
      discount: { kind: 'AMOUNT_OFF', amountOffCents: 1000, thresholdCents: 5000 },
      validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 },
      issueLimit: null,
    });
    await admin('POST', '/v1/admin/products', { productId: 'bench-prize', name: 'Benchmark prize', type: 'PHYSICAL', zone: 'main', pricePoints: 2000, stockShards: 1, initialStock: 0 });
    // Limited prizes with little stock, so that some run out during the run and fall back to the consolation.
    const stockOf = (expectedDraws: number) => Math.max(1, Math.floor(expectedDraws / 2));
    const expectedSpins = SPINNERS * SPINS_PER_MEMBER;
    await admin('POST', '/v1/admin/draws', {
      drawId: 'd-bench',
      name: 'Benchmark wheel',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      freeSpinsPerDay: FREE_SPINS,
      spinCostPoints: SPIN_COST,
      maxSpinsPerDay: SPINS_PER_MEMBER,
      poolId: pool.poolId,
      activity: 'games',
      prizes: [
        { prizeId: 'points-1000', name: '1,000 points', kind: 'POINTS', points: 1000, weight: 1, stock: stockOf(expectedSpins / 100) },
        { prizeId: 'points-100', name: '100 points', kind: 'POINTS', points: 100, weight: 2 },
        { prizeId: 'points-20', name: '20 points', kind: 'POINTS', points: 20, weight: 10 },
        { prizeId: 'points-5', name: '5 points', kind: 'POINTS', points: 5, weight: 25 },
        { prizeId: 'coupon', name: 'Coupon 10 off 50', kind: 'COUPON', couponTemplateId: 'ct-bench', weight: 8, stock: stockOf((8 * expectedSpins) / 100) },
        { prizeId: 'goods', name: 'Benchmark prize', kind: 'GOODS', productId: 'bench-prize', weight: 2, stock: stockOf((2 * expectedSpins) / 100) },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 52 },
      ],
      consolationPrizeId: 'thanks',
    });
    const spinners = await members('spinner', SPINNERS, CREDIT);
    const published = await call('GET', '/v1/draws/d-bench', { token: spinners[0]?.token ?? '' });
    const odds = (published.body.prizes as { prizeId: string; odds: number; kind: string; points: number | null }[] | undefined) ?? [];
    console.log(`\nspins: ${whole(SPINNERS)} members (set up in ${fixed((Date.now() - setupStart) / 1000)} s), ${FREE_SPINS} free then ${SPIN_COST} points a spin, at most ${SPINS_PER_MEMBER} each, for up to ${SPIN_SECONDS} s ...`);

    interface SpinAnswer {
      spinId: string;
      memberId: string;
      day: string;
      n: number;
      drawnPrizeId: string;
      fallbackReason: string | null;
      costPoints: number;
      prize: { prizeId: string; kind: string; points: number | null };
    }
    const spins = new Map<string, SpinAnswer>();
    const outcomes = new Map<string, number>();
    const spinMs: number[] = [];
    let attempts = 0;
    let conflictRetries = 0;
    const deadline = Date.now() + SPIN_SECONDS * 1000;

    const spinner = async (m: BenchMember): Promise<void> => {
      let otherErrors = 0;
      while (Date.now() < deadline) {
        const key = randomUUID();
        let answer: Answer;
        for (;;) {
          answer = await call('POST', '/v1/draws/d-bench/spins', { token: m.token, body: {}, key });
          attempts += 1;
          spinMs.push(answer.ms);
          if (!isConflict(answer)) break;
          conflictRetries += 1;
          await sleep(20 + randomInt(80));
        }
        if (answer.status === 201) {
          const spin = answer.body as unknown as SpinAnswer;
          spins.set(spin.spinId, spin);
          count(outcomes, spin.costPoints > 0 ? 'paid 201' : 'free 201');
          continue;
        }
        const code = codeOf(answer);
        count(outcomes, code);
        if (code === 'NO_SPINS_LEFT' || code === 'INSUFFICIENT_POINTS' || code === 'DRAW_CLOSED') return;
        otherErrors += 1;
        if (otherErrors > 10) return;
        await sleep(100);
      }
    };

    resetDbCallCounts();
    recorder.recording = true;
    const loadStart = Date.now();
    await Promise.all(spinners.map(spinner));
    const loadSeconds = (Date.now() - loadStart) / 1000;
    await api.server.idle();
    recorder.recording = false;
    const calls = dbCallCounts();

    // Invariants: stock never below zero and awarded <= stock; statistics, pool and wallets agree with the spins answered.
    const spinProblems: string[] = [];
    const adminView = await admin<{
      prizes: { prizeId: string; kind: string; stock: number | null; stockLeft: number | null; drawn: number; awarded: number; fellBack: number }[];
      totals: { spins: number; paidSpins: number; costPoints: number; pointsAwarded: number; fallbacks: number };
    }>('GET', '/v1/admin/draws/d-bench');
    const poolView = await admin<{ issued: number }>('GET', `/v1/admin/pools/${pool.poolId}`);
    const answered = [...spins.values()];
    const drawn = new Map<string, number>();
    const awarded = new Map<string, number>();
    const fellBack = new Map<string, number>();
    for (const s of answered) {
      count(drawn, s.drawnPrizeId);
      count(awarded, s.prize.prizeId);
      if (s.fallbackReason) count(fellBack, `${s.drawnPrizeId} ${s.fallbackReason}`);
    }
    for (const p of adminView.prizes) {
      if (p.stock !== null) {
        const left = p.stockLeft ?? 0;
        if (left < 0) spinProblems.push(`${p.prizeId}: stock left ${left}, below zero`);
        if (p.awarded > p.stock) spinProblems.push(`${p.prizeId}: awarded ${p.awarded} of a stock of ${p.stock}`);
        if (left + p.awarded !== p.stock) spinProblems.push(`${p.prizeId}: left ${left} + awarded ${p.awarded} != stock ${p.stock}`);
      }
      if (p.awarded !== (awarded.get(p.prizeId) ?? 0)) spinProblems.push(`${p.prizeId}: the statistics say awarded ${p.awarded}, the spins answered ${awarded.get(p.prizeId) ?? 0}`);
      if (p.drawn !== (drawn.get(p.prizeId) ?? 0)) spinProblems.push(`${p.prizeId}: the statistics say drawn ${p.drawn}, the spins answered ${drawn.get(p.prizeId) ?? 0}`);
    }
    if (adminView.totals.spins !== answered.length) spinProblems.push(`the statistics count ${adminView.totals.spins} spins, the clients were answered 201 for ${answered.length}`);
    const pointsWon = answered.reduce((sum, s) => sum + (s.prize.kind === 'POINTS' ? Number(s.prize.points) : 0), 0);
    if (poolView.issued !== pointsWon) spinProblems.push(`the pool issued ${poolView.issued} points, the spins answered ${pointsWon}`);
    if (adminView.totals.pointsAwarded !== pointsWon) spinProblems.push(`the statistics say ${adminView.totals.pointsAwarded} points awarded, the spins answered ${pointsWon}`);
    // Per member and day the spin numbers are 1..k: never skipped, never shared; a member pays what their spins cost.
    const byMemberDay = new Map<string, number[]>();
    for (const s of answered) byMemberDay.set(`${s.memberId} ${s.day}`, [...(byMemberDay.get(`${s.memberId} ${s.day}`) ?? []), s.n]);
    for (const [memberDay, ns] of byMemberDay) {
      const sorted = ns.sort((a, b) => a - b);
      if (sorted.some((n, i) => n !== i + 1) || sorted.length > SPINS_PER_MEMBER) spinProblems.push(`${memberDay}: spin numbers ${sorted.join(',')}`);
    }
    const wallets = await audit(spinners, spinProblems);
    for (const m of spinners) {
      const own = answered.filter((s) => s.memberId === m.memberId);
      const cost = own.reduce((sum, s) => sum + s.costPoints, 0);
      const won = own.reduce((sum, s) => sum + (s.prize.kind === 'POINTS' ? Number(s.prize.points) : 0), 0);
      const wallet = wallets.get(m.memberId);
      if (wallet && (wallet.spent !== cost || wallet.available !== CREDIT - cost + won)) {
        spinProblems.push(`${m.memberId}: spent ${wallet.spent}, available ${wallet.available}; the spins cost ${cost} and won ${won} on ${CREDIT}`);
      }
    }

    // The prizes drawn against the published odds: a chi-square statistic, with its 99.9% bound (Wilson-Hilferty).
    const total = answered.length;
    let chiSquare = 0;
    const rows = odds.map((p) => {
      const expected = p.odds * total;
      const observed = drawn.get(p.prizeId) ?? 0;
      if (expected > 0) chiSquare += (observed - expected) ** 2 / expected;
      return `${p.prizeId} ${whole(observed)} (${fixed((100 * observed) / Math.max(1, total))}% vs ${fixed(100 * p.odds)}%)`;
    });
    const freedom = Math.max(1, odds.length - 1);
    const bound = freedom * (1 - 2 / (9 * freedom) + 3.09 * Math.sqrt(2 / (9 * freedom))) ** 3;

    const paid = answered.filter((s) => s.costPoints > 0).length;
    console.log(`spins: ${whole(SPINNERS)} members, one draw, ${FREE_SPINS} free spins then ${SPIN_COST} points, at most ${SPINS_PER_MEMBER} a day`);
    line('spins', `${whole(total)} (${whole(total - paid)} free, ${whole(paid)} paid) in ${fixed(loadSeconds)} s: ${fixed(total / loadSeconds)} spins/s; ${whole(attempts)} requests (${whole(conflictRetries)} CONFLICT retries with the same key)`);
    line('answers', mix(outcomes));
    line('latency', latencies(spinMs));
    line('prizes drawn', rows.join(', '));
    line('vs published odds', `chi-square ${fixed(chiSquare, 2)} on ${freedom} degrees of freedom; ${chiSquare <= bound ? 'within' : 'OUTSIDE'} the 99.9% bound ${fixed(bound, 2)} (chance, not an invariant)`);
    line('fallbacks', `${whole(adminView.totals.fallbacks)} to the consolation: ${[...fellBack].map(([what, n]) => `${what} ${whole(n)}`).join(', ') || 'none'}`);
    line('prize stock', adminView.prizes.filter((p) => p.stock !== null).map((p) => `${p.prizeId} ${p.awarded}/${p.stock} awarded, ${p.stockLeft} left`).join('; '));
    line('pool', `issued ${whole(poolView.issued)} points = the POINTS prizes answered (${whole(pointsWon)})`);
    line('DynamoDB calls', `${JSON.stringify(calls.byOperation)} (${fixed(calls.reads / Math.max(1, attempts), 2)} reads per request)`);
    await printWriteUnits(recorder, (label) => label.startsWith('spin '));
    if (spinProblems.length === 0) {
      console.log('  invariants hold: prize stock never below zero, awarded <= stock, left + awarded = stock; statistics, pool and wallets match the spins answered; spin numbers 1..k per member and day; the ledger explains every wallet');
    }
    problems.push(...spinProblems.map((p) => `spins: ${p}`));
  }

  // -------------------------------------------------------------------------------------------------------------
  // 3. Sign-ins and shares, all at once.
  if (SCENARIOS.includes('sign-ins')) {
    const SIGN_IN_POINTS = 5;
    const SHARE_POINTS = 10;
    const setupStart = Date.now();
    const pool = await admin<{ poolId: string }>('POST', '/v1/admin/pools', {
      name: 'Benchmark task pool',
      budgetPoints: 10_000_000,
      activities: [
        { activity: 'sign-in', weight: 1, dailyCapPerMember: 25 },
        { activity: 'share', weight: 1, dailyCapPerMember: 30 },
      ],
    });
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const common = { poolId: pool.poolId, startsAt };
    await admin('POST', '/v1/admin/tasks', { ...common, type: 'SIGN_IN', taskId: 't-bench-sign-in', name: 'Benchmark sign-in', points: SIGN_IN_POINTS, activity: 'sign-in' });
    await admin('POST', '/v1/admin/tasks', { ...common, type: 'SHARE', taskId: 't-bench-share', name: 'Benchmark share', points: SHARE_POINTS, activity: 'share', timesPerDay: 3 });
    const signers = await members('signer', SIGN_INS, 0);
    // A twin of every member for the bare replay below: a wallet seeded straight into the table, never used over HTTP.
    const twinOf = (memberId: string) => memberId.replace(/^signer-/, 'twin-');
    const readerTwinOf = (memberId: string) => memberId.replace(/^signer-/, 'twin-r-');
    const { seedWallets } = await import('../test/support/seed-wallets.js');
    const { bucketAfterMonths } = await import('../shared/domain/fifo.js');
    await seedWallets(
      signers.flatMap((m) => [twinOf(m.memberId), readerTwinOf(m.memberId)]).map((memberId) => ({ memberId, credits: [{ bucket: bucketAfterMonths(new Date(), 12), points: 1 }] })),
    );
    console.log(`\nsign-ins: ${whole(SIGN_INS)} members (set up in ${fixed((Date.now() - setupStart) / 1000)} s) each sign in and share once, all ${whole(2 * SIGN_INS)} requests at once ...`);

    const outcomes = new Map<string, number>();
    const ms = { SIGN_IN: [] as number[], SHARE: [] as number[] };
    /** What each member waited, from the first try to the answer, and where that time went (the gateway's stamps). */
    const waits = { SIGN_IN: [] as number[], SHARE: [] as number[] };
    const spent = { beforeLastAttempt: 0, queued: 0, inFunction: 0, transport: 0, answers: 0 };
    const awards = new Map<string, { memberId: string; type: string; totalPoints: number }>();
    let conflictRetries = 0;
    let overloadAnswers = 0;
    let lastAnswerAt = 0;

    // Every completion's TransactWriteItems as sent, committed ones only: replayed bare below.
    const { db } = await import('../shared/table/client.js');
    const committed: string[] = [];
    let collecting = false;
    db().middlewareStack.add(
      (next, context) => async (buildArgs) => {
        if (!collecting || context.commandName !== 'TransactWriteItemsCommand') return next(buildArgs);
        const result = await next(buildArgs);
        const body = (buildArgs.request as { body?: unknown }).body;
        committed.push(body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body));
        return result;
      },
      { step: 'build', name: 'benchSignInTransactions' },
    );

    /** As an app does it: 429/503 retried after Retry-After plus jitter, 409 CONFLICT after a short pause, both with the same key. */
    const complete = async (m: BenchMember, type: 'SIGN_IN' | 'SHARE'): Promise<void> => {
      const taskId = type === 'SIGN_IN' ? 't-bench-sign-in' : 't-bench-share';
      const key = randomUUID();
      const firstTry = performance.now();
      let overloaded = 0;
      for (let tries = 0; ; ) {
        const answer = await once('POST', `/v1/tasks/${taskId}/completions`, { token: m.token, body: {}, key });
        if ((answer.status === 429 || answer.status === 503) && overloaded < 30) {
          overloaded += 1;
          overloadAnswers += 1;
          count(overloadRetries, codeOf(answer));
          await sleep(1000 + randomInt(1000));
          continue;
        }
        ms[type].push(answer.ms);
        lastAnswerAt = Date.now();
        const waited = performance.now() - firstTry;
        if (answer.status === 201) {
          count(outcomes, `${type} 201`);
          awards.set(String(answer.body.entryId), { memberId: m.memberId, type, totalPoints: Number(answer.body.totalPoints) });
        } else {
          count(outcomes, `${type} ${codeOf(answer)}`);
        }
        if (answer.status === 201 || !isConflict(answer) || tries >= 30) {
          waits[type].push(waited);
          if (answer.queueMs !== undefined && answer.gatewayMs !== undefined) {
            spent.answers += 1;
            spent.beforeLastAttempt += waited - answer.ms;
            spent.queued += answer.queueMs;
            spent.inFunction += answer.gatewayMs - answer.queueMs;
            spent.transport += answer.ms - answer.gatewayMs;
          }
          return;
        }
        tries += 1;
        conflictRetries += 1;
        await sleep(20 + randomInt(80));
      }
    };

    const emulator = emulatorPid(new URL(dynamo.endpoint).port);
    const emulatorCpuBefore = emulator === undefined ? undefined : cpuSecondsOf(emulator);
    const nodeCpuBefore = process.cpuUsage();
    resetDbCallCounts();
    recorder.recording = true;
    collecting = true;
    const loadStart = Date.now();
    await Promise.all(signers.flatMap((m) => [complete(m, 'SIGN_IN'), complete(m, 'SHARE')]));
    const loadSeconds = (lastAnswerAt - loadStart) / 1000;
    await api.server.idle();
    recorder.recording = false;
    collecting = false;
    const nodeCpu = process.cpuUsage(nodeCpuBefore);
    const emulatorCpuAfter = emulator === undefined ? undefined : cpuSecondsOf(emulator);
    const calls = dbCallCounts();

    // Invariants: the pool's issued points are the sum of the awards; the tasks counted them; the ledger explains every wallet.
    const taskProblems: string[] = [];
    const poolView = await admin<{ issued: number; awards: number; counterShards: number; activities: { activity: string; issued: number }[] }>('GET', `/v1/admin/pools/${pool.poolId}`);
    const signInTask = await admin<{ counterShards: number; stats: { completions: number; pointsAwarded: number } }>('GET', '/v1/admin/tasks/t-bench-sign-in');
    const shareTask = await admin<{ stats: { completions: number; pointsAwarded: number } }>('GET', '/v1/admin/tasks/t-bench-share');
    const list = [...awards.values()];
    const sum = (type?: string) => list.filter((a) => type === undefined || a.type === type).reduce((total, a) => total + a.totalPoints, 0);
    const countOf = (type: string) => list.filter((a) => a.type === type).length;
    if (poolView.issued !== sum()) taskProblems.push(`the pool issued ${poolView.issued}, the awards answered add up to ${sum()}`);
    if (poolView.awards !== list.length) taskProblems.push(`the pool counts ${poolView.awards} awards, ${list.length} were answered`);
    const activityIssued = (activity: string) => poolView.activities.find((a) => a.activity === activity)?.issued ?? 0;
    if (activityIssued('sign-in') !== sum('SIGN_IN')) taskProblems.push(`sign-in activity issued ${activityIssued('sign-in')}, sign-ins answered ${sum('SIGN_IN')}`);
    if (activityIssued('share') !== sum('SHARE')) taskProblems.push(`share activity issued ${activityIssued('share')}, shares answered ${sum('SHARE')}`);
    if (signInTask.stats.completions !== countOf('SIGN_IN')) taskProblems.push(`the sign-in task counts ${signInTask.stats.completions}, ${countOf('SIGN_IN')} were answered`);
    if (shareTask.stats.completions !== countOf('SHARE')) taskProblems.push(`the share task counts ${shareTask.stats.completions}, ${countOf('SHARE')} were answered`);
    const wallets = await audit(signers, taskProblems);
    for (const m of signers) {
      const earned = list.filter((a) => a.memberId === m.memberId).reduce((total, a) => total + a.totalPoints, 0);
      const available = wallets.get(m.memberId)?.available;
      if (available !== earned) taskProblems.push(`${m.memberId} has ${available} points, was answered ${earned}`);
    }

    const completions = list.length;
    console.log(`sign-ins: ${whole(SIGN_INS)} members, each one sign-in (${SIGN_IN_POINTS} points) and one share (${SHARE_POINTS} points), from one pool`);
    line('completions', `${whole(completions)} of ${whole(2 * SIGN_INS)} in ${fixed(loadSeconds)} s: ${fixed(completions / loadSeconds)} completions/s (${whole(conflictRetries)} CONFLICT retries with the same key)`);
    line('answers', mix(outcomes));
    line('wait, sign-in', `${latencies(waits.SIGN_IN)}: from the first try to the answer`);
    line('wait, share', latencies(waits.SHARE));
    const mean = (total: number) => `${whole(total / Math.max(1, spent.answers))} ms`;
    line(
      'where it went',
      `per completion, on average: ${mean(spent.beforeLastAttempt)} before the attempt that was served (${whole(overloadAnswers)} answers 429/503 from the local ` +
        `concurrency, ${fixed(overloadAnswers / Math.max(1, spent.answers), 1)} a completion, each followed by a 1-2 s Retry-After pause), ${mean(spent.queued)} queued for ` +
        `one of the function's ${local.inFlight} slots, ${mean(spent.inFunction)} in the function, ${mean(spent.transport)} HTTP and client; ` +
        `the slots were busy ${whole((100 * spent.inFunction) / (local.inFlight * 1000 * loadSeconds))}% of the load`,
    );
    line('latency, sign-in', `${latencies(ms.SIGN_IN)}: the attempt that was served`);
    line('latency, share', latencies(ms.SHARE));
    line('pool', `issued ${whole(poolView.issued)} = the awards answered (${whole(sum())}: sign-in ${whole(sum('SIGN_IN'))}, share ${whole(sum('SHARE'))}) in ${whole(poolView.awards)} awards`);
    line(
      'hot items',
      `every completion updates one of the pool's ${poolView.counterShards} counter shards (POOL#${pool.poolId}[#n]/COUNTERS) and one of its task's ${signInTask.counterShards} (TASK#<taskId>[#n]/COUNTERS), each picked at random: no item takes every completion`,
    );
    const perCompletion = Object.entries(calls.byOperation)
      .map(([operation, n]) => `${operation} ${fixed(n / Math.max(1, completions), 2)}`)
      .join(', ');
    line('DynamoDB calls', `${JSON.stringify(calls.byOperation)}; per completion: ${perCompletion}`);
    const emulatorCpu = emulatorCpuBefore !== undefined && emulatorCpuAfter !== undefined ? `${fixed(emulatorCpuAfter - emulatorCpuBefore)} s` : 'not measured';
    line(
      'CPU during the load',
      `this process (the clients, the HTTP server, the gateway and the handlers) ${fixed((nodeCpu.user + nodeCpu.system) / 1e6)} s, ` +
        `DynamoDB Local ${emulatorCpu}, in ${fixed(loadSeconds)} s on ${availableParallelism()} cores (load average ${loadavg().map((l) => fixed(l, 2)).join(' ')} after it)`,
    );
    await printWriteUnits(recorder, (label) => label.endsWith(' completion'));

    // The same committed transactions again, each for the member's twin, straight to DynamoDB Local, as many at once
    // as the local gateway runs completions: what the table allows for the writes alone, without HTTP and reads.
    // Then again for other twins with the read the service sends before each write: the database's share of a completion.
    const emulatorMs = (before: number | undefined, after: number | undefined, n: number) =>
      before === undefined || after === undefined ? 'not measured' : `${fixed((1000 * (after - before)) / Math.max(1, n))} ms`;
    line('DynamoDB Local CPU', `${emulatorMs(emulatorCpuBefore, emulatorCpuAfter, completions)} per completion through HTTP`);
    for (const withReads of [false, true]) {
      const cpuBefore = emulator === undefined ? undefined : cpuSecondsOf(emulator);
      const bare = await replayBare(dynamo.endpoint, committed, { concurrency: local.inFlight, twinOf: withReads ? readerTwinOf : twinOf, withReads });
      const cpuAfter = emulator === undefined ? undefined : cpuSecondsOf(emulator);
      line(
        withReads ? 'bare, with the reads' : 'bare transactions',
        `${whole(bare.ok)} of ${whole(committed.length)} in ${fixed(bare.seconds, 2)} s at ${local.inFlight} at once: ${fixed(bare.ok / bare.seconds)}/s` +
          `${bare.failed > 0 ? ` (${bare.failed} failed: ${JSON.stringify(Object.fromEntries(bare.failures))})` : ''}; ` +
          `through HTTP ${fixed(completions / loadSeconds / (bare.ok / bare.seconds), 2)} of that; DynamoDB Local CPU ${emulatorMs(cpuBefore, cpuAfter, bare.ok + bare.failed)} each`,
      );
    }
    if (taskProblems.length === 0) console.log("  invariants hold: the pool's issued points (in all and per activity) = the sum of the awards answered; the tasks counted every completion; the ledger explains every wallet");
    problems.push(...taskProblems.map((p) => `sign-ins: ${p}`));
  }

  await api.close();
  console.log(`\noverload answers retried (429/503, same key, after Retry-After plus jitter): ${mix(overloadRetries)}`);
  console.log(`whole run ${fixed((Date.now() - startedAt) / 1000)} s (DynamoDB Local on this machine: rates measure the emulator; invariants and write units carry over to AWS)`);
  if (problems.length > 0) {
    console.error(`\nINVARIANT BROKEN:\n  ${problems.slice(0, 50).join('\n  ')}${problems.length > 50 ? `\n  ... and ${problems.length - 50} more` : ''}`);
    await dynamo.stop(1);
  }
  await dynamo.stop(0);
} catch (error) {
  console.error(error);
  await dynamo.stop(1);
}
