import { useSyncExternalStore } from 'react';
import { rolesOfGroups, type Role } from '../roles';

/** The signed-in operator, read from their access token. */
export interface Session {
  readonly token: string;
  /** The token's `sub`: the operator id the API records. */
  readonly operatorId: string;
  readonly roles: readonly Role[];
  /** Seconds since the epoch (`exp`), when the token has one. */
  readonly expiresAt?: number;
}

/** sessionStorage: the token lives as long as the tab, and is not shared with other tabs or kept on disk. */
export const TOKEN_STORAGE_KEY = 'console.token';

function base64UrlDecode(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The session a token stands for, or undefined when it is not a JWT or has expired. The console reads the claims
 * only to show and hide; it does not verify the signature (the API does, on every call).
 */
export function sessionOfToken(token: string, nowSeconds = Date.now() / 1000): Session | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(base64UrlDecode(payload)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (exp !== undefined && exp <= nowSeconds) return undefined;
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
  return {
    token,
    operatorId: typeof claims.sub === 'string' ? claims.sub : '',
    roles: rolesOfGroups(groups),
    ...(exp !== undefined ? { expiresAt: exp } : {}),
  };
}

let current: Session | undefined = readStored();
const listeners = new Set<() => void>();

function readStored(): Session | undefined {
  try {
    const token = sessionStorage.getItem(TOKEN_STORAGE_KEY);
    return token ? sessionOfToken(token) : undefined;
  } catch {
    return undefined;
  }
}

function publish(next: Session | undefined): void {
  current = next;
  try {
    if (next) sessionStorage.setItem(TOKEN_STORAGE_KEY, next.token);
    else sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // Kept in memory only: a reload signs out.
  }
  listeners.forEach((listener) => listener());
}

/** Keeps a token as the session; false when it is not a usable token. */
export function startSession(token: string): boolean {
  const session = sessionOfToken(token);
  if (!session) return false;
  publish(session);
  return true;
}

export function endSession(): void {
  publish(undefined);
}

/** The current session, expired ones dropped (for the API client's middleware). */
export function currentSession(): Session | undefined {
  if (current?.expiresAt !== undefined && current.expiresAt <= Date.now() / 1000) publish(undefined);
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | undefined {
  return useSyncExternalStore(subscribe, () => current);
}
