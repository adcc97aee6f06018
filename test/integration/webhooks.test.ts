import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../shared/webhooks/signature.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const jd = pair();
const wechat = pair();
const stranger = pair();
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
process.env.WEBHOOK_SENDERS = JSON.stringify({ suppliers: { jd: pem(jd.publicKey) }, payments: { wechatpay: pem(wechat.publicKey) } });

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.create();
});

interface Signed {
  timestamp?: string;
  nonce?: string;
  key?: KeyObject;
  body?: string;
  signedBody?: string;
}

async function send(path: string, message: Signed) {
  const timestamp = message.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = message.nonce ?? randomUUID();
  const body = message.body ?? '{}';
  const signature = sign(message.key ?? jd.privateKey, timestamp, nonce, message.signedBody ?? body);
  const response = await api.call<{ received: boolean; eventId: string; code?: string }>('POST', path, {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-signature': signature },
  });
  return { ...response, nonce };
}

async function outboxEvent(eventId: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.outbox(eventId), ConsistentRead: true }))).Item;
}

/** The nonce record and the outbox event are one transaction: no nonce record, no event. */
async function nothingWritten(nonce: string) {
  const item = await db().send(new GetCommand({ TableName: tableName(), Key: keys.webhookNonce('suppliers', 'jd', nonce), ConsistentRead: true }));
  expect(item.Item).toBeUndefined();
}

const supplierBody = (orderId: string) => JSON.stringify({ messageId: uniqueId('msg'), orderId, status: 'SHIPPED', trackingNo: 'SF1234567890' });

describe('signed webhooks', () => {
  it('accepts a correctly signed supplier message and turns it into an outbox event', async () => {
    const orderId = uniqueId('o');
    const res = await send('/v1/webhooks/suppliers/jd', { body: supplierBody(orderId) });

    expect(res.status).toBe(202);
    expect((await db().send(new GetCommand({ TableName: tableName(), Key: keys.webhookNonce('suppliers', 'jd', res.nonce) }))).Item).toBeDefined();
    const event = await outboxEvent(res.body.eventId);
    expect(event).toMatchObject({ entity: 'OutboxEvent', detailType: 'SupplierCallbackReceived', detail: { sender: 'jd', orderId, status: 'SHIPPED' } });
  });

  it('accepts a payment provider message signed with its own key', async () => {
    const body = JSON.stringify({ paymentId: uniqueId('pay'), orderId: uniqueId('o'), status: 'SUCCEEDED', amountCents: 990 });
    const res = await send('/v1/webhooks/payments/wechatpay', { body, key: wechat.privateKey });
    expect(res.status).toBe(202);
    expect(await outboxEvent(res.body.eventId)).toMatchObject({ detailType: 'PaymentCallbackReceived' });
  });

  it.each([
    ['signed with another key', { key: stranger.privateKey }, 401, 'INVALID_SIGNATURE'],
    ['signed with another sender\'s key', { key: wechat.privateKey }, 401, 'INVALID_SIGNATURE'],
    ['a tampered body', { signedBody: '{"status":"DELIVERED"}' }, 401, 'INVALID_SIGNATURE'],
    ['a stale timestamp', { timestamp: String(Math.floor(Date.now() / 1000) - 3600) }, 401, 'INVALID_SIGNATURE'],
    ['a timestamp from the future', { timestamp: String(Math.floor(Date.now() / 1000) + 3600) }, 401, 'INVALID_SIGNATURE'],
    ['a malformed nonce', { nonce: 'x' }, 401, 'INVALID_SIGNATURE'],
  ] as const)('refuses %s, and writes nothing', async (_, message, status, code) => {
    const res = await send('/v1/webhooks/suppliers/jd', { body: supplierBody(uniqueId('o')), ...message });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await nothingWritten(res.nonce);
  });

  it('refuses a reused nonce with 409 REPLAYED', async () => {
    const nonce = randomUUID();
    const first = await send('/v1/webhooks/suppliers/jd', { nonce, body: supplierBody(uniqueId('o')) });
    expect(first.status).toBe(202);
    const again = await send('/v1/webhooks/suppliers/jd', { nonce, body: supplierBody(uniqueId('o')) });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('REPLAYED');
  });

  it('answers 404 for an unknown or unconfigured sender, 413 for an oversized body, 400 for a signed but invalid body', async () => {
    expect((await send('/v1/webhooks/suppliers/acme', { body: supplierBody('o-1') })).status).toBe(404);
    expect((await send('/v1/webhooks/suppliers/tmall', { body: supplierBody('o-1') })).status).toBe(404);
    expect((await send('/v1/webhooks/suppliers/jd', { body: JSON.stringify({ pad: 'x'.repeat(70_000) }) })).status).toBe(413);
    const invalid = await send('/v1/webhooks/suppliers/jd', { body: JSON.stringify({ orderId: 'o-1', status: 'LOST' }) });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
  });
});
