import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculateEarning, type EarningRulesCore, type PurchaseLine } from '../../shared/domain/earning.js';
import { pointValueCents } from '../../shared/domain/point-value.js';
import { DRAFT_CAMPAIGN_ID, liabilityChange, mergeShardPages, replayPurchase, type ShardPage } from '../../shared/domain/what-if.js';
import { defaultEarningRules } from '../../shared/earning/rules-store.js';

const rules: EarningRulesCore = defaultEarningRules;
const doubleB = { campaignId: DRAFT_CAMPAIGN_ID, name: 'Double B', effect: { kind: 'multiplier' as const, multiplier: 2 }, targets: { categories: ['B'] } };
const lines: PurchaseLine[] = [
  { sku: 's1', category: 'A', amountCents: 12_345, quantity: 1 },
  { sku: 's2', category: 'B', amountCents: 6_789, quantity: 2 },
];

describe('replayPurchase', () => {
  it('answers the recorded points when the draft changes nothing', () => {
    // Act
    const replay = replayPurchase({ purchase: { tier: 'gold', lines, pointsEarned: 77 }, rulesThen: rules, campaignsThen: [], draftRules: rules, draftCampaignAllowance: null });
    // Assess: even a record the calculator would not give (a daily cap withheld points) stays as recorded
    expect(replay).toEqual({ actualPoints: 77, draftPoints: 77, draftCampaignPoints: 0 });
  });

  it("adds the draft campaign's points, as the calculator attributes them", () => {
    // Prepare
    const then = calculateEarning({ rules, tier: 'silver', lines });
    const withCampaign = calculateEarning({ rules, tier: 'silver', lines, campaigns: [doubleB] });
    // Act
    const replay = replayPurchase({ purchase: { tier: 'silver', lines, pointsEarned: then.points }, rulesThen: rules, campaignsThen: [], draftCampaign: doubleB, draftCampaignAllowance: null });
    // Assess
    expect(replay.draftPoints).toBe(withCampaign.points);
    expect(replay.draftCampaignPoints).toBe(withCampaign.campaignPoints[DRAFT_CAMPAIGN_ID]);
  });

  it('pays the draft campaign at most its allowance, and never less than nothing', () => {
    // Act
    const limited = replayPurchase({ purchase: { tier: 'normal', lines, pointsEarned: 500 }, rulesThen: rules, campaignsThen: [], draftCampaign: doubleB, draftCampaignAllowance: 10 });
    const spent = replayPurchase({ purchase: { tier: 'normal', lines, pointsEarned: 500 }, rulesThen: rules, campaignsThen: [], draftCampaign: doubleB, draftCampaignAllowance: -5 });
    // Assess
    expect(limited).toEqual({ actualPoints: 500, draftPoints: 510, draftCampaignPoints: 10 });
    expect(spent).toEqual({ actualPoints: 500, draftPoints: 500, draftCampaignPoints: 0 });
  });

  it('never answers negative draft points', () => {
    // Act: draft rules that earn nothing, on a purchase credited less than the calculator gives
    const zero = { ...rules, bands: [{ overYuan: 0, rate: 0 }] };
    const replay = replayPurchase({ purchase: { tier: 'normal', lines, pointsEarned: 1 }, rulesThen: rules, campaignsThen: [], draftRules: zero, draftCampaignAllowance: null });
    // Assess
    expect(replay.draftPoints).toBe(0);
  });
});

describe('mergeShardPages', () => {
  /** Runs merge steps over sorted shards the way the replay does, `limit` entries a shard and page. */
  function mergeAll(shards: string[][], limit: number): string[] {
    const after: (string | undefined)[] = shards.map(() => undefined);
    const exhausted = shards.map(() => false);
    const out: string[] = [];
    for (let steps = 0; !exhausted.every(Boolean); steps += 1) {
      if (steps > 10_000) throw new Error('no progress');
      const pages: (ShardPage<string> | undefined)[] = shards.map((keys, s) => {
        if (exhausted[s]) return undefined;
        const rest = keys.filter((k) => after[s] === undefined || k > after[s]!);
        return { items: rest.slice(0, limit), more: rest.length >= limit };
      });
      const merged = mergeShardPages(pages, (k) => k);
      out.push(...merged.taken);
      merged.lastTaken.forEach((k, s) => {
        if (k !== undefined) after[s] = k;
      });
      merged.exhausted.forEach((e, s) => {
        exhausted[s] = e;
      });
    }
    return out;
  }

  it('answers every entry of every shard once, in global order, whatever the page size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        (keys, shardCount, limit) => {
          // Prepare
          const shards = Array.from({ length: shardCount }, () => [] as string[]);
          keys.forEach((k, i) => shards[i % shardCount]!.push(k));
          for (const shard of shards) shard.sort();
          // Act
          const merged = mergeAll(shards, limit);
          // Assess
          expect(merged).toEqual([...keys].sort());
        },
      ),
    );
  });
});

describe('pointValueCents', () => {
  it('values points at the point value, rounding towards zero, symmetric in sign', () => {
    expect(pointValueCents(12_345, 100)).toBe(12_345);
    expect(pointValueCents(999, 200)).toBe(499);
    expect(pointValueCents(-999, 200)).toBe(-499);
    expect(pointValueCents(0, 100)).toBe(0);
  });

  it('revalues every point owed when the draft changes the point value', () => {
    expect(liabilityChange({ outstandingPoints: 10_000, differencePoints: 500, pointsPerYuan: 100, draftPointsPerYuan: 100 })).toEqual({
      outstandingPoints: 10_000,
      beforeCents: 10_000,
      afterCents: 10_500,
      changeCents: 500,
    });
    expect(liabilityChange({ outstandingPoints: 10_000, differencePoints: 0, pointsPerYuan: 100, draftPointsPerYuan: 200 }).changeCents).toBe(-5_000);
  });
});
