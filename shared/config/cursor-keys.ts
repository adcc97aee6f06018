/**
 * The keys that seal list cursors (shared/table/cursor.ts).
 *
 * The key text (on AWS a generated Secrets Manager secret, locally
 * CURSOR_KEY) is stretched with HKDF-SHA256 into the 256-bit AES-GCM key, so
 * any long random string will do and the secret never needs to be binary.
 *
 * Rotation: Secrets Manager keeps the version before the current one under the
 * AWSPREVIOUS label, so after `put-secret-value` the functions seal with the
 * new key and still open cursors sealed with the old one. Keys are read
 * lazily, at the first cursor an instance seals or opens (a cold start pays
 * nothing), and kept for KEYS_TTL_MS; an instance that cannot open a cursor
 * may read them again once a minute, so a rotation reaches warm instances
 * without waiting for the TTL.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { hkdfSync } from 'node:crypto';
import { cursorKeySource, type CursorKeySource } from './env.js';

/** How long an instance keeps the keys it read before reading them again. */
export const KEYS_TTL_MS = 10 * 60_000;
/** The least time between two reads forced by a cursor no cached key opens (tampered cursors must not hammer the secret). */
export const KEYS_REFRESH_MIN_MS = 60_000;
/** Key text shorter than this is refused: HKDF cannot add entropy that is not there. */
export const MIN_KEY_TEXT_CHARS = 32;

export interface CursorKeys {
  /** Seals new cursors; tried first when opening. */
  readonly current: Buffer;
  /** The key before the last rotation: still opens the cursors it sealed. */
  readonly previous: Buffer | undefined;
}

/** The AES-256 key of one key text. A fixed salt and info bind it to this use: the same text elsewhere gives another key. */
export function deriveCursorKey(text: string, name: string): Buffer {
  if (text.length < MIN_KEY_TEXT_CHARS) throw new Error(`${name} must be at least ${MIN_KEY_TEXT_CHARS} characters of random text`);
  return Buffer.from(hkdfSync('sha256', text, 'points-mall/list-cursor', 'aes-256-gcm v1', 32));
}

let secretsClient: SecretsManagerClient | undefined;

async function secretText(secretArn: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
  secretsClient ??= new SecretsManagerClient({});
  try {
    const answer = await secretsClient.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
    if (answer.SecretString === undefined) throw new Error(`the cursor key secret (${stage}) has no string value`);
    return answer.SecretString;
  } catch (error) {
    // A secret never rotated has no AWSPREVIOUS version.
    if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function readKeys(source: CursorKeySource): Promise<CursorKeys> {
  if (source.kind === 'text') {
    return {
      current: deriveCursorKey(source.current, 'CURSOR_KEY'),
      previous: source.previous === undefined ? undefined : deriveCursorKey(source.previous, 'CURSOR_KEY_PREVIOUS'),
    };
  }
  const [current, previous] = await Promise.all([secretText(source.secretArn, 'AWSCURRENT'), secretText(source.secretArn, 'AWSPREVIOUS')]);
  if (current === undefined) throw new Error('the cursor key secret has no current value');
  return {
    current: deriveCursorKey(current, 'the cursor key secret'),
    previous: previous === undefined ? undefined : deriveCursorKey(previous, 'the previous cursor key secret'),
  };
}

/** One read shared by concurrent callers; a failed read is forgotten so the next call tries again. */
let cached: { readAt: number; keys: Promise<CursorKeys> } | undefined;

function read(now: number): Promise<CursorKeys> {
  const keys = readKeys(cursorKeySource());
  const entry = { readAt: now, keys };
  cached = entry;
  keys.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return keys;
}

/** The keys, read on first use and again once KEYS_TTL_MS old. Throws naming the missing configuration. */
export function cursorKeys(now = Date.now()): Promise<CursorKeys> {
  if (cached && now - cached.readAt < KEYS_TTL_MS) return cached.keys;
  return read(now);
}

/**
 * Reads the keys again if the cached ones are over KEYS_REFRESH_MIN_MS old
 * (a cursor sealed by an instance that saw a rotation first); undefined when
 * they are fresher than that, so nothing new would be learnt.
 */
export function refreshedCursorKeys(now = Date.now()): Promise<CursorKeys> | undefined {
  if (cached && now - cached.readAt < KEYS_REFRESH_MIN_MS) return undefined;
  return read(now);
}

/** Tests change the key configuration between uses. */
export function resetCursorKeysForTests(): void {
  cached = undefined;
  secretsClient = undefined;
}
