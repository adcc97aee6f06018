/**
 * Calls the started stack's HTTP API as an operator, a member or a POS
 * client, with dev tokens signed by the stack's own dev key (its DATA_DIR's
 * keys/), as `npm run token` does. For a test's setup and its checks beside
 * what the page shows.
 *
 *   const marketer = await apiAs('marketer');          // op-marketer, group marketer
 *   const gold = await apiAs({ member: 'm-gold' });
 *   const till = await apiAs({ pos: 'store1' });
 *   const { status, body } = await marketer.get<{ items: unknown[] }>('/v1/admin/campaigns');
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';
import { claimsFor, loadOrCreateDevKeys, signDevToken, type DevKeys } from '../../../bin/local/dev-keys.js';
import { DEMO_OPERATORS, type DemoRole } from '../../../bin/local/console-pages.js';

export type ApiCaller =
  | DemoRole
  | { readonly role: DemoRole; readonly operatorId?: string }
  | { readonly member: string }
  | { readonly pos: string };

export interface ApiReply<T> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (problem+json included); the text if it is not JSON; undefined if empty. */
  readonly body: T;
}

export interface RequestOptions {
  /**
   * Writes carry a fresh Idempotency-Key unless one is given here (to repeat a request) or `false` (to send none).
   */
  readonly idempotencyKey?: string | false;
  readonly headers?: Record<string, string>;
}

export interface ApiClient {
  readonly token: string;
  request<T = unknown>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<ApiReply<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<ApiReply<T>>;
  post<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiReply<T>>;
  put<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiReply<T>>;
  patch<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<ApiReply<T>>;
  delete<T = unknown>(path: string, options?: RequestOptions): Promise<ApiReply<T>>;
}

let keys: Promise<DevKeys> | undefined;
function stackKeys(): Promise<DevKeys> {
  keys ??= loadOrCreateDevKeys(join(inject('stackDataDir'), 'keys'));
  return keys;
}

/** The claims of the caller's token, shaped as Cognito's; an operator holds the role as its one group. */
function claimsOf(caller: ApiCaller) {
  if (typeof caller === 'string') return claimsOf({ role: caller });
  if ('role' in caller) {
    return { ...claimsFor('admin', caller.operatorId ?? DEMO_OPERATORS[caller.role]), 'cognito:groups': [caller.role] };
  }
  if ('member' in caller) return claimsFor('member', caller.member);
  return claimsFor('pos', caller.pos);
}

export async function tokenFor(caller: ApiCaller): Promise<string> {
  return signDevToken(await stackKeys(), claimsOf(caller));
}

export async function apiAs(caller: ApiCaller): Promise<ApiClient> {
  const token = await tokenFor(caller);
  const baseUrl = inject('stackBaseUrl');
  const request = async <T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiReply<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && options.idempotencyKey !== false) {
      headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text === '' ? undefined : text;
    if (text !== '' && /json/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    token,
    request,
    get: (path, options) => request('GET', path, undefined, options),
    post: (path, body, options) => request('POST', path, body, options),
    put: (path, body, options) => request('PUT', path, body, options),
    patch: (path, body, options) => request('PATCH', path, body, options),
    delete: (path, options) => request('DELETE', path, undefined, options),
  };
}
