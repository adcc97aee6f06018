/**
 * Sends a signed webhook to the local API as a simulated sender would:
 *
 *   npm run webhook -- suppliers jd '{"messageId":"m-1","orderId":"o-...","status":"ACCEPTED"}'
 *   npm run webhook -- payments wechatpay '{"paymentId":"pay-1","orderId":"o-...","status":"SUCCEEDED","amountCents":9900}'
 *
 * Uses the sender's dev private key that `npm start` created (DATA_DIR, default .data); PORT as for npm start.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateSenderKeys } from './local/webhook-keys.js';
import { sign } from '../shared/webhooks/signature.js';

const [kind, sender, body] = process.argv.slice(2);
if (!kind || !sender || body === undefined) {
  console.error('usage: npm run webhook -- <suppliers|payments> <sender> <json body>');
  process.exit(2);
}
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const keys = loadOrCreateSenderKeys(join(resolve(process.env.DATA_DIR ?? join(root, '.data')), 'keys', 'webhooks'));
const keyPath = keys.privateKeys[`${kind}/${sender}`];
if (!keyPath) {
  console.error(`unknown sender ${kind}/${sender}; known: ${Object.keys(keys.privateKeys).join(', ')}`);
  process.exit(2);
}
const timestamp = String(Math.floor(Date.now() / 1000));
const nonce = randomUUID();
const response = await fetch(`http://localhost:${process.env.PORT ?? 3000}/v1/webhooks/${kind}/${sender}`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'x-timestamp': timestamp,
    'x-nonce': nonce,
    'x-signature': sign(readFileSync(keyPath, 'utf8'), timestamp, nonce, body),
  },
  body,
});
console.log(response.status, await response.text());
