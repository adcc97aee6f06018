/**
 * Prints a signed dev JWT for the local API.
 *   npm run token -- member m1
 *   npm run token -- admin [operatorId]
 *   npm run token -- operator <admin|marketer|support|analyst> [operatorId]   (default id: op-<role>)
 *   npm run token -- pos store1
 *   npm run token -- inventory [name]   (the inventory system's client, inventory-<name>, default inventory-erp)
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimsFor, loadOrCreateDevKeys, operatorRoles, signDevToken, type OperatorRole, type TokenKind } from './local/dev-keys.js';

const usage = `usage: npm run token -- member <memberId> | admin [operatorId] | operator <${operatorRoles.join('|')}> [operatorId] | pos <storeId> | inventory [name]`;
const [kind, ...rest] = process.argv.slice(2);
const kinds: readonly TokenKind[] = ['member', 'admin', 'operator', 'pos', 'inventory'];
if (!kinds.includes(kind as TokenKind)) {
  console.error(usage);
  process.exit(2);
}
let role: OperatorRole | undefined;
if (kind === 'operator') {
  role = rest.shift() as OperatorRole | undefined;
  if (!role || !operatorRoles.includes(role)) {
    console.error(usage);
    process.exit(2);
  }
}
const [id] = rest;
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const keys = await loadOrCreateDevKeys(join(process.env.DATA_DIR ?? join(root, '.data'), 'keys'));
console.log(await signDevToken(keys, claimsFor(kind as TokenKind, id, role)));
