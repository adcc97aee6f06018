/**
 * Prints a signed dev JWT for the local API.
 *   npm run token -- member m1
 *   npm run token -- admin [operatorId]
 *   npm run token -- pos store1
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimsFor, loadOrCreateDevKeys, signDevToken, type TokenKind } from './local/dev-keys.js';

const [kind, id] = process.argv.slice(2);
const kinds: readonly TokenKind[] = ['member', 'admin', 'pos'];
if (!kinds.includes(kind as TokenKind)) {
  console.error('usage: npm run token -- member <memberId> | admin [operatorId] | pos <storeId>');
  process.exit(2);
}
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const keys = await loadOrCreateDevKeys(join(process.env.DATA_DIR ?? join(root, '.data'), 'keys'));
console.log(await signDevToken(keys, claimsFor(kind as TokenKind, id)));
