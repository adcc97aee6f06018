/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * An integer `total` shared out in proportion to non-negative `weights` (largest remainder: each share is the
 * floor of its exact part, and what the floors leave goes one by one to the largest remainders, the earlier index
 * first on a tie), so the shares add up to `total` exactly and each is within 1 of its exact part. A negative
 * total is shared as its opposite, negated. With every weight 0, `fallback` weights decide (else the first share
 * takes it all).
 */
export function apportion(total: number, weights: readonly bigint[], fallback?: readonly bigint[]): number[] {
  if (total < 0) return apportion(-total, weights, fallback).map((share) => (share === 0 ? 0 : -share));
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    if (fallback && fallback.reduce((a, b) => a + b, 0n) > 0n) return apportion(total, fallback);
    return weights.map((_, i) => (i === 0 ? total : 0));
  }
  const whole = BigInt(total);
  const floors = weights.map((w) => (whole * w) / sum);
  const remainders = weights.map((w, i) => ({ i, r: whole * w - floors[i]! * sum }));
  let left = Number(whole - floors.reduce((a, b) => a + b, 0n));
  const shares = floors.map(Number);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}
