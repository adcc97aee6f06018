/**
 * A second demo draw for trying operators' changes (PATCH /v1/admin/draws/{drawId})
 * without spending the main demo wheel: a jackpot with a stock of 1 (sold out
 * after one win, so a top-up shows at once), two free spins a day. Pausing it
 * refuses spins at once; ending it is final, and the main wheel stays. Safe to
 * run on every start: the draw exists after the first, with whatever an
 * operator changed since.
 */
import { addOpenDrawsToOperatorList, createDraw } from '../../shared/draws/draws.js';
import { spinDraw } from '../../shared/draws/spins.js';
import { DomainError } from '../../shared/errors.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { findMember, registerMember } from '../../shared/members/service.js';
import { DEMO_DRAW_ID } from './seed-draws.js';

export const DEMO_FLASH_DRAW_ID = 'd-demo-flash';

export async function seedDrawAdminDemo(now: Date, pool: { poolId: string; activity: string } = { poolId: 'pool-demo', activity: 'games' }): Promise<void> {
  try {
    await createDraw(
      {
        drawId: DEMO_FLASH_DRAW_ID,
        name: 'Flash wheel (demo: pause, end, top up)',
        description: '2 free spins a day, then 5 points a spin; a 50-point jackpot with a stock of 1.',
        startsAt: now.toISOString(),
        endsAt: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
        freeSpinsPerDay: 2,
        spinCostPoints: 5,
        maxSpinsPerDay: 5,
        poolId: pool.poolId,
        activity: pool.activity,
        prizes: [
          { prizeId: 'jackpot', name: '50 points jackpot', kind: 'POINTS', points: 50, weight: 1, stock: 1 },
          { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1, stock: null },
        ],
        consolationPrizeId: 'thanks',
      },
      'seed',
      now,
    );
  } catch (error) {
    // Already there from an earlier start.
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
  // A table kept from before the operators' list of every draw: its demo draws join the list.
  await addOpenDrawsToOperatorList(now);
  await seedDemoSpins(now);
}

/** Demo players of the main wheel: their free spins give the console's "drawn against the published odds" chart data. */
export const DEMO_PLAYERS = ['m-player-1', 'm-player-2', 'm-player-3', 'm-player-4'] as const;
const FREE_SPINS_SEEDED = 3;
/** The spins' idempotency records are kept for ever, so a restart (even days later) never spins again. */
const SEED_TTL_SECONDS = 100 * 365 * 24 * 3600;
/** Refusals that only mean the wheel cannot be spun now (ended, paused by an operator, the pool exhausted). */
const NOT_NOW = new Set(['DRAW_CLOSED', 'NO_SPINS_LEFT', 'BUDGET_EXHAUSTED', 'LIMIT_REACHED', 'INSUFFICIENT_POINTS']);

async function seedDemoSpins(now: Date): Promise<void> {
  for (const memberId of DEMO_PLAYERS) {
    if (!(await findMember(memberId))) await registerMember(memberId, { tags: ['games'] }, now);
    for (let n = 1; n <= FREE_SPINS_SEEDED; n += 1) {
      const key = `draw-spin:${DEMO_DRAW_ID}:${memberId}:${n}`;
      try {
        await spinDraw({ drawId: DEMO_DRAW_ID, memberId, idempotency: { scope: 'seed', key, fingerprint: fingerprintOf(key), ttlSeconds: SEED_TTL_SECONDS }, now });
      } catch (error) {
        if (error instanceof DomainError && NOT_NOW.has(error.code)) return;
        throw error;
      }
    }
  }
}
