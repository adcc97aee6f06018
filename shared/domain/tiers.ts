/** Member tiers, lowest first. */
export const tiers = ['normal', 'silver', 'gold', 'diamond'] as const;
export type Tier = (typeof tiers)[number];

export function tierRank(tier: Tier): number {
  return tiers.indexOf(tier);
}
