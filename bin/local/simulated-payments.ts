/**
 * Simulated payment providers for the local runtime and tests: one HTTP
 * server per provider (node:http, a free port on 127.0.0.1) speaking that
 * provider's refund API as the adapters in shared/payments expect it.
 * Refunds are kept in memory by our refund id: a repeat answers 409 with the
 * same provider reference. After `delayMs` the provider sends a signed
 * callback to `${webhookBaseUrl}/v1/webhooks/payments/<id>` naming the refund:
 * SUCCEEDED, or FAILED for a payment id starting with `FAIL`.
 */
import { randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ALIPAY_REFUNDS_PATH, type AlipayCredentials } from '../../shared/payments/alipay.js';
import { WECHATPAY_REFUNDS_PATH, wechatPaySignature, type WechatPayCredentials } from '../../shared/payments/wechatpay.js';
import { sign } from '../../shared/webhooks/signature.js';

export type SimulatedProviderId = 'wechatpay' | 'alipay';
export const simulatedProviderIds: readonly SimulatedProviderId[] = ['wechatpay', 'alipay'];

/** Dev credentials the simulators accept; the local runtime hands the same to the adapters (PAYMENT_CREDENTIALS). */
export const localPaymentCredentials: { readonly wechatpay: WechatPayCredentials; readonly alipay: AlipayCredentials } = {
  wechatpay: { mchId: 'local-mch', apiKey: 'local-wechatpay-key' },
  alipay: { apiToken: 'local-alipay-token' },
};

export interface SimulatedPaymentsOptions {
  /** Base URL of our API (`http://localhost:3000`). */
  readonly webhookBaseUrl: string;
  /** Path of each sender's private key PEM, keyed `payments/<id>` (SenderKeyFiles.privateKeys). */
  readonly senderPrivateKeys: Readonly<Record<string, string>>;
  /** Wait before the refund's callback. */
  readonly delayMs: number;
  readonly log?: (line: string) => void;
}

export interface SimulatedPayments {
  readonly endpoints: Record<SimulatedProviderId, string>;
  /** Refunds each provider accepted (tests). */
  readonly refunds: Record<SimulatedProviderId, ReadonlyMap<string, RecordedRefund>>;
  stop(): Promise<void>;
}

export interface RecordedRefund {
  readonly providerRefundRef: string;
  readonly orderId: string;
  readonly paymentId: string;
  readonly amountCents: number;
}

type Intake =
  | { kind: 'refund'; refundId: string; orderId: string; paymentId: string; amountCents: number }
  | { kind: 'answer'; status: number; body: unknown };

interface ProviderShape {
  readonly path: string;
  intake(headers: IncomingMessage['headers'], body: string): Intake;
  created(ref: string): { status: number; body: unknown };
  duplicate(ref: string): { status: number; body: unknown };
  newRef(): string;
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

const wechatRefundSchema = z.object({
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  amount: z.object({ refund: z.number().int().positive(), currency: z.literal('CNY') }),
});

function wechatShape(credentials: WechatPayCredentials): ProviderShape {
  const error = (status: number, code: string, message: string) => ({ kind: 'answer' as const, status, body: { code, message } });
  return {
    path: WECHATPAY_REFUNDS_PATH,
    intake(headers, body) {
      const timestamp = String(headers['x-timestamp'] ?? '');
      const signature = String(headers['x-sign'] ?? '');
      if (headers['x-mch-id'] !== credentials.mchId || !sameText(signature, wechatPaySignature(credentials, timestamp, body))) {
        return error(401, 'SIGN_ERROR', 'merchant id or signature does not match');
      }
      const refund = wechatRefundSchema.safeParse(jsonOf(body));
      if (!refund.success) return error(400, 'PARAM_ERROR', 'out_trade_no, transaction_id, out_refund_no and amount { refund, currency CNY } are required');
      const r = refund.data;
      return { kind: 'refund', refundId: r.out_refund_no, orderId: r.out_trade_no, paymentId: r.transaction_id, amountCents: r.amount.refund };
    },
    created: (ref) => ({ status: 200, body: { refund_id: ref, status: 'PROCESSING' } }),
    duplicate: (ref) => ({ status: 409, body: { code: 'DUPLICATE_REFUND', message: 'out_refund_no already submitted', refund_id: ref } }),
    newRef: () => `50${digits(26)}`,
  };
}

const alipayRefundSchema = z.object({
  out_trade_no: z.string().min(1),
  trade_no: z.string().min(1),
  out_request_no: z.string().min(1),
  refund_amount: z.string().regex(/^\d+\.\d{2}$/),
});

function alipayShape(credentials: AlipayCredentials): ProviderShape {
  const error = (status: number, code: string, description: string) => ({ kind: 'answer' as const, status, body: { error: code, error_description: description } });
  return {
    path: ALIPAY_REFUNDS_PATH,
    intake(headers, body) {
      if (!sameText(String(headers.authorization ?? ''), `Bearer ${credentials.apiToken}`)) return error(401, 'invalid_token', 'bearer token missing or wrong');
      const refund = alipayRefundSchema.safeParse(jsonOf(body));
      if (!refund.success) return error(400, 'invalid_request', 'out_trade_no, trade_no, out_request_no and refund_amount ("9.90") are required');
      const r = refund.data;
      const [yuan, fen] = r.refund_amount.split('.') as [string, string];
      return { kind: 'refund', refundId: r.out_request_no, orderId: r.out_trade_no, paymentId: r.trade_no, amountCents: Number(yuan) * 100 + Number(fen) };
    },
    created: (ref) => ({ status: 201, body: { refund: { id: ref, status: 'PROCESSING' } } }),
    duplicate: (ref) => ({ status: 409, body: { error: 'already_exists', error_description: 'refund exists', refundId: ref } }),
    newRef: () => `RF${digits(18)}`,
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

const CALLBACK_ATTEMPTS = 3;
const CALLBACK_RETRY_MS = 500;

/** Starts one simulated payment provider per supported provider; `stop()` closes them and cancels pending callbacks. */
export async function startSimulatedPayments(options: SimulatedPaymentsOptions): Promise<SimulatedPayments> {
  const log = options.log ?? (() => undefined);
  const stopping = new AbortController();
  const shapes: Record<SimulatedProviderId, ProviderShape> = {
    wechatpay: wechatShape(localPaymentCredentials.wechatpay),
    alipay: alipayShape(localPaymentCredentials.alipay),
  };
  const privateKeys = new Map<SimulatedProviderId, string>();
  for (const id of simulatedProviderIds) {
    const path = options.senderPrivateKeys[`payments/${id}`];
    if (!path) throw new Error(`no private key for sender payments/${id}`);
    privateKeys.set(id, readFileSync(path, 'utf8'));
  }

  async function sendCallback(id: SimulatedProviderId, refundId: string, refund: RecordedRefund): Promise<void> {
    const status = refund.paymentId.startsWith('FAIL') ? 'FAILED' : 'SUCCEEDED';
    const body = JSON.stringify({ paymentId: refund.paymentId, orderId: refund.orderId, status, amountCents: refund.amountCents, refundId });
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomUUID();
      try {
        const response = await fetch(`${options.webhookBaseUrl}/v1/webhooks/payments/${id}`, {
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
        log(`[payments ${id}] refund ${refundId} of order ${refund.orderId} -> ${status}: callback answered ${response.status}`);
        if (response.status < 500) return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        log(`[payments ${id}] refund ${refundId}: callback failed (${(error as Error).message})`);
      }
      if (attempt < CALLBACK_ATTEMPTS) await sleep(CALLBACK_RETRY_MS, undefined, { signal: stopping.signal });
    }
  }

  const servers: Server[] = [];
  const endpoints = {} as Record<SimulatedProviderId, string>;
  const refunds = {} as Record<SimulatedProviderId, Map<string, RecordedRefund>>;
  for (const id of simulatedProviderIds) {
    const shape = shapes[id];
    const accepted = new Map<string, RecordedRefund>();
    refunds[id] = accepted;
    const answer = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        if (req.method !== 'POST' || req.url !== shape.path) {
          answer(res, 404, { error: 'not_found' });
          return;
        }
        const intake = shape.intake(req.headers, body);
        if (intake.kind === 'answer') {
          answer(res, intake.status, intake.body);
          return;
        }
        const known = accepted.get(intake.refundId);
        if (known) {
          const duplicate = shape.duplicate(known.providerRefundRef);
          answer(res, duplicate.status, duplicate.body);
          return;
        }
        const refund: RecordedRefund = { providerRefundRef: shape.newRef(), orderId: intake.orderId, paymentId: intake.paymentId, amountCents: intake.amountCents };
        accepted.set(intake.refundId, refund);
        const created = shape.created(refund.providerRefundRef);
        answer(res, created.status, created.body);
        log(`[payments ${id}] refund ${intake.refundId} of order ${intake.orderId} (${intake.amountCents} cents) accepted as ${refund.providerRefundRef}`);
        void (async () => {
          await sleep(options.delayMs, undefined, { signal: stopping.signal });
          await sendCallback(id, intake.refundId, refund);
        })().catch((error: unknown) => {
          if (!stopping.signal.aborted) log(`[payments ${id}] refund ${intake.refundId}: ${(error as Error).message}`);
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
    refunds,
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
