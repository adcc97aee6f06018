import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPaymentCredentials, startSimulatedPayments, type SimulatedPayments } from '../../bin/local/simulated-payments.js';
import { resetSupplierConfigForTests } from '../../shared/fulfilment/config.js';
import { paymentAdapterFor } from '../../shared/payments/adapter.js';
import { yuan } from '../../shared/payments/alipay.js';
import { knownSenders } from '../../shared/webhooks/senders.js';
import { signatureProblem } from '../../shared/webhooks/signature.js';

/** One refund callback as the stub webhook receiver saw it, with the verdict of the signature check. */
interface Callback {
  readonly provider: string;
  readonly signatureProblem: string | undefined;
  readonly body: { paymentId: string; orderId: string; status: string; amountCents: number; refundId: string };
}

const keyDir = mkdtempSync(join(tmpdir(), 'payment-keys-'));
const publicKeys: Record<string, KeyObject> = {};
const privateKeyFiles: Record<string, string> = {};
for (const id of ['wechatpay', 'alipay']) {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(keyDir, `payments-${id}-private.pem`);
  writeFileSync(path, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  privateKeyFiles[`payments/${id}`] = path;
  publicKeys[id] = createPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }));
}

let receiver: Server;
let payments: SimulatedPayments;
const callbacks: Callback[] = [];

beforeAll(async () => {
  // Prepare: a stub of our payment webhook that verifies each signature with the provider's public key.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const provider = /^\/v1\/webhooks\/payments\/([a-z]+)$/.exec(req.url ?? '')?.[1] ?? 'unknown';
      const key = publicKeys[provider];
      const headers = { timestamp: req.headers['x-timestamp'] as string, nonce: req.headers['x-nonce'] as string, signature: req.headers['x-signature'] as string };
      callbacks.push({ provider, signatureProblem: key ? signatureProblem(key, headers, body, new Date()) : 'unknown sender', body: JSON.parse(body) as Callback['body'] });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  payments = await startSimulatedPayments({ webhookBaseUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, senderPrivateKeys: privateKeyFiles, delayMs: 20 });
  process.env.PAYMENT_ENDPOINTS = JSON.stringify({ wechatpay: { baseUrl: payments.endpoints.wechatpay }, alipay: { baseUrl: payments.endpoints.alipay } });
  process.env.PAYMENT_CREDENTIALS = JSON.stringify(localPaymentCredentials);
  resetSupplierConfigForTests();
});

afterAll(async () => {
  await payments.stop();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(keyDir, { recursive: true, force: true });
  delete process.env.PAYMENT_ENDPOINTS;
  delete process.env.PAYMENT_CREDENTIALS;
});

async function callbackOf(refundId: string): Promise<Callback | undefined> {
  const deadline = Date.now() + 5000;
  while (!callbacks.some((c) => c.body.refundId === refundId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return callbacks.find((c) => c.body.refundId === refundId);
}

describe.each(['wechatpay', 'alipay'])('simulated payment provider %s', (provider) => {
  it('takes a refund, then sends a signed SUCCEEDED callback naming it', async () => {
    // Act
    const result = await paymentAdapterFor(provider).refund({ refundId: `r-${provider}-ok`, orderId: 'o-1', paymentId: 'pay-1', amountCents: 990, reason: 'broken' });
    const sent = await callbackOf(`r-${provider}-ok`);
    // Assess
    expect(result.duplicate).toBe(false);
    expect(result.providerRefundRef).toMatch(/^[A-Z0-9]+$/);
    expect(sent).toMatchObject({ provider, signatureProblem: undefined, body: { orderId: 'o-1', paymentId: 'pay-1', status: 'SUCCEEDED', amountCents: 990 } });
  });

  it('answers a repeated refund as a duplicate with the same reference and calls back once', async () => {
    // Act
    const request = { refundId: `r-${provider}-twice`, orderId: 'o-2', paymentId: 'pay-2', amountCents: 12345, reason: 'twice' };
    const first = await paymentAdapterFor(provider).refund(request);
    const second = await paymentAdapterFor(provider).refund(request);
    await callbackOf(request.refundId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Assess
    expect(second).toEqual({ providerRefundRef: first.providerRefundRef, duplicate: true });
    expect(callbacks.filter((c) => c.body.refundId === request.refundId)).toHaveLength(1);
    expect(payments.refunds[provider as 'wechatpay' | 'alipay'].get(request.refundId)?.amountCents).toBe(12345);
  });

  it('fails the refund of a payment id starting with FAIL', async () => {
    await paymentAdapterFor(provider).refund({ refundId: `r-${provider}-fail`, orderId: 'o-3', paymentId: 'FAIL-3', amountCents: 100, reason: 'x' });
    expect((await callbackOf(`r-${provider}-fail`))?.body.status).toBe('FAILED');
  });
});

describe('payment adapters', () => {
  it('refuse a refund with the wrong credentials as a rejection (not retried)', async () => {
    process.env.PAYMENT_CREDENTIALS = JSON.stringify({ ...localPaymentCredentials, wechatpay: { mchId: 'local-mch', apiKey: 'wrong' } });
    resetSupplierConfigForTests();
    const attempt = paymentAdapterFor('wechatpay').refund({ refundId: 'r-auth', orderId: 'o-4', paymentId: 'pay-4', amountCents: 1, reason: 'x' });
    await expect(attempt).rejects.toThrow('WeChat Pay refused the order (HTTP 401): merchant id or signature does not match');
    process.env.PAYMENT_CREDENTIALS = JSON.stringify(localPaymentCredentials);
    resetSupplierConfigForTests();
  });

  it('exist for every payment provider that may call back, and name a missing endpoint by its variable', async () => {
    for (const provider of knownSenders.payments) expect(paymentAdapterFor(provider).provider).toBe(provider);
    expect(() => paymentAdapterFor('paypal')).toThrow('no adapter for payment provider "paypal"');
    const saved = process.env.PAYMENT_ENDPOINTS;
    delete process.env.PAYMENT_ENDPOINTS;
    resetSupplierConfigForTests();
    await expect(paymentAdapterFor('alipay').refund({ refundId: 'r-5', orderId: 'o-5', paymentId: 'p-5', amountCents: 1, reason: 'x' })).rejects.toThrow(
      'missing required environment variable PAYMENT_ENDPOINTS',
    );
    process.env.PAYMENT_ENDPOINTS = saved;
    resetSupplierConfigForTests();
  });

  it('write Alipay amounts in yuan with two decimals', () => {
    expect([yuan(990), yuan(5), yuan(100), yuan(123456)]).toEqual(['9.90', '0.05', '1.00', '1234.56']);
  });
});
