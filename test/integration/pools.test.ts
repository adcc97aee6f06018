import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.js';
import { awardFromPool, createPool, getPool, type PoolAward } from '../../shared/earning/pools.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

async function newMembers(count: number, prefix: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const id = uniqueId(prefix);
      await registerMember(id, {});
      return id;
    }),
  );
}

/** The outcome of an award: 'ok' or the error code. */
async function tryAward(award: PoolAward): Promise<string> {
  try {
    await awardFromPool(award);
    return 'ok';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

const signIn = (poolId: string, memberId: string, points: number, extra: Partial<PoolAward> = {}): PoolAward => ({
  poolId,
  activity: 'sign-in',
  memberId,
  points,
  reason: 'daily sign-in',
  ref: `sign-in:${uniqueId('day')}`,
  ...extra,
});

describe('points pools', () => {
  it('splits a pool across its activities by weight and shows what each has issued', async () => {
    // Prepare
    const body = {
      name: 'Activity points 2026',
      budgetPoints: 10_000,
      activities: [
        { activity: 'sign-in', weight: 50 },
        { activity: 'share', weight: 30, dailyCapPerMember: 30 },
        { activity: 'games', weight: 20 },
      ],
    };

    // Act
    const created = await api.call<{ poolId: string }>('POST', '/v1/admin/pools', { token: admin, body });
    const [memberId] = await newMembers(1, 'pool-view');
    await awardFromPool(signIn(created.body.poolId, memberId as string, 5));
    const read = await api.call('GET', `/v1/admin/pools/${created.body.poolId}`, { token: admin });
    const list = await api.call<{ items: { poolId: string }[] }>('GET', '/v1/admin/pools?limit=100', { token: admin });
    const duplicate = await api.call('POST', '/v1/admin/pools', {
      token: admin,
      body: { ...body, activities: [{ activity: 'share', weight: 1 }, { activity: 'share', weight: 2 }] },
    });
    const missing = await api.call('GET', '/v1/admin/pools/pool-nowhere', { token: admin });

    // Assess
    expect(created.status).toBe(201);
    expect(read.body).toMatchObject({
      budgetPoints: 10_000,
      issued: 5,
      left: 9_995,
      awards: 1,
      activities: [
        { activity: 'sign-in', sharePoints: 5_000, issued: 5, left: 4_995, dailyCapPerMember: null },
        { activity: 'share', sharePoints: 3_000, issued: 0, left: 3_000, dailyCapPerMember: 30 },
        { activity: 'games', sharePoints: 2_000, issued: 0, left: 2_000 },
      ],
    });
    expect(list.body.items.map((p) => p.poolId)).toContain(created.body.poolId);
    expect(duplicate.status).toBe(400);
    expect(missing.status).toBe(404);
  });

  it('issues exactly the sign-in share of 1,000 under 150 concurrent awards of 10; the rest answer BUDGET_EXHAUSTED', async () => {
    // Prepare: budget 2,000, sign-in 50% = 1,000
    const pool = await createPool(
      { name: 'concurrency pool', budgetPoints: 2_000, activities: [{ activity: 'sign-in', weight: 50 }, { activity: 'share', weight: 30 }, { activity: 'games', weight: 20 }] },
      'test',
    );
    const members = await newMembers(30, 'pool-rush');

    // Act
    const outcomes = await Promise.all(Array.from({ length: 150 }, (_, i) => tryAward(signIn(pool.poolId, members[i % members.length] as string, 10))));

    // Assess
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(100);
    expect(outcomes.filter((o) => o === 'BUDGET_EXHAUSTED')).toHaveLength(50);
    const after = await getPool(pool.poolId);
    expect(after).toMatchObject({ issued: 1_000, left: 1_000, awards: 100 });
    expect(after.activities[0]).toMatchObject({ activity: 'sign-in', sharePoints: 1_000, issued: 1_000, left: 0 });
    let credited = 0;
    for (const m of members) credited += (await expectLedgerExplainsWallet(m)).wallet.available;
    expect(credited).toBe(1_000);
  });

  it('awards all or nothing: an award the share cannot cover whole writes nothing', async () => {
    // Prepare
    const pool = await createPool({ name: 'edge pool', budgetPoints: 100, activities: [{ activity: 'sign-in', weight: 1 }] }, 'test');
    const [memberId] = (await newMembers(1, 'pool-edge')) as [string];
    await awardFromPool(signIn(pool.poolId, memberId, 60));
    const before = await getWallet(memberId, 'points');

    // Act
    const tooMuch = await awardFromPool(signIn(pool.poolId, memberId, 50)).catch((e: DomainError) => e);
    const unchanged = await getWallet(memberId, 'points');
    const poolUnchanged = await getPool(pool.poolId);
    const rest = await awardFromPool(signIn(pool.poolId, memberId, 40));

    // Assess
    expect(tooMuch).toBeInstanceOf(DomainError);
    expect(tooMuch).toMatchObject({ code: 'BUDGET_EXHAUSTED', extensions: { left: 40, requested: 50 } });
    expect(unchanged).toEqual(before);
    expect(poolUnchanged).toMatchObject({ issued: 60, left: 40 });
    expect(rest.response.body.points).toBe(40);
    expect((await getPool(pool.poolId)).left).toBe(0);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(100);
  });

  it("caps what one member gets from an activity per day (Asia/Shanghai), all or nothing", async () => {
    // Prepare: share capped at 15 a day
    const pool = await createPool({ name: 'capped pool', budgetPoints: 1_000, activities: [{ activity: 'share', weight: 1, dailyCapPerMember: 15 }] }, 'test');
    const [a, b] = (await newMembers(2, 'pool-cap')) as [string, string];
    const share = (memberId: string, now?: Date): PoolAward => ({
      poolId: pool.poolId,
      activity: 'share',
      memberId,
      points: 10,
      reason: 'shared a product',
      ref: uniqueId('share'),
      ...(now ? { now } : {}),
    });

    // Act: yesterday 10 (and a second 10 refused), today 10, the other member 10
    const yesterday = new Date(Date.now() - 24 * 3600_000);
    const first = await tryAward(share(a, yesterday));
    const second = await tryAward(share(a, yesterday));
    const nextDay = await tryAward(share(a));
    const other = await tryAward(share(b));
    const overCap = await tryAward({ ...share(b), points: 20 });

    // Assess
    expect([first, second, nextDay, other, overCap]).toEqual(['ok', 'LIMIT_REACHED', 'ok', 'ok', 'LIMIT_REACHED']);
    expect((await expectLedgerExplainsWallet(a)).wallet.available).toBe(20);
    expect((await getPool(pool.poolId)).issued).toBe(30);
  });

  it('pays an award once per idempotency key and refuses an unknown activity', async () => {
    // Prepare
    const pool = await createPool({ name: 'idempotent pool', budgetPoints: 500, activities: [{ activity: 'sign-in', weight: 1 }] }, 'test');
    const [memberId] = (await newMembers(1, 'pool-idem')) as [string];
    const idempotency = { scope: 'sign-in', key: `${memberId}:2026-11-23`, fingerprint: fingerprintOf({ memberId, day: '2026-11-23' }) };

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => awardFromPool(signIn(pool.poolId, memberId, 5, { ref: 'sign-in:2026-11-23', idempotency }))));
    const unknown = await tryAward({ ...signIn(pool.poolId, memberId, 5), activity: 'quiz' });

    // Assess
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.response.body.entryId)).size).toBe(1);
    expect(unknown).toBe('VALIDATION_FAILED');
    expect((await allLedgerEntries(memberId, 'points')).map((e) => e.points)).toEqual([5]);
    expect((await getPool(pool.poolId)).issued).toBe(5);
  });

  it('lists pools newest first, page by page, and refuses a cursor of another list', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await api.call<{ poolId: string }>('POST', '/v1/admin/pools', {
        token: admin,
        body: { name: `Paged pool ${i}`, budgetPoints: 100, activities: [{ activity: 'share', weight: 1 }] },
      });
      expect(res.status).toBe(201);
      created.unshift(res.body.poolId);
    }
    // The newest three are these, in reverse order of creation, across pages of 2.
    const first = await api.call<{ items: { poolId: string }[]; nextCursor: string }>('GET', '/v1/admin/pools?limit=2', { token: admin });
    const second = await api.call<{ items: { poolId: string }[] }>('GET', `/v1/admin/pools?limit=2&cursor=${first.body.nextCursor}`, { token: admin });
    expect([...first.body.items, ...second.body.items].map((p) => p.poolId).slice(0, 3)).toEqual(created);

    const foreignCursor = Buffer.from(JSON.stringify({ GSI1PK: 'CAMPAIGNS', GSI1SK: 'x', PK: 'x', SK: 'x' })).toString('base64url');
    const foreign = await api.call<{ code: string }>('GET', `/v1/admin/pools?cursor=${foreignCursor}`, { token: admin });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('INVALID_CURSOR');
    expect((await api.call('GET', '/v1/admin/pools?cursor=not-a-cursor', { token: admin })).status).toBe(400);
  });
});

/** The stored counter shards of a pool, by shard number. */
async function counterShards(poolId: string, count: number): Promise<Record<string, unknown>[]> {
  const Keys = Array.from({ length: count }, (_, shard) => keys.pool.counterShard(poolId, shard));
  const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys, ConsistentRead: true } } }));
  return (result.Responses?.[tableName()] ?? []).sort((a, b) => Number(a.shard ?? 0) - Number(b.shard ?? 0));
}

describe('points pools over counter shards', () => {
  it('issues exactly the budget of a pool of 4 shards under 150 concurrent awards of 10, each shard within its slice', async () => {
    // Prepare: budget 1,000 over 4 shards of 250
    const created = await api.call<{ poolId: string; counterShards: number }>('POST', '/v1/admin/pools', {
      token: admin,
      body: { name: 'sharded pool', budgetPoints: 1_000, counterShards: 4, activities: [{ activity: 'sign-in', weight: 1 }] },
    });
    const poolId = created.body.poolId;
    const members = await newMembers(30, 'pool-shards');

    // Act
    const outcomes = await Promise.all(Array.from({ length: 150 }, (_, i) => tryAward(signIn(poolId, members[i % members.length] as string, 10))));

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.counterShards).toBe(4);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(100);
    expect(outcomes.filter((o) => o === 'BUDGET_EXHAUSTED')).toHaveLength(50);
    const view = await api.call('GET', `/v1/admin/pools/${poolId}`, { token: admin });
    expect(view.body).toMatchObject({ counterShards: 4, issued: 1_000, left: 0, awards: 100, activities: [{ activity: 'sign-in', issued: 1_000, left: 0 }] });
    const shards = await counterShards(poolId, 4);
    expect(shards.map((s) => [s.budgetPoints, s['S#sign-in'], s.issued, s['A#sign-in']])).toEqual(Array.from({ length: 4 }, () => [250, 250, 250, 250]));
    let credited = 0;
    for (const m of members) credited += (await expectLedgerExplainsWallet(m)).wallet.available;
    expect(credited).toBe(1_000);
  });

  it('falls over to another shard when its own is short, and refuses only when no shard can cover the award', async () => {
    // Prepare: budget 30 over 2 shards of 15
    const pool = await createPool({ name: 'two-shard pool', budgetPoints: 30, counterShards: 2, activities: [{ activity: 'sign-in', weight: 1 }] }, 'test');
    const [memberId] = (await newMembers(1, 'pool-fall-over')) as [string];

    // Act: the first 10 leaves 5 on its shard, so the second 10 must come from the other
    const first = await tryAward(signIn(pool.poolId, memberId, 10));
    const second = await tryAward(signIn(pool.poolId, memberId, 10));
    // 10 points are left in all, but 5 on each shard: an award of 10 is refused, two of 5 are paid
    const stranded = await awardFromPool(signIn(pool.poolId, memberId, 10)).catch((e: DomainError) => e);
    const fives = [await tryAward(signIn(pool.poolId, memberId, 5)), await tryAward(signIn(pool.poolId, memberId, 5))];
    const empty = await awardFromPool(signIn(pool.poolId, memberId, 1)).catch((e: DomainError) => e);

    // Assess
    expect([first, second, ...fives]).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(stranded).toMatchObject({ code: 'BUDGET_EXHAUSTED', extensions: { left: 10, requested: 10 } });
    expect((stranded as DomainError).message).toMatch(/at most 5 in one/);
    expect(empty).toMatchObject({ code: 'BUDGET_EXHAUSTED', extensions: { left: 0, requested: 1 } });
    expect(await getPool(pool.poolId)).toMatchObject({ counterShards: 2, issued: 30, left: 0, awards: 4 });
    expect((await counterShards(pool.poolId, 2)).map((s) => s.issued)).toEqual([15, 15]);
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(30);
  });

  it('keeps paying from a pool stored before sharding (no shard count, one counters item), never beyond its budget', async () => {
    // Prepare: a pool as stored before counter shards existed: no counterShards, the counters item without slices
    const poolId = uniqueId('pool-legacy');
    const activities = [
      { activity: 'sign-in', weight: 1, sharePoints: 50, dailyCapPerMember: null },
      { activity: 'share', weight: 1, sharePoints: 50, dailyCapPerMember: null },
    ];
    const createdAt = new Date().toISOString();
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.pool.definition(poolId), entity: 'Pool', poolId, name: 'legacy pool', budgetPoints: 100, activities, createdAt, createdBy: 'test' },
      }),
    );
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { PK: `POOL#${poolId}`, SK: 'COUNTERS', entity: 'PoolCounters', poolId, issued: 20, awards: 2, 'A#sign-in': 20, 'A#share': 0 },
      }),
    );
    const members = await newMembers(10, 'pool-legacy');

    // Act: 20 concurrent sign-in awards of 10 on the 30 points left of the sign-in share
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => tryAward(signIn(poolId, members[i % members.length] as string, 10))));

    // Assess
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'BUDGET_EXHAUSTED')).toHaveLength(17);
    expect(await getPool(poolId)).toMatchObject({
      counterShards: 1,
      issued: 50,
      left: 50,
      awards: 5,
      activities: [
        { activity: 'sign-in', issued: 50, left: 0 },
        { activity: 'share', issued: 0, left: 50 },
      ],
    });
    let credited = 0;
    for (const m of members) credited += (await expectLedgerExplainsWallet(m)).wallet.available;
    expect(credited).toBe(30);
  });
});
