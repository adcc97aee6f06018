/**
 * Re-computes a lucky-draw spin from its revealed seed, offline, by the
 * procedure in docs/draws.md (the same pure function the service spins with).
 *
 *   npm run -s verify-spin -- --seed <hex> --prizes draw.json --spin spin.json
 *   npm run -s verify-spin -- --seed <hex> --prizes draw.json --draw d-demo-wheel --member m1 --day 2026-11-23 --n 2 \
 *     [--seed-hash <hex>] [--drawn <prizeId>]
 *
 * --prizes: the GET /v1/draws/{drawId} answer (or its `prizes` array) as a file or inline JSON: the prize ids and
 *           weights in the published order.
 * --spin:   one spin as GET /v1/draws/{drawId}/spins lists it (file or inline JSON): drawId, memberId, day, n,
 *           seedHash and drawnPrizeId; the flags above override its fields.
 * --seed:   the day's seed as GET /v1/draws/{drawId}/seeds reveals it once the day has ended.
 *
 * Exit code 0 when the seed matches the published hash and the re-computed prize is the drawn one (when given),
 * 1 when either does not match, 2 for bad arguments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SEED_PATTERN, checkSpin, seedHash, spinOutcome, type WeightedPrize } from '../shared/domain/draws.js';

function jsonArgument(value: string, what: string): unknown {
  const text = existsSync(value) ? readFileSync(value, 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is neither a readable file nor valid JSON`);
  }
}

class UsageError extends Error {}

function prizesOf(value: unknown): WeightedPrize[] {
  const list = Array.isArray(value) ? value : (value as { prizes?: unknown } | null)?.prizes;
  if (!Array.isArray(list) || list.length === 0) throw new UsageError('--prizes must hold a non-empty prizes array (or a GET /v1/draws/{drawId} answer)');
  return list.map((p: { prizeId?: unknown; weight?: unknown }, i) => {
    if (typeof p.prizeId !== 'string' || typeof p.weight !== 'number') throw new UsageError(`prize ${i} needs a prizeId and a weight`);
    return { prizeId: p.prizeId, weight: p.weight };
  });
}

/** Runs the verification; answers the lines to print and the exit code. */
export function verifySpinCli(argv: readonly string[]): { lines: string[]; code: number } {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        seed: { type: 'string' },
        prizes: { type: 'string' },
        spin: { type: 'string' },
        draw: { type: 'string' },
        member: { type: 'string' },
        day: { type: 'string' },
        n: { type: 'string' },
        'seed-hash': { type: 'string' },
        drawn: { type: 'string' },
      },
      strict: true,
    });
    if (!values.seed || !SEED_PATTERN.test(values.seed)) throw new UsageError('--seed must be the revealed seed: 64 lower-case hex characters');
    if (!values.prizes) throw new UsageError('--prizes is required');
    const prizes = prizesOf(jsonArgument(values.prizes, '--prizes'));
    const record = (values.spin ? jsonArgument(values.spin, '--spin') : {}) as Record<string, unknown>;
    const spin = {
      drawId: values.draw ?? (record.drawId as string | undefined),
      memberId: values.member ?? (record.memberId as string | undefined),
      day: values.day ?? (record.day as string | undefined),
      n: values.n !== undefined ? Number(values.n) : (record.n as number | undefined),
    };
    if (!spin.drawId || !spin.memberId || !spin.day || spin.n === undefined) {
      throw new UsageError('give the spin: --spin <record>, or --draw, --member, --day and --n');
    }
    const coordinates = { drawId: spin.drawId, memberId: spin.memberId, day: spin.day, n: spin.n };
    const publishedHash = values['seed-hash'] ?? (record.seedHash as string | undefined);
    const drawn = values.drawn ?? (record.drawnPrizeId as string | undefined);

    const outcome = spinOutcome(values.seed, coordinates, prizes);
    const lines = [
      `seed sha256      ${seedHash(values.seed)}`,
      `message          ${outcome.message}`,
      `hmac-sha256      ${outcome.hmac}`,
      `total weight W   ${outcome.totalWeight}`,
      `words read       ${outcome.wordsUsed}${outcome.wordsUsed > 1 ? ' (the first were at or above floor(2^32 / W) * W: rejected)' : ''}`,
      `r = word mod W   ${outcome.value}`,
      `prize drawn      ${outcome.prizeId} (position ${outcome.index + 1} of ${prizes.length})`,
    ];
    let ok = true;
    if (publishedHash !== undefined || drawn !== undefined) {
      const check = checkSpin({ seed: values.seed, publishedSeedHash: publishedHash ?? seedHash(values.seed), spin: coordinates, prizes, drawnPrizeId: drawn ?? outcome.prizeId });
      if (publishedHash !== undefined) lines.push(`published hash   ${check.seedMatchesHash ? 'MATCHES' : `DOES NOT MATCH (${publishedHash})`}`);
      if (drawn !== undefined) lines.push(`recorded drawn   ${drawn}: ${check.drawnPrizeMatches ? 'MATCHES' : 'DOES NOT MATCH'}`);
      ok = check.seedMatchesHash && check.drawnPrizeMatches;
    }
    return { lines, code: ok ? 0 : 1 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { lines: [`verify-spin: ${message}`, 'usage: npm run -s verify-spin -- --seed <hex> --prizes <draw.json> (--spin <spin.json> | --draw <id> --member <id> --day YYYY-MM-DD --n <n>)'], code: 2 };
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { lines, code } = verifySpinCli(process.argv.slice(2));
  for (const line of lines) (code === 2 ? console.error : console.log)(line);
  process.exit(code);
}
