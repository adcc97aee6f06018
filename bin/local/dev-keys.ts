import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, SignJWT, jwtVerify, type JWTPayload } from 'jose';

/** Issuer of local dev tokens (on AWS the Cognito user pool issues them). */
export const DEV_ISSUER = 'points-mall-local';
export const DEV_AUDIENCE = 'points-mall-local-clients';
export const POS_SCOPE_LOCAL = 'points-mall/pos';
/** The inventory system's scope, as Cognito writes it in a client-credentials token (`<resource server>/inventory`). */
export const INVENTORY_SCOPE_LOCAL = 'points-mall/inventory';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface DevKeys {
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
  readonly privateKeyPath?: string;
}

/** Loads the dev signing key pair from `dir`, creating it on first use. */
export async function loadOrCreateDevKeys(dir: string): Promise<DevKeys> {
  const privatePath = join(dir, 'jwt-private.pem');
  const publicPath = join(dir, 'jwt-public.pem');
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dir, { recursive: true });
    const pair = await generateKeyPair('RS256', { extractable: true });
    writeFileSync(privatePath, await exportPKCS8(pair.privateKey), { mode: 0o600 });
    writeFileSync(publicPath, await exportSPKI(pair.publicKey));
  }
  return {
    privateKey: await importPKCS8(readFileSync(privatePath, 'utf8'), 'RS256'),
    publicKey: await importSPKI(readFileSync(publicPath, 'utf8'), 'RS256'),
    privateKeyPath: privatePath,
  };
}

/**
 * The dev key text that seals list cursors locally (CURSOR_KEY; on AWS a
 * Secrets Manager secret), kept in `dir` so cursors survive a restart.
 */
export function loadOrCreateCursorKey(dir: string): string {
  const path = join(dir, 'cursor-key.txt');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

/** A throwaway key pair for tests. */
export async function inMemoryDevKeys(): Promise<DevKeys> {
  const pair = await generateKeyPair('RS256');
  return { privateKey: pair.privateKey, publicKey: pair.publicKey };
}

export type TokenKind = 'member' | 'admin' | 'pos' | 'operator' | 'inventory';

/** The operator groups (Cognito groups on AWS); an operator token carries one. */
export const operatorRoles = ['admin', 'marketer', 'support', 'analyst'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

/**
 * The app client id of a local POS token for a store. On AWS a Cognito app client id names the client; here
 * `pos-<storeId>`, which the demo seed (and an operator, with POST or PATCH /v1/admin/stores) binds to the store.
 * The token itself carries no store: the registry maps its client to one.
 */
export function devPosClientId(storeId: string): string {
  return `pos-${storeId}`;
}

/**
 * The app client id of a local inventory-system token: `inventory-<name>` (default `inventory-erp`). On AWS the
 * stack's InventoryClient; its tokens carry scope `points-mall/inventory` and are admitted on the stock-feed routes only.
 */
export function devInventoryClientId(name: string): string {
  return `inventory-${name}`;
}

/**
 * Claims shaped like Cognito access tokens: `sub`, `cognito:groups`, `scope`, `client_id`. An `operator` token is in
 * the one group `role` (default admin), its subject the operator id (default `op-<role>`, a demo operator).
 */
export function claimsFor(kind: TokenKind, id: string | undefined, role: OperatorRole = 'admin'): JWTPayload {
  switch (kind) {
    case 'member':
      return { sub: id ?? 'm1', client_id: 'mobile-app', token_use: 'access', scope: 'openid profile' };
    case 'admin':
      return { sub: id ?? 'operator-1', client_id: 'console', token_use: 'access', 'cognito:groups': ['admin'], scope: 'openid' };
    case 'operator':
      return { sub: id ?? `op-${role}`, client_id: 'console', token_use: 'access', 'cognito:groups': [role], scope: 'openid' };
    case 'pos':
      // A client-credentials token: its subject is the app client itself, as in Cognito.
      return { sub: devPosClientId(id ?? 'store1'), client_id: devPosClientId(id ?? 'store1'), token_use: 'access', scope: POS_SCOPE_LOCAL };
    case 'inventory':
      // A client-credentials token too: no group, no store, only the inventory scope.
      return { sub: devInventoryClientId(id ?? 'erp'), client_id: devInventoryClientId(id ?? 'erp'), token_use: 'access', scope: INVENTORY_SCOPE_LOCAL };
  }
}

export async function signDevToken(keys: DevKeys, claims: JWTPayload, ttlSeconds = 12 * 3600): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'dev' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(keys.privateKey);
}

/** Verifies signature, issuer, audience and expiry, as the API Gateway JWT authorizer does. */
export async function verifyDevToken(keys: DevKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: ['RS256'] });
  return payload;
}
