/**
 * The webhook signature of API.md: `X-Signature` = base64 RSA-SHA256 over
 * `X-Timestamp + "\n" + X-Nonce + "\n" + body`, with the sender's private key.
 * `X-Timestamp` is Unix time in seconds; messages more than 5 minutes from
 * our clock are refused, and each nonce is accepted once (see intake.ts).
 */
import { createSign, createVerify, type KeyObject } from 'node:crypto';

export const SIGNATURE_WINDOW_SECONDS = 5 * 60;
const NONCE_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export function signedText(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}`;
}

/** Signs a message as a sender does (the local simulated senders and tests). */
export function sign(privateKey: KeyObject | string, timestamp: string, nonce: string, body: string): string {
  return createSign('sha256').update(signedText(timestamp, nonce, body)).sign(privateKey, 'base64');
}

export type SignatureProblem = 'missing-headers' | 'malformed-headers' | 'stale' | 'bad-signature';

/** Why a message fails the signature checks, or undefined when it passes. */
export function signatureProblem(
  publicKey: KeyObject,
  headers: { timestamp?: string | undefined; nonce?: string | undefined; signature?: string | undefined },
  body: string,
  now: Date,
): SignatureProblem | undefined {
  const { timestamp, nonce, signature } = headers;
  if (!timestamp || !nonce || !signature) return 'missing-headers';
  if (!TIMESTAMP_PATTERN.test(timestamp) || !NONCE_PATTERN.test(nonce)) return 'malformed-headers';
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return 'stale';
  const valid = createVerify('sha256').update(signedText(timestamp, nonce, body)).verify(publicKey, Buffer.from(signature, 'base64'));
  return valid ? undefined : 'bad-signature';
}
