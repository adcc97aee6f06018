/**
 * ULIDs for the hot path, with the `ulid` package's encoding and a pooled
 * source of randomness. The package's default draws one byte from
 * `crypto.getRandomValues` per character (16 calls per id); a redemption makes
 * three ids (order, ledger entry, outbox event), and those calls were about 3 %
 * of the local server's CPU under a flash sale (docs/flash-sale.md). Here the
 * bytes come from the same cryptographic source, 4 KB at a time.
 */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory as packageMonotonicFactory, ulid as packageUlid, type ULIDFactory } from 'ulid';

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let next = POOL_BYTES;

/** A byte of cryptographic randomness as a number in [0, 1), as the package's own source gives it. */
export function pooledRandom(): number {
  if (next >= POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const byte = pool[next] as number;
  next += 1;
  return byte / 256;
}

/** A ULID for now (or `seedTime`). */
export function ulid(seedTime?: number): string {
  return packageUlid(seedTime, pooledRandom);
}

/** ULIDs strictly increasing within this process, as the package's monotonicFactory. */
export function monotonicFactory(): ULIDFactory {
  return packageMonotonicFactory(pooledRandom);
}
