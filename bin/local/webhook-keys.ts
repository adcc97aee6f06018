import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownSenders, senderKinds, type SenderKind } from '../../shared/webhooks/senders.js';

export interface SenderKeyFiles {
  /** `WEBHOOK_SENDERS` JSON: every known sender's public key. */
  readonly config: string;
  /** Where each sender's private key is (`suppliers/jd` -> path). */
  readonly privateKeys: Record<string, string>;
}

/** The dev key pair of each simulated sender under `dir`, created on first use. */
export function loadOrCreateSenderKeys(dir: string): SenderKeyFiles {
  mkdirSync(dir, { recursive: true });
  const config: Partial<Record<SenderKind, Record<string, string>>> = {};
  const privateKeys: Record<string, string> = {};
  for (const kind of senderKinds) {
    for (const name of knownSenders[kind]) {
      const privatePath = join(dir, `${kind}-${name}-private.pem`);
      const publicPath = join(dir, `${kind}-${name}-public.pem`);
      if (!existsSync(privatePath) || !existsSync(publicPath)) {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
        writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
        writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }));
      }
      (config[kind] ??= {})[name] = readFileSync(publicPath, 'utf8');
      privateKeys[`${kind}/${name}`] = privatePath;
    }
  }
  return { config: JSON.stringify(config), privateKeys };
}
