import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin', 'operator-privacy');
});

interface Member {
  memberId: string;
  birthday: string | null;
  tags: string[];
  referralCode: string;
  referredBy: string | null;
  status: string;
}

/** A member registered with a birthday, named as referred by another, with points and history. */
async function memberWithHistory(birthday: string) {
  const referrer = await api.newMember('ref');
  const code = (await api.call<Member>('GET', '/v1/me', { token: referrer.token })).body.referralCode;
  const memberId = uniqueId('erase');
  const token = await api.token('member', memberId);
  const registered = await api.call<Member>('POST', '/v1/me/register', { token, body: { birthday, referralCode: code } });
  expect(registered.status).toBe(201);
  const credit = await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, {
    token: admin,
    body: { points: 700, reason: 'goodwill credit' },
    headers: { 'idempotency-key': uniqueId('adj') },
  });
  expect(credit.status).toBe(201);
  return { memberId, token, profile: registered.body };
}

async function birthdayIndexHas(monthDay: string, memberId: string): Promise<boolean> {
  const found = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :sk',
      ExpressionAttributeValues: { ':pk': keys.birthdays.partition(monthDay), ':sk': `MEMBER#${memberId}` },
    }),
  );
  return (found.Items ?? []).length > 0;
}

describe('erasure of personal data', () => {
  it('erases the birthday, tags and referral codes at the member\'s request, and leaves points and ledger as they were', async () => {
    // Prepare
    const { memberId, token, profile } = await memberWithHistory('1991-07-14');
    const before = await expectLedgerExplainsWallet(memberId);
    expect(await birthdayIndexHas('07-14', memberId)).toBe(true);

    // Act
    const erased = await api.call('DELETE', '/v1/me', { token });

    // Assess: the receipt, a profile without personal fields, the code gone, the ledger untouched.
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ memberId, status: 'ERASED', erasedBy: 'member' });
    const me = await api.call<Member>('GET', '/v1/me', { token });
    expect(me.body).toMatchObject({ birthday: null, tags: [], referredBy: null, status: 'ERASED' });
    expect(me.text).not.toContain('1991-07-14');
    expect(me.text).not.toContain(profile.referralCode);
    expect(await birthdayIndexHas('07-14', memberId)).toBe(false);
    const newcomer = await api.call('POST', '/v1/me/register', {
      token: await api.token('member', uniqueId('late')),
      body: { referralCode: profile.referralCode },
    });
    expect(newcomer.status).toBe(400);
    const after = await expectLedgerExplainsWallet(memberId);
    expect(after.wallet).toEqual(before.wallet);
    expect(after.entries).toEqual(before.entries);
    const points = await api.call<{ available: number }>('GET', '/v1/me/points', { token });
    expect(points.body.available).toBe(before.wallet.available);
  });

  it('answers a repeated erasure with the first receipt', async () => {
    // Prepare
    const { token } = await memberWithHistory('1985-02-01');
    const first = await api.call('DELETE', '/v1/me', { token });

    // Act
    const again = await api.call('DELETE', '/v1/me', { token });

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('lets an operator erase a member, naming the operator', async () => {
    // Prepare
    const { memberId } = await memberWithHistory('1979-12-31');

    // Act
    const erased = await api.call('DELETE', `/v1/admin/members/${memberId}`, { token: admin });

    // Assess
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ memberId, erasedBy: 'operator:operator-privacy' });
    const viewed = await api.call<Member>('GET', `/v1/admin/members/${memberId}`, { token: admin });
    expect(viewed.body).toMatchObject({ status: 'ERASED', birthday: null });
  });

  it('answers 404 for a member never registered, and refuses a member token on the admin route', async () => {
    // Prepare
    const { memberId, token } = await memberWithHistory('2000-01-01');

    // Act
    const unknown = await api.call('DELETE', `/v1/admin/members/${uniqueId('nobody')}`, { token: admin });
    const asMember = await api.call('DELETE', `/v1/admin/members/${memberId}`, { token });

    // Assess
    expect(unknown.status).toBe(404);
    expect(asMember.status).toBe(403);
    const me = await api.call<Member>('GET', '/v1/me', { token });
    expect(me.body.birthday).toBe('2000-01-01');
  });
});
