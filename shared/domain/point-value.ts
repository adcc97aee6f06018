/**
 * What points are worth in money. The programme's point value is one field of
 * the earning rules, `pointsPerYuan` (how many points are worth 1 CNY; 100 by
 * default, so a point is worth a cent): this is the one conversion of a
 * number of points, earned or owed, into CNY cents.
 */
import { cashValueCents } from './earning.js';

/**
 * CNY cents that `points` are worth at `pointsPerYuan` points per CNY. Signed:
 * a negative number of points (points not issued, a liability that shrinks)
 * is worth the negative of the same positive amount. Exact, then rounded
 * towards zero to the cent, so a figure is never overstated.
 */
export function pointValueCents(points: number, pointsPerYuan: number): number {
  if (points < 0) return -cashValueCents(-points, pointsPerYuan);
  return cashValueCents(points, pointsPerYuan);
}
