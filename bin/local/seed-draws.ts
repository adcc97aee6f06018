/**
 * Demo lucky draw: a wheel running for a year from the first start, with
 * 3 free spins a day, then 10 points a spin, up to 10 spins a day. Prizes:
 * points from the demo pool's `games` activity, a coffee coupon, a tea set
 * (a PHYSICAL product) and "thanks for playing", the consolation. Safe to run
 * on every start: the draw exists after the first, with whatever an operator
 * changed since (operators' changes: bin/local/seed-draw-admin.ts has a draw to try them on).
 */
import { createDraw } from '../../shared/draws/draws.js';
import { DomainError } from '../../shared/errors.js';

export const DEMO_DRAW_ID = 'd-demo-wheel';

export async function seedDraws(now: Date, pool: { poolId: string; activity: string } = { poolId: 'pool-demo', activity: 'games' }): Promise<void> {
  try {
    await createDraw(
      {
        drawId: DEMO_DRAW_ID,
        name: 'Lucky wheel (demo)',
        description: '3 free spins a day, then 10 points a spin; up to 10 spins a day.',
        startsAt: now.toISOString(),
        endsAt: new Date(now.getTime() + 365 * 86_400_000).toISOString(),
        freeSpinsPerDay: 3,
        spinCostPoints: 10,
        maxSpinsPerDay: 10,
        poolId: pool.poolId,
        activity: pool.activity,
        prizes: [
          { prizeId: 'points-100', name: '100 points', kind: 'POINTS', points: 100, weight: 2, stock: null },
          { prizeId: 'points-20', name: '20 points', kind: 'POINTS', points: 20, weight: 10, stock: null },
          { prizeId: 'points-5', name: '5 points', kind: 'POINTS', points: 5, weight: 25, stock: null },
          { prizeId: 'coffee-coupon', name: '10 CNY off over 50 CNY at our cafes', kind: 'COUPON', couponTemplateId: 'ct-coffee-10-off-50', weight: 8, stock: 500 },
          { prizeId: 'tea-set', name: 'Porcelain tea set', kind: 'GOODS', productId: 'p-tea-set', weight: 1, stock: 3 },
          { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 54, stock: null },
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
