/**
 * The daily `draw-seeds` job (docs/draws.md, Provably fair): for every draw
 * not yet ended (paused ones included, so a resume finds its seeds; ended by
 * an operator: off the list), makes the server seeds of today and tomorrow (for the days
 * the draw covers) if they do not exist, so each day's seed hash is published
 * a day before its spins. Seeds are put only if absent: a run repeated, or
 * racing a spin that made today's seed lazily, changes nothing.
 */
import { seedDaysAhead } from '../domain/draws.js';
import { localDate } from '../domain/programme.js';
import { allOpenDraws } from '../draws/draws.js';
import { ensureSeed } from '../draws/seeds.js';

export interface DrawSeedsStats {
  draws: number;
  drawsVisited: number;
  seedsCreated: number;
  seedsPresent: number;
  complete: number;
  [key: string]: number;
}

export async function runDrawSeedsJob(options: { now: Date; deadline: number }): Promise<DrawSeedsStats> {
  const draws = await allOpenDraws(options.now);
  const today = localDate(options.now);
  const stats: DrawSeedsStats = { draws: draws.length, drawsVisited: 0, seedsCreated: 0, seedsPresent: 0, complete: 0 };
  for (const draw of draws) {
    if (Date.now() > options.deadline) return stats;
    for (const day of seedDaysAhead(draw, today)) {
      const seed = await ensureSeed(draw.drawId, day, 'job');
      if (seed.created) stats.seedsCreated += 1;
      else stats.seedsPresent += 1;
    }
    stats.drawsVisited += 1;
  }
  stats.complete = 1;
  return stats;
}
