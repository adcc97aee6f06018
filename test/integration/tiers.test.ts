import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantBirthdayBonuses } from '../../shared/jobs/birthdays.js';
import { runTierReview } from '../../shared/jobs/tier-review.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { getMember, programmeYear, registerMember, type Tier } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let pos: string;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  pos = await api.registerStore('store1');
  admin = await api.token('admin');
});

function buy(memberId: string, yuan: number, paidAt = new Date().toISOString(), purchaseId = uniqueId('p')) {
  return api.call<{ pointsEarned: number }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId, memberId, storeId: 'store1', paidAt, lines: [{ sku: 'tier-sku', category: 'A', amountCents: yuan * 100, quantity: 1 }] },
  });
}

async function member(tier: Tier = 'normal', extra: { birthday?: string } = {}): Promise<string> {
  const id = uniqueId(`tier-${tier}`);
  await registerMember(id, { tier, ...extra });
  return id;
}

async function profileItem(memberId: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }))).Item ?? {};
}

async function credit(memberId: string, points: number) {
  const res = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: admin, body: { points, reason: 'points for the test' } });
  if (res.status !== 201) throw new Error(res.text);
}

describe('tier growth and upgrades', () => {
  it('upgrades the tier in the purchase that crosses a threshold, and counts spend and purchases', async () => {
    // Prepare
    const memberId = await member();

    // Act
    await buy(memberId, 600);
    const below = await getMember(memberId);
    await buy(memberId, 500);
    const after = await getMember(memberId);
    const token = await api.token('member', memberId);
    const me = await api.call('GET', '/v1/me', { token });

    // Assess: silver at 1,000 growth (default rules), entered on the tier-review list
    expect(below).toMatchObject({ tier: 'normal', growth: 600, purchaseCount: 1 });
    expect(after).toMatchObject({ tier: 'silver', growth: 1_100, purchaseCount: 2 });
    expect(me.body).toMatchObject({ tier: 'silver', growth: 1_100 });
    expect(me.body).not.toHaveProperty('growthCounters');
    const item = await profileItem(memberId);
    const year = programmeYear(new Date());
    expect(item).toMatchObject({ [`GS#${year}`]: 110_000, [`GN#${year}`]: 2, ...keys.member.tierReviewEntry(memberId, year) });
  });

  it('never misses an upgrade when purchases of one member race', async () => {
    // Prepare
    const memberId = await member();

    // Act: 10 concurrent purchases of 150 CNY; none alone crosses 1,000
    const results = await Promise.all(Array.from({ length: 10 }, () => buy(memberId, 150)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(await getMember(memberId)).toMatchObject({ tier: 'silver', growth: 1_500, purchaseCount: 10 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(1_500);
  });

  it('never downgrades on a purchase, and a refund takes its amount off growth but not the tier', async () => {
    // Prepare
    const gold = await member('gold');
    const climber = await member();
    const purchase = await buy(climber, 1_200);
    const purchaseId = (purchase.body as unknown as { purchaseId: string }).purchaseId;

    // Act
    await buy(gold, 10);
    const refund = await api.call('POST', `/v1/pos/purchases/${purchaseId}/refunds`, { token: pos, body: { refundId: 'r1', amountCents: 60_000 } });

    // Assess
    expect((await getMember(gold)).tier).toBe('gold');
    expect(refund.status).toBe(201);
    expect(await getMember(climber)).toMatchObject({ tier: 'silver', growth: 600 });
  });
});

describe('buying a tier with points', () => {
  it('spends 1,000 points for silver to gold in one commit, once per Idempotency-Key', async () => {
    // Prepare
    const { memberId, token } = await api.newMember('buyer');
    const silver = await member('silver');
    const silverToken = await api.token('member', silver);
    await credit(silver, 1_500);
    const headers = { 'idempotency-key': `upgrade-${silver}` };

    // Act
    const bought = await api.call<{ tier: string }>('POST', '/v1/me/tier-upgrades', { token: silverToken, headers, body: { tier: 'gold' } });
    const replay = await api.call('POST', '/v1/me/tier-upgrades', { token: silverToken, headers, body: { tier: 'gold' } });
    const again = await api.call<{ detail: string }>('POST', '/v1/me/tier-upgrades', { token: silverToken, headers: { 'idempotency-key': `again-${silver}` }, body: { tier: 'gold' } });
    const skip = await api.call<{ detail: string }>('POST', '/v1/me/tier-upgrades', { token, headers: { 'idempotency-key': `skip-${memberId}` }, body: { tier: 'gold' } });
    const noKey = await api.call('POST', '/v1/me/tier-upgrades', { token, body: { tier: 'silver' } });

    // Assess
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ memberId: silver, tier: 'gold' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(bought.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT', detail: expect.stringContaining('already gold') });
    expect(skip.status).toBe(409);
    expect(skip.body.detail).toContain('one tier at a time');
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REQUIRED' });
    const { wallet, entries } = await expectLedgerExplainsWallet(silver);
    expect(wallet.available).toBe(500);
    expect(entries.filter((e) => e.type === 'SPEND').map((e) => [e.points, e.ref])).toEqual([[-1_000, 'tier-upgrade:gold']]);
    expect((await getMember(silver)).tier).toBe('gold');
  });

  it('answers INSUFFICIENT_POINTS and changes nothing when the points do not cover the price', async () => {
    // Prepare
    const silver = await member('silver');
    await credit(silver, 999);
    const token = await api.token('member', silver);

    // Act
    const res = await api.call('POST', '/v1/me/tier-upgrades', { token, headers: { 'idempotency-key': `poor-${silver}` }, body: { tier: 'gold' } });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', requested: 1_000, available: 999 });
    expect((await getMember(silver)).tier).toBe('silver');
    expect((await getWallet(silver, 'points')).available).toBe(999);
  });

  it('sells the upgrade once when several are bought at the same time, and refuses a tier not for sale', async () => {
    // Prepare
    const gold = await member('gold');
    const silver = await member('silver');
    await credit(silver, 5_000);
    const [goldToken, silverToken] = await Promise.all([api.token('member', gold), api.token('member', silver)]);

    // Act
    const racing = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api.call('POST', '/v1/me/tier-upgrades', { token: silverToken, headers: { 'idempotency-key': `race-${i}-${silver}` }, body: { tier: 'gold' } }),
      ),
    );
    const diamond = await api.call<{ detail: string }>('POST', '/v1/me/tier-upgrades', { token: goldToken, headers: { 'idempotency-key': `diamond-${gold}` }, body: { tier: 'diamond' } });

    // Assess
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect((await expectLedgerExplainsWallet(silver)).wallet.available).toBe(4_000);
    expect(diamond.status).toBe(409);
    expect(diamond.body.detail).toContain('cannot be bought');
  });
});

describe('the tier review', () => {
  it('downgrades members whose growth no longer reaches their tier, once a year, found through the review list', async () => {
    // Prepare: tiers reached by purchases two years ago (so only this test's members are due now)
    const year = Number(programmeYear(new Date()));
    const longAgo = `${year - 2}-06-01T04:00:00Z`;
    const lapsed = await member();
    const slipping = await member();
    const keeping = await member();
    const fresh = await member('gold');
    await buy(lapsed, 1_200, longAgo);
    await buy(slipping, 5_500, longAgo);
    await buy(slipping, 1_500);
    await buy(keeping, 1_200, longAgo);
    await buy(keeping, 1_100);
    const before = await Promise.all([lapsed, slipping, keeping].map(async (m) => (await getMember(m)).tier));

    // Act
    const first = await runTierReview();
    const second = await api.call<{ stats: Record<string, number> }>('POST', '/v1/admin/jobs/tier-review', { token: admin });

    // Assess
    expect(before).toEqual(['silver', 'gold', 'silver']);
    expect(first.complete).toBe(1);
    expect(first.membersReviewed).toBeGreaterThanOrEqual(3);
    expect(await getMember(lapsed)).toMatchObject({ tier: 'normal', growth: 0 });
    expect(await getMember(slipping)).toMatchObject({ tier: 'silver', growth: 1_500 });
    expect(await getMember(keeping)).toMatchObject({ tier: 'silver', growth: 1_100 });
    expect((await getMember(fresh)).tier).toBe('gold');
    const lapsedItem = await profileItem(lapsed);
    expect(lapsedItem.GSI2PK).toBeUndefined();
    expect((await profileItem(keeping)).GSI2SK).toBe(`${year}#${keeping}`);
    // The second run finds none of them due any more.
    expect(second.status).toBe(200);
    const keptAt = (await profileItem(keeping)).tierReviewedAt;
    expect(keptAt).toBeDefined();
    await runTierReview();
    expect((await profileItem(keeping)).tierReviewedAt).toBe(keptAt);
  });
});

describe('birthday bonuses', () => {
  it('pays the bonus of the tier once a year, and on 28 February of non-leap years to those born on 29 February', async () => {
    // Prepare: default bonuses normal 0, silver 100, gold 200
    const silver28 = await member('silver', { birthday: '1990-02-28' });
    const gold29 = await member('gold', { birthday: '1985-02-29' });
    const normal29 = await member('normal', { birthday: '2000-02-29' });
    const silverMarch = await member('silver', { birthday: '1990-03-01' });

    // Act
    const feb28 = await grantBirthdayBonuses('2027-02-28');
    const repeat = await grantBirthdayBonuses('2027-02-28');
    const leap28 = await grantBirthdayBonuses('2028-02-28');
    const leap29 = await grantBirthdayBonuses('2028-02-29');
    const job = await api.call<{ stats: Record<string, number> }>('POST', '/v1/admin/jobs/birthdays', { token: admin });

    // Assess
    expect(feb28).toMatchObject({ bonusesGranted: 2, pointsGranted: 300, noBonus: 1, complete: 1 });
    expect(repeat).toMatchObject({ bonusesGranted: 0, alreadyGranted: 2 });
    expect(leap28).toMatchObject({ bonusesGranted: 1, pointsGranted: 100 });
    expect(leap29).toMatchObject({ bonusesGranted: 1, pointsGranted: 200 });
    expect(job.status).toBe(200);
    expect(job.body.stats).toMatchObject({ complete: 1 });
    expect((await allLedgerEntries(silver28, 'points')).map((e) => [e.points, e.ref])).toEqual([
      [100, 'birthday:2027'],
      [100, 'birthday:2028'],
    ]);
    expect((await expectLedgerExplainsWallet(gold29)).wallet.available).toBe(400);
    expect((await getWallet(normal29, 'points')).available).toBe(0);
    expect((await getWallet(silverMarch, 'points')).available).toBe(0);
  });
});
