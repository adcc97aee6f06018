/**
 * Simulated suppliers for the local runtime and tests: one HTTP server per
 * supplier (node:http, a free port on 127.0.0.1) speaking that supplier's
 * order API as the adapters in shared/fulfilment expect it. Orders are kept
 * in memory by our order id: a repeat answers 409 with the same supplier
 * reference. After each `delayMs` the supplier sends a signed callback to
 * `${webhookBaseUrl}/v1/webhooks/suppliers/<id>`: ACCEPTED, SHIPPED (with a
 * tracking number), DELIVERED; or REJECTED for a sku starting with `REJECT`.
 */
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { JD_ORDERS_PATH, jdSignature, type JdCredentials } from '../../shared/fulfilment/jd.js';
import { TMALL_PURCHASE_ORDERS_PATH, type TmallCredentials } from '../../shared/fulfilment/tmall.js';
import { sign } from '../../shared/webhooks/signature.js';

export type SimulatedSupplierId = 'jd' | 'tmall';
export const simulatedSupplierIds: readonly SimulatedSupplierId[] = ['jd', 'tmall'];

/** Dev credentials the simulators accept; the local runtime hands the same to the adapters (SUPPLIER_CREDENTIALS). */
export const localSupplierCredentials: { readonly jd: JdCredentials; readonly tmall: TmallCredentials } = {
  jd: { appKey: 'local-jd-app', appSecret: 'local-jd-secret' },
  tmall: { apiToken: 'local-tmall-token' },
};

export type CallbackStatus = 'ACCEPTED' | 'SHIPPED' | 'DELIVERED' | 'REJECTED';

export interface SimulatedSuppliersOptions {
  /** Base URL of our API (`http://localhost:3000`). */
  readonly webhookBaseUrl: string;
  /** Path of each sender's private key PEM, keyed `suppliers/<id>` (SenderKeyFiles.privateKeys). */
  readonly senderPrivateKeys: Readonly<Record<string, string>>;
  /** Wait before each callback. */
  readonly delayMs: number;
  /** One line per event (order received, callback sent); silent by default. */
  readonly log?: (line: string) => void;
}

export interface SimulatedSuppliers {
  readonly endpoints: Record<SimulatedSupplierId, string>;
  /** A simulated outage: while on, the supplier answers every order 503 (our adapter retries, then the bus dead-letters the order). */
  setOutage(id: SimulatedSupplierId, down: boolean): void;
  /** The suppliers in an outage now. */
  outages(): SimulatedSupplierId[];
  stop(): Promise<void>;
}

interface RecordedOrder {
  readonly supplierOrderRef: string;
  readonly sku: string;
}

/** What one supplier's order API accepted, or how it answers at once. */
type Intake = { kind: 'order'; orderId: string; sku: string } | { kind: 'answer'; status: number; body: unknown };

interface SupplierShape {
  readonly path: string;
  /** Checks auth and body; the order, or the error answer in this supplier's style. */
  intake(headers: IncomingMessage['headers'], body: string): Intake;
  created(ref: string): { status: number; body: unknown };
  duplicate(ref: string): { status: number; body: unknown };
  newRef(): string;
  newTrackingNo(): string;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

const jdOrderSchema = z.object({
  outOrderId: z.string().min(1),
  skuList: z.array(z.object({ skuId: z.string().min(1), num: z.number().int().positive() })).length(1),
  remark: z.string().optional(),
});

function jdShape(credentials: JdCredentials): SupplierShape {
  const error = (status: number, code: string, message: string) => ({ kind: 'answer' as const, status, body: { code, message } });
  return {
    path: JD_ORDERS_PATH,
    intake(headers, body) {
      const timestamp = String(headers['x-jd-timestamp'] ?? '');
      const signature = String(headers['x-jd-sign'] ?? '');
      if (headers['x-jd-appkey'] !== credentials.appKey || !sameText(signature, jdSignature(credentials, timestamp, body))) {
        return error(401, 'INVALID_SIGN', 'app key or signature does not match');
      }
      const order = jdOrderSchema.safeParse(jsonOf(body));
      if (!order.success) return error(400, 'INVALID_PARAM', 'outOrderId and one skuList entry { skuId, num } are required');
      return { kind: 'order', orderId: order.data.outOrderId, sku: order.data.skuList[0]!.skuId };
    },
    created: (ref) => ({ status: 200, body: { code: 0, jdOrderId: ref } }),
    duplicate: (ref) => ({ status: 409, body: { code: 'DUPLICATE_ORDER', message: 'outOrderId already submitted', jdOrderId: ref } }),
    newRef: () => `JD${digits(12)}`,
    newTrackingNo: () => `JDVA${digits(11)}`,
  };
}

const tmallOrderSchema = z.object({
  externalReference: z.string().min(1),
  lines: z.array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive(), title: z.string().optional() })).length(1),
});

function tmallShape(credentials: TmallCredentials): SupplierShape {
  const error = (status: number, code: string, description: string) => ({
    kind: 'answer' as const,
    status,
    body: { error: code, error_description: description },
  });
  return {
    path: TMALL_PURCHASE_ORDERS_PATH,
    intake(headers, body) {
      if (!sameText(String(headers.authorization ?? ''), `Bearer ${credentials.apiToken}`)) return error(401, 'invalid_token', 'bearer token missing or wrong');
      const order = tmallOrderSchema.safeParse(jsonOf(body));
      if (!order.success) return error(400, 'invalid_request', 'externalReference and one line { sku, quantity } are required');
      const key = headers['idempotency-key'];
      if (key !== undefined && key !== order.data.externalReference) return error(422, 'invalid_request', 'Idempotency-Key must equal externalReference');
      return { kind: 'order', orderId: order.data.externalReference, sku: order.data.lines[0]!.sku };
    },
    created: (ref) => ({ status: 201, body: { purchaseOrder: { id: ref, status: 'CREATED' } } }),
    duplicate: (ref) => ({ status: 409, body: { error: 'already_exists', error_description: 'purchase order exists', purchaseOrderId: ref } }),
    newRef: () => `TM-${digits(14)}`,
    newTrackingNo: () => `SF${digits(12)}`,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** Callback delivery: a few tries, each with a fresh nonce and timestamp but the same messageId. */
const CALLBACK_ATTEMPTS = 3;
const CALLBACK_RETRY_MS = 500;

/** Starts one simulated supplier per supported supplier; `stop()` closes them and cancels pending callbacks. */
export async function startSimulatedSuppliers(options: SimulatedSuppliersOptions): Promise<SimulatedSuppliers> {
  const log = options.log ?? (() => undefined);
  const stopping = new AbortController();
  const shapes: Record<SimulatedSupplierId, SupplierShape> = {
    jd: jdShape(localSupplierCredentials.jd),
    tmall: tmallShape(localSupplierCredentials.tmall),
  };

  const privateKeys = new Map<SimulatedSupplierId, string>();
  for (const id of simulatedSupplierIds) {
    const path = options.senderPrivateKeys[`suppliers/${id}`];
    if (!path) throw new Error(`no private key for sender suppliers/${id}`);
    privateKeys.set(id, readFileSync(path, 'utf8'));
  }

  async function sendCallback(id: SimulatedSupplierId, orderId: string, status: CallbackStatus, trackingNo?: string): Promise<void> {
    const body = JSON.stringify({ messageId: `${id}-${randomUUID()}`, orderId, status, ...(trackingNo ? { trackingNo } : {}) });
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomUUID();
      try {
        const response = await fetch(`${options.webhookBaseUrl}/v1/webhooks/suppliers/${id}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-timestamp': timestamp,
            'x-nonce': nonce,
            'x-signature': sign(privateKeys.get(id)!, timestamp, nonce, body),
          },
          body,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(5000)]),
        });
        await response.text();
        log(`[supplier ${id}] order ${orderId} -> ${status}${trackingNo ? ` ${trackingNo}` : ''}: callback answered ${response.status}`);
        // 4xx will not change on a resend; 5xx might.
        if (response.status < 500) return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        log(`[supplier ${id}] order ${orderId} -> ${status}: callback failed (${(error as Error).message})`);
      }
      if (attempt < CALLBACK_ATTEMPTS) await sleep(CALLBACK_RETRY_MS, undefined, { signal: stopping.signal });
    }
  }

  async function fulfil(id: SimulatedSupplierId, orderId: string, order: RecordedOrder): Promise<void> {
    const steps: { status: CallbackStatus; trackingNo?: string }[] = order.sku.startsWith('REJECT')
      ? [{ status: 'REJECTED' }]
      : [{ status: 'ACCEPTED' }, { status: 'SHIPPED', trackingNo: shapes[id].newTrackingNo() }, { status: 'DELIVERED' }];
    for (const step of steps) {
      await sleep(options.delayMs, undefined, { signal: stopping.signal });
      await sendCallback(id, orderId, step.status, step.trackingNo);
    }
  }

  const servers: Server[] = [];
  const endpoints = {} as Record<SimulatedSupplierId, string>;
  const down = new Set<SimulatedSupplierId>();
  for (const id of simulatedSupplierIds) {
    const shape = shapes[id];
    const orders = new Map<string, RecordedOrder>();
    const answer = (res: ServerResponse, status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        if (req.method !== 'POST' || req.url !== shape.path) {
          answer(res, 404, { error: 'not_found' });
          return;
        }
        if (down.has(id)) {
          log(`[supplier ${id}] outage: order refused with 503`);
          answer(res, 503, { error: 'service_unavailable', message: `simulated ${id} outage` });
          return;
        }
        const intake = shape.intake(req.headers, body);
        if (intake.kind === 'answer') {
          answer(res, intake.status, intake.body);
          return;
        }
        const known = orders.get(intake.orderId);
        if (known) {
          const duplicate = shape.duplicate(known.supplierOrderRef);
          answer(res, duplicate.status, duplicate.body);
          return;
        }
        const order = { supplierOrderRef: shape.newRef(), sku: intake.sku };
        orders.set(intake.orderId, order);
        const created = shape.created(order.supplierOrderRef);
        answer(res, created.status, created.body);
        log(`[supplier ${id}] order ${intake.orderId} received (sku ${intake.sku}) as ${order.supplierOrderRef}`);
        fulfil(id, intake.orderId, order).catch((error: unknown) => {
          if (!stopping.signal.aborted) log(`[supplier ${id}] order ${intake.orderId}: ${(error as Error).message}`);
        });
      })().catch(() => {
        if (!res.headersSent) answer(res, 500, { error: 'internal' });
      });
    });
    servers.push(server);
    endpoints[id] = await listen(server);
  }

  return {
    endpoints,
    setOutage(id, isDown) {
      if (isDown) down.add(id);
      else down.delete(id);
      log(`[supplier ${id}] outage ${isDown ? 'started' : 'lifted'}`);
    },
    outages: () => [...down],
    async stop() {
      stopping.abort();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
