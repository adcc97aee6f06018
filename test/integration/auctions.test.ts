/**
 * Auctions on DynamoDB Local, on a table of this file's own: the settlement
 * sweeper settles every ended auction of its table, and the outbox items
 * counted below are then only this file's.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { createAuction, readAuction, type AuctionInput } from '../../shared/auctions/auctions.js';
import { placeBid } from '../../shared/auctions/bids.js';
import { settleAuction } from '../../shared/auctions/settlement.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { runAuctionSettlementJob } from '../../shared/jobs/auction-settlement.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { commit } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { createProduct } from '../../shared/mall/catalogue.js';
import { listMemberOrders } from '../../shared/mall/orders.js';
import { registerMember } from '../../shared/members/service.js';
import { db } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, testPage, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const tableName = `points-mall-auctions-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();

let api: TestApi;
let admin: string;
let productId: string;

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, tableName, { stream: false });
  client.destroy();
  api = await TestApi.create();
  admin = await api.token('admin');
  productId = uniqueId('lot');
  await createProduct({
    productId,
    name: 'Porcelain tea set (auction lot)',
    description: '',
    type: 'PHYSICAL',
    zone: 'main',
    pricePoints: 2000,
    pointsCash: null,
    visibleToTiers: null,
    limits: { perDay: null, lifetime: null },
    saleStartsAt: null,
    saleEndsAt: null,
    supplier: null,
    couponTemplateId: null,
    status: 'ACTIVE',
    sortOrder: 1000,
    stockShards: 1,
    initialStock: 0,
  });
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A registered member with `points` available, and a token. */
async function member(points: number, prefix = 'bidder'): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

/** An auction of the test lot through the service, with its clock (`now`) injectable. */
async function auction(fields: Partial<AuctionInput> & { startsAt: string; endsAt: string }, now = new Date()): Promise<string> {
  const created = await createAuction(
    {
      auctionId: uniqueId('a'),
      productId,
      title: 'Tea set auction',
      description: '',
      latestEndsAt: null,
      startingPrice: 100,
      minIncrement: 10,
      reservePrice: null,
      antiSniping: null,
      ...fields,
    },
    'operator-test',
    now,
  );
  return created.auctionId;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A bid through the service, as member `memberId` at `now`. */
function bid(auctionId: string, memberId: string, amount: number, now: Date, maxAmount?: number) {
  const key = ulid();
  return placeBid({
    auctionId,
    memberId,
    amount,
    maxAmount,
    now,
    idempotency: { scope: `${memberId}:placeBid`, key, fingerprint: fingerprintOf({ auctionId, amount, maxAmount }) },
  });
}

function httpBid(token: string, auctionId: string, body: Record<string, unknown>, key: string = ulid()) {
  return api.call<Record<string, unknown>>('POST', `/v1/auctions/${auctionId}/bids`, { token, body, headers: { 'idempotency-key': key } });
}

/** This table's outbox items of one type about one auction or order. */
async function outboxItems(detailType: string, field: string, value: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :outbox AND detailType = :type AND #detail.#field = :value',
        ExpressionAttributeNames: { '#detail': 'detail', '#field': field },
        ExpressionAttributeValues: { ':outbox': 'OutboxEvent', ':type': detailType, ':value': value },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function entriesFor(memberId: string, auctionId: string) {
  return (await allLedgerEntries(memberId, 'points')).filter((e) => e.ref === auctionId);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('300 concurrent bids from 50 members', () => {
  it('end with one highest bidder holding exactly the winning bid, every other hold released, and the ledger explaining every wallet', async () => {
    // Prepare: an open auction and 50 members with plenty of points
    const now = Date.now();
    const created = await api.call<{ auctionId: string }>('POST', '/v1/admin/auctions', {
      token: admin,
      body: { productId, title: 'Peak auction', startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR), startingPrice: 100, minIncrement: 10 },
    });
    expect(created.status).toBe(201);
    const { auctionId } = created.body;
    const members = await Promise.all(Array.from({ length: 50 }, () => member(100_000)));

    // Act: 300 clients at once, six per member, plain bids. Like real clients, each reads the auction, bids the
    // minimum (or a little more), bids the named minimum again on BID_TOO_LOW, and retries a 409 CONFLICT with
    // the same Idempotency-Key after a pause; each gives up after a bounded number of tries.
    const client = async (i: number): Promise<{ memberId: string; outcome: string; amount?: number }> => {
      const { memberId, token } = members[i % members.length] as { memberId: string; token: string };
      const view = await api.call<{ minimumBid: number }>('GET', `/v1/auctions/${auctionId}`, { token });
      let amount = view.body.minimumBid + 10 * Math.floor(Math.random() * 3);
      for (let tries = 0; tries < 8; tries += 1) {
        const key = ulid();
        let res = await httpBid(token, auctionId, { amount }, key);
        for (let again = 0; res.status === 409 && res.body.code === 'CONFLICT' && again < 30; again += 1) {
          await sleep(50 + Math.random() * 200);
          res = await httpBid(token, auctionId, { amount }, key);
        }
        if (res.status === 201) return { memberId, outcome: String(res.body.outcome), amount };
        if (res.status !== 409 || res.body.code !== 'BID_TOO_LOW') throw new Error(`unexpected answer ${res.status}: ${res.text}`);
        amount = Number(res.body.minimumAmount) + 10 * Math.floor(Math.random() * 5);
        await sleep(Math.random() * 200);
      }
      return { memberId, outcome: 'GAVE_UP' };
    };
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => client(i)));

    // Assess: one leader, holding exactly the price; nobody else holds anything
    const final = await api.call<{ leaderId: string; price: number; leaderMax: number; leaderHold: number; bidCount: number; bidHistory: { items: { seq: number }[] } }>(
      'GET',
      `/v1/admin/auctions/${auctionId}?limit=100`,
      { token: admin },
    );
    const { leaderId, price, leaderHold, bidCount } = final.body;
    const placed = results.filter((r) => r.outcome !== 'GAVE_UP');
    // Every accepted bid led (plain bids): holds were taken and released along the way, from many members.
    expect(placed.filter((r) => r.outcome !== 'LEADING' && r.outcome !== 'RAISED')).toEqual([]);
    expect(new Set(placed.map((r) => r.memberId)).size).toBeGreaterThanOrEqual(5);
    expect(bidCount).toBe(placed.length);
    expect(leaderHold).toBe(price);
    expect(final.body.leaderMax).toBe(price);
    expect(price).toBe(Math.max(...placed.map((r) => r.amount as number)));
    expect(members.map((m) => m.memberId)).toContain(leaderId);
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet.held).toBe(m.memberId === leaderId ? price : 0);
      expect(wallet.available + wallet.held).toBe(100_000);
      // What the member's HOLD entries for this auction took, their RELEASE entries gave back, but for the winning bid.
      const entries = await entriesFor(m.memberId, auctionId);
      expect(entries.reduce((sum, e) => sum + e.heldDelta, 0)).toBe(m.memberId === leaderId ? price : 0);
    }
    // Bid numbers 1..n, no gaps, no repeats: each accepted bid was one transaction on one version.
    const seqs = final.body.bidHistory.items.map((b) => b.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: Math.min(bidCount, 100) }, (_, i) => bidCount - Math.min(bidCount, 100) + i + 1));
  }, 240_000);
});

describe('proxy bidding', () => {
  it("answers for the leader up to their maximum, shows it to nobody else, and moves holds with the lead", async () => {
    // Prepare
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const a = await member(5_000);
    const b = await member(5_000);
    const poor = await member(300);

    // Act + Assess, step by step
    const first = await httpBid(a.token, auctionId, { amount: 100, maxAmount: 500 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ outcome: 'LEADING', price: 100, leading: true, held: 500, minimumBid: 110 });

    const seenByB = await api.call<Record<string, unknown>>('GET', `/v1/auctions/${auctionId}`, { token: b.token });
    const seenByA = await api.call<Record<string, unknown>>('GET', `/v1/auctions/${auctionId}`, { token: a.token });
    expect(seenByB.body).toMatchObject({ price: 100, minimumBid: 110, you: { leading: false, maximum: null, held: 0 } });
    expect(seenByB.text).not.toMatch(/:500[,}]/);
    expect(seenByA.body).toMatchObject({ you: { leading: true, maximum: 500, held: 500 } });

    const answered = await httpBid(b.token, auctionId, { amount: 200 });
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({ outcome: 'OUTBID', price: 210, leading: false, held: 0 });
    expect((await getWallet(b.memberId, 'points')).held).toBe(0);

    const takesLead = await httpBid(b.token, auctionId, { amount: 300, maxAmount: 800 });
    expect(takesLead.body).toMatchObject({ outcome: 'LEADING', price: 510, held: 800 });
    expect((await getWallet(a.memberId, 'points')).held).toBe(0);

    const back = await httpBid(a.token, auctionId, { amount: 520, maxAmount: 1_000 });
    expect(back.body).toMatchObject({ outcome: 'LEADING', price: 810, held: 1_000 });
    expect((await getWallet(b.memberId, 'points')).held).toBe(0);

    const raised = await httpBid(a.token, auctionId, { amount: 810, maxAmount: 1_200 });
    expect(raised.body).toMatchObject({ outcome: 'RAISED', price: 810, held: 1_200 });
    const raise = (await entriesFor(a.memberId, auctionId)).at(-1);
    expect(raise).toMatchObject({ type: 'HOLD', heldDelta: 200 });

    // A member who cannot cover their maximum cannot push up what the leader pays.
    const before = await readAuction(auctionId);
    const broke = await httpBid(poor.token, auctionId, { amount: 820 });
    expect(broke.status).toBe(409);
    expect(broke.body).toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    expect((await readAuction(auctionId)).version).toBe(before.version);

    const history = await api.call<{ bidHistory: { items: { memberId: string; maxAmount: number; outcome: string }[] }; leaderMax: number }>(
      'GET',
      `/v1/admin/auctions/${auctionId}`,
      { token: admin },
    );
    expect(history.body.leaderMax).toBe(1_200);
    expect(history.body.bidHistory.items.map((i) => i.outcome)).toEqual(['RAISED', 'LEADING', 'LEADING', 'OUTBID', 'LEADING']);
    const mine = await api.call<{ items: { auctionId: string; outcome: string }[] }>('GET', '/v1/me/bids', { token: b.token });
    expect(mine.body.items.map((i) => i.outcome)).toEqual(['LEADING', 'OUTBID']);
    for (const m of [a, b, poor]) await expectLedgerExplainsWallet(m.memberId);
  });

  it('replays a repeated Idempotency-Key and refuses the key with another amount', async () => {
    // Prepare
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const a = await member(1_000);

    // Act
    const first = await httpBid(a.token, auctionId, { amount: 150 }, 'bid-key-0001');
    const again = await httpBid(a.token, auctionId, { amount: 150 }, 'bid-key-0001');
    const other = await httpBid(a.token, auctionId, { amount: 170 }, 'bid-key-0001');
    const missing = await api.call('POST', `/v1/auctions/${auctionId}/bids`, { token: a.token, body: { amount: 200 } });

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(422);
    expect(missing.status).toBe(400);
    expect((await readAuction(auctionId)).bids).toBe(1);
    expect((await getWallet(a.memberId, 'points')).held).toBe(150);
  });
});

describe('anti-sniping', () => {
  it('extends endsAt for a late bid, and the sweeper settles only at the new end', async () => {
    // Prepare: ends 10 minutes from T; a bid in the last 60 s moves the end to 120 s after it
    const T = Date.now();
    const auctionId = await auction({ startsAt: iso(T), endsAt: iso(T + 10 * MINUTE), antiSniping: { windowSeconds: 60, extendSeconds: 120 } }, new Date(T));
    const a = await member(5_000);
    const b = await member(5_000);

    // Act: one bid well before the window, one inside it
    const early = await bid(auctionId, a.memberId, 100, new Date(T + 5 * MINUTE));
    const late = await bid(auctionId, b.memberId, 110, new Date(T + 9.5 * MINUTE));

    // Assess: the early bid left the end alone; the late one moved it to 9.5 + 2 minutes
    expect(early.response?.body).toMatchObject({ extended: false, endsAt: iso(T + 10 * MINUTE) });
    expect(late.response?.body).toMatchObject({ extended: true, endsAt: iso(T + 11.5 * MINUTE) });
    const extended = await readAuction(auctionId);
    expect(extended.endsAt).toBe(iso(T + 11.5 * MINUTE));
    expect(extended.originalEndsAt).toBe(iso(T + 10 * MINUTE));

    // Past the original end the auction still takes bids and is not settled; a bid there extends again.
    expect(await settleAuction(auctionId, new Date(T + 10.5 * MINUTE))).toBe('NOT_DUE');
    const later = await bid(auctionId, a.memberId, 120, new Date(T + 11 * MINUTE));
    expect(later.response?.body).toMatchObject({ extended: true, endsAt: iso(T + 13 * MINUTE) });
    await runAuctionSettlementJob({ now: new Date(T + 12 * MINUTE) });
    expect((await readAuction(auctionId)).status).toBe('OPEN');

    const settled = await runAuctionSettlementJob({ now: new Date(T + 13 * MINUTE) });
    expect(settled.sold).toBeGreaterThanOrEqual(1);
    expect(await readAuction(auctionId)).toMatchObject({ status: 'SETTLED', winnerId: a.memberId, price: 120 });
    await expect(bid(auctionId, b.memberId, 200, new Date(T + 12.9 * MINUTE))).rejects.toMatchObject({ code: 'AUCTION_CLOSED' });
  });
});

describe('settlement', () => {
  async function endedAuctionWithBids(T: number) {
    const auctionId = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR), reservePrice: 300 }, new Date(T));
    const winner = await member(5_000, 'winner');
    const loser = await member(5_000, 'loser');
    await bid(auctionId, loser.memberId, 200, new Date(T + MINUTE), 350);
    await bid(auctionId, winner.memberId, 360, new Date(T + 2 * MINUTE), 900);
    return { auctionId, winner, loser };
  }

  async function expectSettledOnce(auctionId: string, winnerId: string, loserId: string) {
    const auction = await readAuction(auctionId);
    expect(auction).toMatchObject({ status: 'SETTLED', winnerId, price: 360, leaderHold: 0 });
    const entries = await entriesFor(winnerId, auctionId);
    expect(entries.filter((e) => e.type === 'CAPTURE').map((e) => e.heldDelta)).toEqual([-360]);
    expect(entries.filter((e) => e.type === 'RELEASE').map((e) => e.points)).toEqual([540]);
    const { wallet } = await expectLedgerExplainsWallet(winnerId);
    expect(wallet).toMatchObject({ available: 5_000 - 360, held: 0, spent: 360 });
    expect((await expectLedgerExplainsWallet(loserId)).wallet).toMatchObject({ available: 5_000, held: 0 });
    const orders = (await listMemberOrders(winnerId, testPage(100))).items.filter((o) => o.source?.id === auctionId);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ orderId: auction.orderId, productId, points: 360, status: 'PLACED', source: { kind: 'AUCTION', id: auctionId } });
    expect(await outboxItems('AuctionWon', 'auctionId', auctionId)).toEqual([
      expect.objectContaining({ detail: { auctionId, productId, memberId: winnerId, price: 360, orderId: auction.orderId, bids: 2, endedAt: auction.endsAt } }),
    ]);
    expect(await outboxItems('OrderPlaced', 'orderId', String(auction.orderId))).toHaveLength(1);
  }

  it('settles once when run twice: one capture, one order, one AuctionWon', async () => {
    // Prepare: an auction that ended an hour after T, won at 360 (second maximum 350 + 10) above the reserve
    const T = Date.now() - 3 * HOUR;
    const { auctionId, winner, loser } = await endedAuctionWithBids(T);

    // Act
    const first = await runAuctionSettlementJob({ now: new Date(T + 2 * HOUR) });
    const second = await runAuctionSettlementJob({ now: new Date(T + 2 * HOUR) });
    const direct = await settleAuction(auctionId, new Date(T + 2 * HOUR));

    // Assess
    expect(first.sold).toBeGreaterThanOrEqual(1);
    expect(second.auctionsDue).toBe(0);
    expect(direct).toBe('ALREADY_SETTLED');
    await expectSettledOnce(auctionId, winner.memberId, loser.memberId);
  });

  it('settles once when sweepers run concurrently', async () => {
    // Prepare
    const T = Date.now() - 3 * HOUR;
    const { auctionId, winner, loser } = await endedAuctionWithBids(T);

    // Act: two sweeper runs and four direct settlements at once
    const at = new Date(T + 2 * HOUR);
    const outcomes = await Promise.all([
      runAuctionSettlementJob({ now: at }),
      runAuctionSettlementJob({ now: at }),
      ...Array.from({ length: 4 }, () => settleAuction(auctionId, at)),
    ]);

    // Assess: exactly one call settled it
    const direct = outcomes.slice(2) as string[];
    const jobs = outcomes.slice(0, 2) as { sold: number }[];
    expect(direct.filter((o) => o === 'SETTLED').length + jobs.reduce((n, j) => n + j.sold, 0)).toBe(1);
    await expectSettledOnce(auctionId, winner.memberId, loser.memberId);
  });

  it('releases every hold when the reserve is not met, and when nobody bid', async () => {
    // Prepare
    const T = Date.now() - 3 * HOUR;
    const reserved = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR), reservePrice: 1_000 }, new Date(T));
    const empty = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR) }, new Date(T));
    const a = await member(5_000);
    const b = await member(5_000);
    await bid(reserved, a.memberId, 200, new Date(T + MINUTE), 500);
    await bid(reserved, b.memberId, 300, new Date(T + 2 * MINUTE));

    // Act
    const reservedOutcome = await settleAuction(reserved, new Date(T + 2 * HOUR));
    const emptyOutcome = await settleAuction(empty, new Date(T + 2 * HOUR));

    // Assess
    expect([reservedOutcome, emptyOutcome]).toEqual(['UNSOLD', 'UNSOLD']);
    expect(await readAuction(reserved)).toMatchObject({ status: 'UNSOLD', unsoldReason: 'RESERVE_NOT_MET', winnerId: null, orderId: null, leaderHold: 0 });
    expect(await readAuction(empty)).toMatchObject({ status: 'UNSOLD', unsoldReason: 'NO_BIDS' });
    for (const m of [a, b]) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet).toMatchObject({ available: 5_000, held: 0, spent: 0 });
    }
    expect((await entriesFor(a.memberId, reserved)).map((e) => e.type)).toEqual(['HOLD', 'RELEASE']);
    expect(await outboxItems('AuctionWon', 'auctionId', reserved)).toEqual([]);
    const view = await api.call<{ status: string; reserveMet: boolean }>('GET', `/v1/auctions/${reserved}`, { token: a.token });
    expect(view.body).toMatchObject({ status: 'UNSOLD', reserveMet: false });
  });

  it('is run by POST /v1/admin/jobs/auction-settlement, and the winner sees the order of the lot', async () => {
    // Prepare: ended an hour ago, one bid
    const T = Date.now() - 3 * HOUR;
    const auctionId = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR) }, new Date(T));
    const a = await member(1_000);
    await bid(auctionId, a.memberId, 150, new Date(T + MINUTE));

    // Act
    const run = await api.call<{ job: string; stats: Record<string, number> }>('POST', '/v1/admin/jobs/auction-settlement', { token: admin });

    // Assess
    expect(run.status).toBe(200);
    expect(run.body.stats.sold).toBeGreaterThanOrEqual(1);
    const view = await api.call<{ status: string; you: { won: boolean; orderId: string } }>('GET', `/v1/auctions/${auctionId}`, { token: a.token });
    expect(view.body).toMatchObject({ status: 'SETTLED', you: { won: true } });
    const order = await api.call('GET', `/v1/orders/${view.body.you.orderId}`, { token: a.token });
    expect(order.body).toMatchObject({ points: 150, source: { kind: 'AUCTION', id: auctionId } });
  });
});

describe('bad bids', () => {
  it('answers problem+json 4xx for invalid bids and a bid below the minimum, and writes nothing', async () => {
    // Prepare: an open auction with one bid, and a member with points
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const leader = await member(1_000);
    const a = await member(1_000);
    await httpBid(leader.token, auctionId, { amount: 300 });
    const before = await readAuction(auctionId);

    // Act
    const invalid = await Promise.all(
      [{ amount: 0 }, { amount: 150.5 }, { amount: '200' }, { amount: 400, maxAmount: 350 }, { amount: 400, bidder: 'someone-else' }, {}].map((body) =>
        httpBid(a.token, auctionId, body),
      ),
    );
    const malformed = await api.call('POST', `/v1/auctions/${auctionId}/bids`, {
      token: a.token,
      rawBody: '{"amount": 4',
      headers: { 'content-type': 'application/json', 'idempotency-key': ulid() },
    });
    const low = await httpBid(a.token, auctionId, { amount: 305 });
    const unknown = await httpBid(a.token, 'a-nowhere', { amount: 305 });

    // Assess
    for (const res of [...invalid, malformed]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(invalid[3]?.body.detail).toContain('maxAmount must be at least amount');
    expect(low.status).toBe(409);
    expect(low.body).toMatchObject({ code: 'BID_TOO_LOW', minimumAmount: 310 });
    expect(unknown.status).toBe(404);
    expect(await readAuction(auctionId)).toEqual(before);
    expect((await expectLedgerExplainsWallet(a.memberId)).wallet).toMatchObject({ available: 1_000, held: 0 });
    expect(await allLedgerEntries(a.memberId, 'points')).toHaveLength(1);
  });
});

describe('when bidding is closed', () => {
  it('answers AUCTION_CLOSED after the end and before the start, and writes nothing', async () => {
    // Prepare
    const now = Date.now();
    const ended = await auction({ startsAt: iso(now - 2 * HOUR), endsAt: iso(now - HOUR) }, new Date(now - 3 * HOUR));
    const upcoming = await auction({ startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) });
    const a = await member(1_000);

    // Act
    const late = await httpBid(a.token, ended, { amount: 500 });
    const early = await httpBid(a.token, upcoming, { amount: 500 });

    // Assess
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'AUCTION_CLOSED', reason: 'ENDED' });
    expect(early.body).toMatchObject({ code: 'AUCTION_CLOSED', reason: 'NOT_STARTED' });
    expect((await readAuction(ended)).version).toBe(0);
    expect((await readAuction(upcoming)).version).toBe(0);
    const { wallet } = await expectLedgerExplainsWallet(a.memberId);
    expect(wallet).toMatchObject({ available: 1_000, held: 0 });
  });

  it('lists open and upcoming auctions, soonest ending first, but not ended ones', async () => {
    // Prepare
    const now = Date.now();
    const ended = await auction({ startsAt: iso(now - 2 * HOUR), endsAt: iso(now - HOUR) }, new Date(now - 3 * HOUR));
    const open = await auction({ startsAt: iso(now - HOUR), endsAt: iso(now + 3 * HOUR) });
    const upcoming = await auction({ startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) });
    const a = await member(0);

    // Act: page through the whole list, two at a time
    const seen: { auctionId: string; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { auctionId: string; status: string }[]; nextCursor: string | null } } = await api.call(
        'GET',
        `/v1/auctions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: a.token },
      );
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);

    // Assess
    const ids = seen.map((s) => s.auctionId);
    expect(ids).not.toContain(ended);
    expect(ids.indexOf(upcoming)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(upcoming)).toBeLessThan(ids.indexOf(open));
    expect(seen.find((s) => s.auctionId === upcoming)?.status).toBe('UPCOMING');
    expect(seen.find((s) => s.auctionId === open)?.status).toBe('OPEN');
    const all = await api.call<{ items: { auctionId: string }[] }>('GET', '/v1/admin/auctions?limit=100', { token: admin });
    expect(all.body.items.map((i) => i.auctionId)).toEqual(expect.arrayContaining([ended, open, upcoming]));
  });

  it('refuses an auction of a product that is not goods to ship, or of an unknown product', async () => {
    // Prepare
    const virtualId = uniqueId('code');
    const virtual = await api.call('POST', '/v1/admin/products', { token: admin, body: { productId: virtualId, name: 'Top-up card', type: 'VIRTUAL', pricePoints: 100 } });
    expect(virtual.status).toBe(201);
    const now = Date.now();
    const body = (id: string) => ({ productId: id, title: 'Not a lot', startsAt: iso(now), endsAt: iso(now + HOUR), startingPrice: 10, minIncrement: 1 });

    // Act
    const wrongType = await api.call('POST', '/v1/admin/auctions', { token: admin, body: body(virtualId) });
    const unknown = await api.call('POST', '/v1/admin/auctions', { token: admin, body: body('p-nowhere') });
    const past = await api.call('POST', '/v1/admin/auctions', { token: admin, body: { ...body(productId), startsAt: iso(now - 2 * HOUR), endsAt: iso(now - HOUR) } });

    // Assess
    expect(wrongType.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(past.status).toBe(400);
  });
});

describe('cancelling an auction', () => {
  const reason = 'the lot was damaged in the warehouse';
  let operator: string;
  beforeAll(async () => {
    operator = await api.token('admin', 'operator-cancel');
  });

  function cancel(auctionId: string, body: Record<string, unknown> = { reason }, key?: string) {
    return api.call<Record<string, unknown>>('POST', `/v1/admin/auctions/${auctionId}/cancel`, {
      token: operator,
      body,
      ...(key ? { headers: { 'idempotency-key': key } } : {}),
    });
  }

  async function listing(auctionId: string): Promise<Record<string, unknown> | undefined> {
    return (await db().send(new GetCommand({ TableName: tableName, Key: keys.auction.listing(auctionId), ConsistentRead: true }))).Item;
  }

  /** Every auction id a member sees on GET /v1/auctions, all pages. */
  async function listedIds(token: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { auctionId: string }[]; nextCursor: string | null } } = await api.call('GET', `/v1/auctions?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
      ids.push(...page.body.items.map((i) => i.auctionId));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it("releases exactly the leader's hold in one commit, leaves the lists, and refuses bids after it", async () => {
    // Prepare: a leads with a maximum of 500, then b takes the lead with 800 (a's hold released by that bid)
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const a = await member(5_000);
    const b = await member(5_000);
    const late = await member(5_000);
    expect((await httpBid(a.token, auctionId, { amount: 100, maxAmount: 500 })).status).toBe(201);
    expect((await httpBid(b.token, auctionId, { amount: 300, maxAmount: 800 })).body).toMatchObject({ outcome: 'LEADING', held: 800 });
    expect(await listedIds(late.token)).toContain(auctionId);
    const before = await readAuction(auctionId);

    // Act
    const res = await cancel(auctionId);
    const after = await httpBid(late.token, auctionId, { amount: 2_000 });

    // Assess: the answer is the cancelled auction
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'CANCELLED',
      phase: 'CANCELLED',
      leaderHold: 0,
      version: before.version + 1,
      cancelledBy: 'operator-cancel',
      cancelReason: reason,
      cancelledAt: expect.any(String),
    });
    // b's whole hold came back as one RELEASE; a's was released by b's bid, not again
    const bEntries = await entriesFor(b.memberId, auctionId);
    expect(bEntries.map((e) => [e.type, e.heldDelta])).toEqual([
      ['HOLD', 800],
      ['RELEASE', -800],
    ]);
    expect((await entriesFor(a.memberId, auctionId)).map((e) => e.type)).toEqual(['HOLD', 'RELEASE']);
    for (const m of [a, b, late]) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet).toMatchObject({ available: 5_000, held: 0, spent: 0 });
    }
    // the bid after the cancellation is refused and writes nothing
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'AUCTION_CLOSED', reason: 'CANCELLED' });
    expect(await allLedgerEntries(late.memberId, 'points')).toHaveLength(1);
    expect((await readAuction(auctionId)).version).toBe(before.version + 1);
    // off the unsettled index, with its audit record and one AuctionCancelled event
    expect(await listing(auctionId)).toMatchObject({ status: 'CANCELLED' });
    expect(await listing(auctionId)).not.toHaveProperty('GSI2PK');
    expect(await outboxItems('AuctionCancelled', 'auctionId', auctionId)).toEqual([
      expect.objectContaining({
        detail: {
          auctionId,
          productId,
          phase: 'OPEN',
          reason,
          cancelledBy: 'operator-cancel',
          cancelledAt: res.body.cancelledAt,
          bids: 2,
          price: before.price,
          released: { memberId: b.memberId, points: 800 },
        },
      }),
    ]);
    const full = await api.call<{ audit: Record<string, unknown>[] }>('GET', `/v1/admin/auctions/${auctionId}`, { token: admin });
    expect(full.body.audit).toEqual([
      expect.objectContaining({ action: 'CANCELLED', by: 'operator-cancel', reason, versionAfter: before.version + 1, released: { memberId: b.memberId, points: 800 } }),
    ]);
    // members see it cancelled, no longer biddable, and the list no longer shows it
    const seen = await api.call<Record<string, unknown>>('GET', `/v1/auctions/${auctionId}`, { token: b.token });
    expect(seen.body).toMatchObject({ status: 'CANCELLED', minimumBid: null, you: { leading: false, held: 0, won: false } });
    expect(seen.text).not.toContain(reason);
    expect(await listedIds(late.token)).not.toContain(auctionId);
  });

  it('cancels an ended auction the sweeper has not settled yet, and the sweeper then settles nothing', async () => {
    // Prepare: ended an hour ago with a leader above any reserve: the sweeper would sell it
    const T = Date.now() - 3 * HOUR;
    const auctionId = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR) }, new Date(T));
    const a = await member(5_000);
    await bid(auctionId, a.memberId, 150, new Date(T + MINUTE), 400);

    // Act
    const res = await cancel(auctionId);
    const job = await runAuctionSettlementJob({ now: new Date(T + 2 * HOUR) });
    const direct = await settleAuction(auctionId, new Date(T + 2 * HOUR));

    // Assess: cancelled from ENDED, a's hold of 400 released, nothing captured, no order, no AuctionWon
    expect(res.status).toBe(200);
    expect((await outboxItems('AuctionCancelled', 'auctionId', auctionId))[0]).toMatchObject({ detail: { phase: 'ENDED', released: { memberId: a.memberId, points: 400 } } });
    expect(job.cancelled).toBe(0);
    expect(direct).toBe('CANCELLED');
    const settled = await readAuction(auctionId);
    expect(settled).toMatchObject({ status: 'CANCELLED', winnerId: null, orderId: null, settledAt: null, leaderHold: 0, version: 2 });
    expect((await entriesFor(a.memberId, auctionId)).map((e) => e.type)).toEqual(['HOLD', 'RELEASE']);
    expect((await expectLedgerExplainsWallet(a.memberId)).wallet).toMatchObject({ available: 5_000, held: 0, spent: 0 });
    expect((await listMemberOrders(a.memberId, testPage(100))).items).toEqual([]);
    expect(await outboxItems('AuctionWon', 'auctionId', auctionId)).toEqual([]);
  });

  it('answers the cancelled auction when cancelled again, replays a repeated key, and refuses a settled or unsold one', async () => {
    // Prepare: one open auction with a leader; one that was sold and one unsold (both settled)
    const now = Date.now();
    const open = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const a = await member(5_000);
    await httpBid(a.token, open, { amount: 200 });
    const T = now - 3 * HOUR;
    const sold = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR) }, new Date(T));
    const unsold = await auction({ startsAt: iso(T), endsAt: iso(T + HOUR) }, new Date(T));
    await bid(sold, a.memberId, 100, new Date(T + MINUTE));
    expect(await settleAuction(sold, new Date(T + 2 * HOUR))).toBe('SETTLED');
    expect(await settleAuction(unsold, new Date(T + 2 * HOUR))).toBe('UNSOLD');

    // Act
    const first = await cancel(open, { reason }, 'cancel-key-0001');
    const replay = await cancel(open, { reason }, 'cancel-key-0001');
    const reused = await cancel(open, { reason: 'another reason' }, 'cancel-key-0001');
    const again = await cancel(open, { reason: 'cancelled twice by mistake' });
    const onSold = await cancel(sold);
    const onUnsold = await cancel(unsold);

    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(reused.status).toBe(422);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'CANCELLED', cancelReason: reason, version: first.body.version });
    expect((await entriesFor(a.memberId, open)).map((e) => e.type)).toEqual(['HOLD', 'RELEASE']);
    expect(await outboxItems('AuctionCancelled', 'auctionId', open)).toHaveLength(1);
    expect(onSold.status).toBe(409);
    expect(onSold.body).toMatchObject({ code: 'CONFLICT', auctionStatus: 'SETTLED' });
    expect(onUnsold.body).toMatchObject({ code: 'CONFLICT', auctionStatus: 'UNSOLD' });
    expect(await readAuction(sold)).toMatchObject({ status: 'SETTLED', winnerId: a.memberId });
    const { wallet } = await expectLedgerExplainsWallet(a.memberId);
    expect(wallet).toMatchObject({ available: 5_000 - 100, held: 0, spent: 100 });
  });

  it('racing 30 concurrent bids, ends with every bid either before it (its hold released) or refused, and nothing held', async () => {
    // Prepare: an open auction and 30 members with points
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const members = await Promise.all(Array.from({ length: 30 }, () => member(10_000)));

    // Act: 30 clients, starting within half a second, each places one bid like a real client (the named minimum
    // again on BID_TOO_LOW, the same key again on CONFLICT) until it is accepted or refused; the operator cancels
    // once five bids have landed, while the others are in flight, retrying a CONFLICT like a client.
    const client = async (m: { memberId: string; token: string }): Promise<{ memberId: string; outcome: string }> => {
      await sleep(Math.random() * 500);
      const view = await api.call<{ minimumBid: number | null }>('GET', `/v1/auctions/${auctionId}`, { token: m.token });
      let amount = view.body.minimumBid ?? 100;
      for (let tries = 0; tries < 10; tries += 1) {
        const key = ulid();
        let res = await httpBid(m.token, auctionId, { amount, maxAmount: amount + 50 }, key);
        for (let again = 0; res.status === 409 && res.body.code === 'CONFLICT' && again < 30; again += 1) {
          await sleep(50 + Math.random() * 200);
          res = await httpBid(m.token, auctionId, { amount, maxAmount: amount + 50 }, key);
        }
        if (res.status === 201) return { memberId: m.memberId, outcome: 'ACCEPTED' };
        if (res.status === 409 && res.body.code === 'AUCTION_CLOSED') return { memberId: m.memberId, outcome: `CLOSED:${String(res.body.reason)}` };
        if (res.status !== 409 || res.body.code !== 'BID_TOO_LOW') throw new Error(`unexpected answer ${res.status}: ${res.text}`);
        amount = Number(res.body.minimumAmount);
      }
      return { memberId: m.memberId, outcome: 'GAVE_UP' };
    };
    const operatorClient = async () => {
      while ((await readAuction(auctionId)).bids < 5) await sleep(10);
      let res = await cancel(auctionId, { reason }, 'race-cancel-0001');
      for (let again = 0; res.status === 409 && res.body.code === 'CONFLICT' && again < 30; again += 1) {
        await sleep(50 + Math.random() * 200);
        res = await cancel(auctionId, { reason }, 'race-cancel-0001');
      }
      return res;
    };
    const [cancelled, ...results] = await Promise.all([operatorClient(), ...members.map((m) => client(m))]);

    // Assess: cancelled once; each bid landed before it or was refused as cancelled
    expect(cancelled.status).toBe(200);
    const final = await readAuction(auctionId);
    expect(final).toMatchObject({ status: 'CANCELLED', leaderHold: 0 });
    const accepted = results.filter((r) => r.outcome === 'ACCEPTED');
    const refused = results.filter((r) => r.outcome === 'CLOSED:CANCELLED');
    expect(results.filter((r) => r.outcome !== 'ACCEPTED' && r.outcome !== 'CLOSED:CANCELLED' && r.outcome !== 'GAVE_UP')).toEqual([]);
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(final.bids).toBe(accepted.length);
    expect(final.version).toBe(accepted.length + 1);
    // The hold released by the cancellation is the one the last bid before it left: the final leader's maximum.
    const [event] = await outboxItems('AuctionCancelled', 'auctionId', auctionId);
    expect(event).toMatchObject({ detail: { bids: accepted.length, released: { memberId: final.leaderId, points: final.leaderMax } } });
    // Nobody holds anything; every member's ledger explains their wallet and gives back all it held for this auction.
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet).toMatchObject({ available: 10_000, held: 0, spent: 0 });
      expect((await entriesFor(m.memberId, auctionId)).reduce((sum, e) => sum + e.heldDelta, 0)).toBe(0);
    }
    const cancelReleases = (await Promise.all(members.map((m) => entriesFor(m.memberId, auctionId))))
      .flat()
      .filter((e) => e.type === 'RELEASE' && e.reason.startsWith('auction cancelled'));
    expect(cancelReleases.map((e) => [e.memberId, -e.heldDelta])).toEqual([[final.leaderId, final.leaderMax]]);
  }, 120_000);
});

describe('changing an auction before it opens', () => {
  function patch(auctionId: string, body: Record<string, unknown>) {
    return api.call<Record<string, unknown>>('PATCH', `/v1/admin/auctions/${auctionId}`, { token: admin, body });
  }

  it('changes the terms of an upcoming auction, moves its listing, and keeps an audit record', async () => {
    // Prepare: an upcoming auction, opening in an hour for two hours
    const now = Date.now();
    const auctionId = await auction({ startsAt: iso(now + HOUR), endsAt: iso(now + 3 * HOUR) });
    const opens = new Date(Math.ceil((now + 2 * HOUR) / 1000) * 1000);

    // Act: open it later and for longer, at a higher price with a reserve and anti-sniping
    const res = await patch(auctionId, {
      expectedVersion: 0,
      title: 'Tea set auction, new date',
      startsAt: opens.toISOString().replace('.000Z', 'Z'),
      endsAt: iso(now + 5 * HOUR),
      latestEndsAt: iso(now + 6 * HOUR),
      startingPrice: 200,
      reservePrice: 500,
      antiSniping: { windowSeconds: 60, extendSeconds: 60 },
    });
    const stale = await patch(auctionId, { expectedVersion: 0, title: 'A lost update' });
    const badTerms = await patch(auctionId, { expectedVersion: 1, reservePrice: 150 });
    const beyondEnd = await patch(auctionId, { expectedVersion: 1, startsAt: iso(now + 7 * HOUR) });
    const empty = await patch(auctionId, { expectedVersion: 1 });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: 'Tea set auction, new date',
      phase: 'UPCOMING',
      startsAt: opens.toISOString(),
      endsAt: iso(now + 5 * HOUR),
      originalEndsAt: iso(now + 5 * HOUR),
      latestEndsAt: iso(now + 6 * HOUR),
      startingPrice: 200,
      minIncrement: 10,
      reservePrice: 500,
      antiSniping: { windowSeconds: 60, extendSeconds: 60 },
      version: 1,
    });
    const stored = await readAuction(auctionId);
    expect(stored).toMatchObject({ title: 'Tea set auction, new date', endsAt: iso(now + 5 * HOUR), version: 1 });
    expect(await db().send(new GetCommand({ TableName: tableName, Key: keys.auction.listing(auctionId) })).then((r) => r.Item)).toMatchObject({
      startsAt: stored.startsAt,
      endsAt: iso(now + 5 * HOUR),
      GSI2SK: keys.auction.unsettledEntry(auctionId, iso(now + 5 * HOUR)).GSI2SK,
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    expect(badTerms.status).toBe(400);
    expect(badTerms.body.detail).toContain('reservePrice must not be below startingPrice');
    expect(beyondEnd.status).toBe(400);
    expect(beyondEnd.body.detail).toContain('endsAt must be after startsAt');
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toContain('change at least one of');
    expect((await readAuction(auctionId)).version).toBe(1);
    const full = await api.call<{ audit: { action: string; changes: Record<string, { from: unknown; to: unknown }> }[] }>('GET', `/v1/admin/auctions/${auctionId}`, { token: admin });
    expect(full.body.audit).toHaveLength(1);
    expect(full.body.audit[0]).toMatchObject({ action: 'UPDATED', versionAfter: 1, changes: { startingPrice: { from: 100, to: 200 }, reservePrice: { from: null, to: 500 } } });
    expect(Object.keys(full.body.audit[0]?.changes ?? {}).sort()).toEqual(['antiSniping', 'endsAt', 'latestEndsAt', 'reservePrice', 'startingPrice', 'startsAt', 'title']);
  });

  it('answers 409 once the auction has opened, or was cancelled, and changes nothing', async () => {
    // Prepare: one open auction, one upcoming that is then cancelled
    const now = Date.now();
    const open = await auction({ startsAt: iso(now - MINUTE), endsAt: iso(now + HOUR) });
    const cancelled = await auction({ startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) });
    expect((await api.call('POST', `/v1/admin/auctions/${cancelled}/cancel`, { token: admin, body: { reason: 'duplicate of another auction' } })).status).toBe(200);
    const before = await readAuction(open);

    // Act
    const onOpen = await patch(open, { expectedVersion: 0, startingPrice: 1 });
    const onCancelled = await patch(cancelled, { expectedVersion: 1, title: 'Back from the dead' });
    const unknown = await patch('a-nowhere', { expectedVersion: 0, title: 'Nobody' });

    // Assess
    expect(onOpen.status).toBe(409);
    expect(onOpen.body).toMatchObject({ code: 'CONFLICT', phase: 'OPEN' });
    expect(onCancelled.status).toBe(409);
    expect(onCancelled.body).toMatchObject({ code: 'CONFLICT', auctionStatus: 'CANCELLED' });
    expect(unknown.status).toBe(404);
    expect(await readAuction(open)).toEqual(before);
    expect((await readAuction(cancelled)).title).toBe('Tea set auction');
  });
});
