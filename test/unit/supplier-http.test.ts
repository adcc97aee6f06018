import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor, SupplierRejectedError, SupplierUnavailableError } from '../../shared/fulfilment/adapter.js';
import { resetSupplierConfigForTests } from '../../shared/fulfilment/config.js';
import { backoffMs, defaultRetryPolicy, sendWithRetries, type RetryPolicy } from '../../shared/fulfilment/http.js';
import { JdAdapter, jdSignature } from '../../shared/fulfilment/jd.js';
import { TmallAdapter } from '../../shared/fulfilment/tmall.js';

/** A real HTTP server whose answers the test scripts, one per request; it records what it received. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}
type Reply = (res: ServerResponse, received: Received) => void;

let server: Server;
let baseUrl: string;
let replies: Reply[] = [];
let received: Received[] = [];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (res) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const silent: Reply = () => undefined; // never answers: the client's timeout must fire
const hangUp: Reply = (res) => res.socket?.destroy(); // a network error

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      (replies.shift() ?? json(500, { error: 'no scripted reply' }))(res, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  replies = [];
  received = [];
});

const fast: RetryPolicy = { attempts: 3, attemptTimeoutMs: 200, baseDelayMs: 20, maxDelayMs: 50, totalBudgetMs: 2000 };
const post = (policy = fast) => sendWithRetries({ method: 'POST', url: `${baseUrl}/orders`, headers: { 'content-type': 'application/json' }, body: '{}' }, 'Test', policy);

describe('sendWithRetries', () => {
  it('returns the first successful answer', async () => {
    // Prepare
    replies = [json(200, { ok: true })];
    // Act
    const response = await post();
    // Assess
    expect(response).toMatchObject({ status: 200, json: { ok: true } });
    expect(received).toHaveLength(1);
  });

  it('retries 5xx and 429 and returns the answer that follows', async () => {
    // Prepare
    replies = [json(503, {}), json(429, {}), json(201, { id: 'x' })];
    // Act
    const response = await post();
    // Assess
    expect(response.status).toBe(201);
    expect(received).toHaveLength(3);
  });

  it('retries a network error', async () => {
    // Prepare
    replies = [hangUp, json(200, { ok: true })];
    // Act
    const response = await post();
    // Assess
    expect(response.status).toBe(200);
    expect(received).toHaveLength(2);
  });

  it('times out a silent attempt and retries it', async () => {
    // Prepare
    replies = [silent, json(200, { ok: true })];
    const started = Date.now();
    // Act
    const response = await post();
    // Assess
    expect(response.status).toBe(200);
    expect(received).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(fast.attemptTimeoutMs);
  });

  it('gives up as unavailable after the last attempt', async () => {
    // Prepare
    replies = [json(500, {}), json(502, {}), json(503, {}), json(200, {})];
    // Act
    const attempt = post();
    // Assess
    await expect(attempt).rejects.toThrow(SupplierUnavailableError);
    await expect(attempt).rejects.toThrow('Test is unavailable: HTTP 503');
    expect(received).toHaveLength(3);
  });

  it('gives up when every attempt times out, within the total budget', async () => {
    // Prepare
    replies = [silent, silent, silent];
    const started = Date.now();
    // Act
    const attempt = post({ ...fast, totalBudgetMs: 500 });
    // Assess
    await expect(attempt).rejects.toThrow(/no answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not retry a 4xx', async () => {
    // Prepare
    replies = [json(400, { message: 'bad sku' }), json(200, {})];
    // Act
    const response = await post();
    // Assess
    expect(response.status).toBe(400);
    expect(received).toHaveLength(1);
  });

  it('keeps the default policy inside about five seconds', () => {
    // Assess
    expect(defaultRetryPolicy.attempts).toBe(3);
    expect(defaultRetryPolicy.totalBudgetMs).toBeLessThanOrEqual(5000);
  });
});

describe('backoffMs', () => {
  it('grows exponentially with jitter between half and all of the ceiling, capped', () => {
    // Assess
    const policy: RetryPolicy = { ...fast, baseDelayMs: 100, maxDelayMs: 300 };
    expect(backoffMs(1, policy, () => 0)).toBe(50);
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(2, policy, () => 0)).toBe(100);
    expect(backoffMs(2, policy, () => 1)).toBe(200);
    expect(backoffMs(3, policy, () => 1)).toBe(300);
  });
});

describe('supplier adapters', () => {
  const order = { orderId: 'o-123', sku: 'SKU-9', quantity: 2, productName: 'Rice cooker' };
  const credentials = { jd: { appKey: 'jd-key', appSecret: 'jd-secret' }, tmall: { apiToken: 'tm-token' } };

  beforeEach(() => {
    process.env.SUPPLIER_ENDPOINTS = JSON.stringify({ jd: { baseUrl: `${baseUrl}/` }, tmall: { baseUrl } });
    process.env.SUPPLIER_CREDENTIALS = JSON.stringify(credentials);
    resetSupplierConfigForTests();
  });
  afterEach(() => {
    delete process.env.SUPPLIER_ENDPOINTS;
    delete process.env.SUPPLIER_CREDENTIALS;
  });

  it('sends JD its signed order with our order id as outOrderId', async () => {
    // Prepare
    replies = [json(200, { code: 0, jdOrderId: 'JD1' })];
    // Act
    const result = await new JdAdapter(fast).submit(order);
    // Assess
    expect(result).toEqual({ supplierOrderRef: 'JD1', duplicate: false });
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/jos/orders' });
    expect(JSON.parse(request!.body)).toEqual({ outOrderId: 'o-123', skuList: [{ skuId: 'SKU-9', num: 2 }], remark: 'Rice cooker' });
    expect(request!.headers['x-jd-appkey']).toBe('jd-key');
    expect(request!.headers['x-jd-sign']).toBe(jdSignature(credentials.jd, String(request!.headers['x-jd-timestamp']), request!.body));
  });

  it('sends Tmall a purchase order with a bearer token and our order id as idempotency key', async () => {
    // Prepare
    replies = [json(201, { purchaseOrder: { id: 'TM-1', status: 'CREATED' } })];
    // Act
    const result = await new TmallAdapter(fast).submit(order);
    // Assess
    expect(result).toEqual({ supplierOrderRef: 'TM-1', duplicate: false });
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/api/v1/purchase-orders' });
    expect(request!.headers.authorization).toBe('Bearer tm-token');
    expect(request!.headers['idempotency-key']).toBe('o-123');
    expect(JSON.parse(request!.body)).toEqual({ externalReference: 'o-123', lines: [{ sku: 'SKU-9', quantity: 2, title: 'Rice cooker' }] });
  });

  it('treats 409 as a duplicate submission that succeeded', async () => {
    // Prepare
    replies = [json(409, { code: 'DUPLICATE_ORDER', jdOrderId: 'JD1' }), json(409, { error: 'already_exists', purchaseOrderId: 'TM-1' })];
    // Act
    const jd = await new JdAdapter(fast).submit(order);
    const tmall = await new TmallAdapter(fast).submit(order);
    // Assess
    expect(jd).toEqual({ supplierOrderRef: 'JD1', duplicate: true });
    expect(tmall).toEqual({ supplierOrderRef: 'TM-1', duplicate: true });
  });

  it('rejects for good on a 4xx other than 409 and 429, without retrying', async () => {
    // Prepare
    replies = [json(422, { error: 'invalid_request', error_description: 'sku discontinued' })];
    // Act
    const attempt = new TmallAdapter(fast).submit(order);
    // Assess
    await expect(attempt).rejects.toThrow(SupplierRejectedError);
    await expect(attempt).rejects.toThrow('Tmall refused the order (HTTP 422): sku discontinued');
    expect(received).toHaveLength(1);
  });

  it('resends the identical request after a 5xx, so the supplier can deduplicate it', async () => {
    // Prepare
    replies = [json(502, {}), json(200, { code: 0, jdOrderId: 'JD2' })];
    // Act
    const result = await new JdAdapter(fast).submit(order);
    // Assess
    expect(result.supplierOrderRef).toBe('JD2');
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(received[1]!.headers['x-jd-sign']).toBe(received[0]!.headers['x-jd-sign']);
  });

  it('treats a success without an order reference as unavailable (a retry is safe)', async () => {
    // Prepare
    replies = [json(200, { code: 0 })];
    // Act / Assess
    await expect(new JdAdapter(fast).submit(order)).rejects.toThrow(SupplierUnavailableError);
  });

  it('names missing configuration without revealing credentials', async () => {
    // Prepare
    process.env.SUPPLIER_CREDENTIALS = JSON.stringify({ jd: { appKey: 'jd-key' } });
    // Act
    const attempt = new JdAdapter(fast).submit(order);
    // Assess
    await expect(attempt).rejects.toThrow('the credentials of supplier jd are incomplete or malformed (appSecret)');
    delete process.env.SUPPLIER_ENDPOINTS;
    resetSupplierConfigForTests();
    await expect(new JdAdapter(fast).submit(order)).rejects.toThrow('missing required environment variable SUPPLIER_ENDPOINTS');
  });

  it('finds the adapter of each supplier and refuses unknown ones', () => {
    // Assess
    expect(adapterFor('jd').supplierId).toBe('jd');
    expect(adapterFor('tmall')).toBe(adapterFor('tmall'));
    expect(() => adapterFor('amazon')).toThrow('no adapter for supplier "amazon"');
    expect(() => adapterFor('toString')).toThrow('no adapter for supplier');
  });
});
