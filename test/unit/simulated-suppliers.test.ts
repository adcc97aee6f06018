import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSupplierCredentials, startSimulatedSuppliers, type SimulatedSuppliers } from '../../bin/local/simulated-suppliers.js';
import { adapterFor } from '../../shared/fulfilment/adapter.js';
import { resetSupplierConfigForTests } from '../../shared/fulfilment/config.js';
import { signatureProblem } from '../../shared/webhooks/signature.js';

/** One callback as the stub webhook receiver saw it, with the verdict of the signature check. */
interface Callback {
  readonly supplier: string;
  readonly nonce: string;
  readonly signatureProblem: string | undefined;
  readonly body: { messageId: string; orderId: string; status: string; trackingNo?: string };
}

const keyDir = mkdtempSync(join(tmpdir(), 'supplier-keys-'));
const publicKeys: Record<string, KeyObject> = {};
const privateKeyFiles: Record<string, string> = {};
for (const id of ['jd', 'tmall']) {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(keyDir, `suppliers-${id}-private.pem`);
  writeFileSync(path, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  privateKeyFiles[`suppliers/${id}`] = path;
  publicKeys[id] = createPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }));
}

let receiver: Server;
let suppliers: SimulatedSuppliers;
const callbacks: Callback[] = [];

beforeAll(async () => {
  // Prepare: a stub of our webhook endpoint that verifies each signature with the sender's public key.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const supplier = /^\/v1\/webhooks\/suppliers\/([a-z]+)$/.exec(req.url ?? '')?.[1] ?? 'unknown';
      const key = publicKeys[supplier];
      const headers = { timestamp: req.headers['x-timestamp'] as string, nonce: req.headers['x-nonce'] as string, signature: req.headers['x-signature'] as string };
      callbacks.push({
        supplier,
        nonce: headers.nonce,
        signatureProblem: key ? signatureProblem(key, headers, body, new Date()) : 'unknown sender',
        body: JSON.parse(body) as Callback['body'],
      });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  suppliers = await startSimulatedSuppliers({
    webhookBaseUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    senderPrivateKeys: privateKeyFiles,
    delayMs: 20,
  });
  process.env.SUPPLIER_ENDPOINTS = JSON.stringify({ jd: { baseUrl: suppliers.endpoints.jd }, tmall: { baseUrl: suppliers.endpoints.tmall } });
  process.env.SUPPLIER_CREDENTIALS = JSON.stringify(localSupplierCredentials);
  resetSupplierConfigForTests();
});

afterAll(async () => {
  await suppliers.stop();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  rmSync(keyDir, { recursive: true, force: true });
  delete process.env.SUPPLIER_ENDPOINTS;
  delete process.env.SUPPLIER_CREDENTIALS;
});

const callbacksOf = (orderId: string) => callbacks.filter((c) => c.body.orderId === orderId);

async function waitForCallbacks(orderId: string, count: number): Promise<Callback[]> {
  const deadline = Date.now() + 5000;
  while (callbacksOf(orderId).length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return callbacksOf(orderId);
}

describe.each(['jd', 'tmall'])('simulated supplier %s', (supplierId) => {
  it('accepts an order, then sends signed ACCEPTED, SHIPPED with a tracking number and DELIVERED', async () => {
    // Prepare
    const orderId = `o-${supplierId}-ok`;
    // Act
    const result = await adapterFor(supplierId).submit({ orderId, sku: 'SKU-1', quantity: 1, productName: 'Kettle' });
    const sent = await waitForCallbacks(orderId, 3);
    // Assess
    expect(result.duplicate).toBe(false);
    expect(sent.map((c) => c.body.status)).toEqual(['ACCEPTED', 'SHIPPED', 'DELIVERED']);
    expect(sent.every((c) => c.supplier === supplierId && c.signatureProblem === undefined)).toBe(true);
    expect(sent[1]!.body.trackingNo).toMatch(/^[A-Z]+\d+$/);
    expect(sent[0]!.body.trackingNo).toBeUndefined();
    expect(new Set(sent.map((c) => c.body.messageId)).size).toBe(3);
    expect(new Set(sent.map((c) => c.nonce)).size).toBe(3);
  });

  it('rejects an order whose sku starts with REJECT', async () => {
    // Prepare
    const orderId = `o-${supplierId}-rejected`;
    // Act
    await adapterFor(supplierId).submit({ orderId, sku: 'REJECT-OUT-OF-STOCK', quantity: 1, productName: 'Kettle' });
    const sent = await waitForCallbacks(orderId, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Assess
    expect(callbacksOf(orderId).map((c) => c.body.status)).toEqual(['REJECTED']);
    expect(sent[0]!.signatureProblem).toBeUndefined();
  });

  it('answers a repeated order as a duplicate with the same reference and sends no second set of callbacks', async () => {
    // Prepare
    const orderId = `o-${supplierId}-twice`;
    const order = { orderId, sku: 'SKU-2', quantity: 3, productName: 'Tea set' };
    // Act
    const first = await adapterFor(supplierId).submit(order);
    const second = await adapterFor(supplierId).submit(order);
    await waitForCallbacks(orderId, 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Assess
    expect(second).toEqual({ supplierOrderRef: first.supplierOrderRef, duplicate: true });
    expect(callbacksOf(orderId)).toHaveLength(3);
  });
});

describe('simulated supplier auth', () => {
  it('refuses an order with the wrong credentials, which the adapter reports as a rejection', async () => {
    // Prepare
    process.env.SUPPLIER_CREDENTIALS = JSON.stringify({ ...localSupplierCredentials, tmall: { apiToken: 'wrong' } });
    resetSupplierConfigForTests();
    // Act
    const attempt = adapterFor('tmall').submit({ orderId: 'o-auth', sku: 'SKU-1', quantity: 1, productName: 'Kettle' });
    // Assess
    await expect(attempt).rejects.toThrow('Tmall refused the order (HTTP 401): bearer token missing or wrong');
    process.env.SUPPLIER_CREDENTIALS = JSON.stringify(localSupplierCredentials);
    resetSupplierConfigForTests();
  });
});
