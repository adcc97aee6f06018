/**
 * A second demo draw for trying operators' changes (PATCH /v1/admin/draws/{drawId})
 * without spending the main demo wheel: a jackpot with a stock of 1 (sold out
 * after one win, so a top-up shows at once), two free spins a day. Pausing it
 * refuses spins at once; ending it is final, and the main wheel stays. Safe to
 * run on every start: the draw exists after the first, with whatever an
 * operator changed since.
 */
import { createDraw } from '../../shared/draws/draws.js';
import { DomainError } from '../../shared/errors.js';

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
}
