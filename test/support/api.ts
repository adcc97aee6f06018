import { ulid } from 'ulid';
import { claimsFor, devPosClientId, inMemoryDevKeys, signDevToken, type DevKeys, type TokenKind } from '../../bin/local/dev-keys.js';
import type { LocalConcurrencySettings } from '../../bin/local/concurrency.js';
import { LocalGateway } from '../../bin/local/gateway.js';
import type { PageRequest } from '../../shared/table/cursor.js';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** A raw body string (sent as is). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Drives the API through the local gateway: real JWTs, the shared route table,
 * the same handlers Lambda runs, and DynamoDB Local underneath.
 */
export class TestApi {
  private constructor(
    private readonly keys: DevKeys,
    private readonly gateway: LocalGateway,
  ) {}

  /**
   * `concurrency`: by default the gateway queues without shedding or throttling (TEST_CONCURRENCY): the
   * concurrency tests fire hundreds of requests at once to check invariants under races, not overload, and
   * queued they still race `inFlight` at a time while each stays far inside its deadline. The overload
   * test passes npm start's settings instead.
   */
  static async create(options: { concurrency?: LocalConcurrencySettings } = {}): Promise<TestApi> {
    const keys = await inMemoryDevKeys();
    return new TestApi(keys, new LocalGateway(keys, { concurrency: options.concurrency ?? TEST_CONCURRENCY }));
  }

  token(kind: TokenKind, id?: string): Promise<string> {
    return signDevToken(this.keys, claimsFor(kind, id));
  }

  /** An operator's token: `cognito:groups` = [role], `sub` = the operator id (default `op-<role>`). */
  operatorToken(role: 'admin' | 'marketer' | 'support' | 'analyst', id?: string): Promise<string> {
    return signDevToken(this.keys, { sub: id ?? `op-${role}`, client_id: 'console', token_use: 'access', 'cognito:groups': [role], scope: 'openid' });
  }

  async call<T = Record<string, unknown>>(method: string, url: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await this.gateway.handle({ method, url, headers, body });
    let parsed: unknown;
    try {
      parsed = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text: response.body };
  }

  /**
   * Registers a store with the local POS client of `storeId` bound to it (the same request in every test
   * file, so registering a shared store again answers 200) and answers a POS token acting for it.
   */
  async registerStore(storeId: string): Promise<string> {
    const admin = await this.token('admin');
    const res = await this.call('POST', '/v1/admin/stores', {
      token: admin,
      body: { storeId, name: `Store ${storeId}`, clientIds: [devPosClientId(storeId)] },
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`store registration failed: ${res.status} ${res.text}`);
    return this.token('pos', storeId);
  }

  /** A fresh payment code of a member, asked for with the member's token (what the app shows at the till). */
  async paymentCode(memberId: string): Promise<string> {
    const res = await this.call<{ code: string }>('POST', '/v1/me/payment-codes', { token: await this.token('member', memberId) });
    if (res.status !== 201) throw new Error(`payment code refused: ${res.status} ${res.text}`);
    return res.body.code;
  }

  /** Registers a fresh member and answers its id and token. */
  async newMember(prefix = 'm'): Promise<{ memberId: string; token: string }> {
    const memberId = `${prefix}-${ulid()}`;
    const token = await this.token('member', memberId);
    const registered = await this.call('POST', '/v1/me/register', { token, body: {} });
    if (registered.status !== 201) throw new Error(`registration failed: ${registered.status} ${registered.text}`);
    return { memberId, token };
  }
}

/** Queue every request (no 503, no 429), 16 invocations of a function at a time. */
export const TEST_CONCURRENCY: LocalConcurrencySettings = {
  inFlight: 16,
  queueLength: Number.POSITIVE_INFINITY,
  queueWaitMs: Number.POSITIVE_INFINITY,
  lambdaLimits: false,
};

export function uniqueId(prefix: string): string {
  return `${prefix}-${ulid()}`;
}

/** A page for tests that call a list's service directly, not through the handler (cursors bound to a test scope). */
export function testPage(limit: number, cursor?: string): PageRequest {
  return { limit, cursor, scope: { operation: 'test', caller: 'test:', filters: {} } };
}
