/**
 * Who may call the signed webhooks, and with which public key. Keys come from
 * configuration (`WEBHOOK_SENDERS`, JSON: `{ "suppliers": { "jd": "<PEM>" },
 * "payments": { "wechatpay": "<PEM>" } }`), set by the stack on AWS and by the
 * local runtime from the dev key pairs it creates on first start.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';

export const senderKinds = ['suppliers', 'payments'] as const;
export type SenderKind = (typeof senderKinds)[number];

/** The senders this system knows; one adapter (or payment flow) each. */
export const knownSenders: Record<SenderKind, readonly string[]> = {
  suppliers: ['jd', 'tmall'],
  payments: ['wechatpay', 'alipay'],
};

let parsed: { source: string; keys: Map<string, KeyObject> } | undefined;

function configuredKeys(): Map<string, KeyObject> {
  const source = process.env.WEBHOOK_SENDERS ?? '{}';
  if (parsed?.source !== source) {
    const config = JSON.parse(source) as Partial<Record<SenderKind, Record<string, string>>>;
    const keys = new Map<string, KeyObject>();
    for (const kind of senderKinds) {
      for (const [name, pem] of Object.entries(config[kind] ?? {})) keys.set(`${kind}/${name}`, createPublicKey(pem));
    }
    parsed = { source, keys };
  }
  return parsed.keys;
}

/** The public key of a known, configured sender; undefined for anyone else. */
export function senderKey(kind: SenderKind, name: string): KeyObject | undefined {
  if (!knownSenders[kind].includes(name)) return undefined;
  return configuredKeys().get(`${kind}/${name}`);
}
