/**
 * What-if replays, the pure part: what a recorded purchase would have earned
 * under a draft of the earning rules and/or a draft campaign, computed with
 * the same calculator the POS path uses (./earning.ts), and the money those
 * points are worth. No I/O, no clock. docs/earning.md, What-if replays, says
 * what a replay assumes.
 */
import { inAudience, isRunning, type AudienceMember, type CampaignDefinition } from './campaigns.js';
import { calculateEarning, type ApplicableCampaign, type EarningRulesCore, type EarningResult, type PurchaseLine } from './earning.js';
import { pointValueCents } from './point-value.js';
import type { Tier } from './tiers.js';

/** The longest period one replay covers, in programme days. */
export const MAX_REPLAY_DAYS = 92;

/** The id the draft campaign has in a calculation (its breakdown line is `campaign:draft`). */
export const DRAFT_CAMPAIGN_ID = 'draft';

/** A campaign as an operator would create it (POST /v1/admin/campaigns), not saved. */
export type DraftCampaign = Omit<CampaignDefinition, 'campaignId'>;

/** The draft campaign as the calculator takes it, if it runs at `at` and its audience includes the member. */
export function draftCampaignAt(draft: DraftCampaign, at: Date, member: AudienceMember): ApplicableCampaign | undefined {
  if (!isRunning(draft, at) || !inAudience(draft.audience, member, at)) return undefined;
  return { campaignId: DRAFT_CAMPAIGN_ID, name: draft.name, effect: draft.effect, targets: draft.targets };
}

/** What a preview answers for a draft: the calculation with the drafts in place of (rules) or beside (campaign) what is in force. */
export function earningWithDrafts(input: {
  readonly rules: EarningRulesCore;
  readonly tier: Tier;
  readonly lines: readonly PurchaseLine[];
  readonly campaigns: readonly ApplicableCampaign[];
  readonly draftRules?: EarningRulesCore | undefined;
  readonly draftCampaign?: ApplicableCampaign | undefined;
}): EarningResult {
  return calculateEarning({
    rules: input.draftRules ?? input.rules,
    tier: input.tier,
    lines: input.lines,
    campaigns: input.draftCampaign ? [...input.campaigns, input.draftCampaign] : input.campaigns,
  });
}

/** A recorded purchase as a replay reads it. */
export interface ReplayedPurchase {
  readonly purchaseId: string;
  readonly memberId: string;
  readonly paidAt: string;
  /** The tier the purchase earned at. */
  readonly tier: Tier;
  readonly lines: readonly PurchaseLine[];
  /** Points the purchase was credited, as recorded (campaign limits and daily caps applied, before refunds). */
  readonly pointsEarned: number;
  /** The version of the earning rules it earned under. */
  readonly rulesVersion: number;
  /** The campaigns that applied to it. */
  readonly campaignIds: readonly string[];
}

export interface PurchaseReplay {
  /** Points actually credited (the record's). */
  readonly actualPoints: number;
  /** Points the purchase would have been credited under the drafts. */
  readonly draftPoints: number;
  /** Of those, what the draft campaign pays (after its budget and the member's cap). */
  readonly draftCampaignPoints: number;
}

/**
 * What one purchase would have earned under the drafts. The calculation is
 * done twice with the same calculator: as the purchase earned then (the rules
 * of its version, its tier, the campaigns that applied) and with the drafts.
 * The difference of the two is added to what the purchase was actually
 * credited, so what limited the real credit (a campaign's budget, a daily cap)
 * still limits it, and a draft that changes nothing answers exactly the
 * recorded points. The draft campaign pays at most `draftCampaignAllowance`
 * (what its budget and the member's cap have left; null: no limit).
 */
export function replayPurchase(input: {
  readonly purchase: Pick<ReplayedPurchase, 'tier' | 'lines' | 'pointsEarned'>;
  readonly rulesThen: EarningRulesCore;
  readonly campaignsThen: readonly ApplicableCampaign[];
  readonly draftRules?: EarningRulesCore | undefined;
  /** The draft campaign, when it runs at the purchase's time for its member. */
  readonly draftCampaign?: ApplicableCampaign | undefined;
  readonly draftCampaignAllowance: number | null;
}): PurchaseReplay {
  const { purchase } = input;
  const then = calculateEarning({ rules: input.rulesThen, tier: purchase.tier, lines: purchase.lines, campaigns: input.campaignsThen });
  const draft = earningWithDrafts({
    rules: input.rulesThen,
    tier: purchase.tier,
    lines: purchase.lines,
    campaigns: input.campaignsThen,
    draftRules: input.draftRules,
    draftCampaign: input.draftCampaign,
  });
  const contribution = Math.max(0, draft.campaignPoints[DRAFT_CAMPAIGN_ID] ?? 0);
  const paid = input.draftCampaignAllowance === null ? contribution : Math.min(contribution, Math.max(0, input.draftCampaignAllowance));
  const draftPoints = Math.max(0, purchase.pointsEarned + draft.points - (contribution - paid) - then.points);
  return { actualPoints: purchase.pointsEarned, draftPoints, draftCampaignPoints: paid };
}

// --- reading a day over its index shards, in time order ----------------------

/** One page read from one shard of a day: its entries in sort-key order, and whether the shard may hold more after them. */
export interface ShardPage<T> {
  readonly items: readonly T[];
  readonly more: boolean;
}

export interface ShardMerge<T> {
  /** The entries that are safe to process now, in sort-key order over every shard. */
  readonly taken: readonly T[];
  /** Per shard: the sort key of the last entry taken from it (undefined: none taken this time). */
  readonly lastTaken: readonly (string | undefined)[];
  /** Per shard: whether it has nothing left after what was taken. */
  readonly exhausted: readonly boolean[];
}

/**
 * Merges one page of each shard of a day into one time-ordered run. An entry
 * is safe to take when no shard can still hold an earlier one: it sorts at or
 * before the last entry read of every shard that may hold more. The shard
 * whose page ends first is always taken whole, so every call makes progress.
 * `pages[s]` undefined: shard s was exhausted before.
 */
export function mergeShardPages<T>(pages: readonly (ShardPage<T> | undefined)[], sortKeyOf: (item: T) => string): ShardMerge<T> {
  let bound: string | undefined;
  for (const page of pages) {
    if (!page?.more) continue;
    const last = page.items.at(-1);
    // A shard that may hold more but answered nothing (a filtered page) bounds nothing it has not shown.
    const key = last === undefined ? '' : sortKeyOf(last);
    if (bound === undefined || key < bound) bound = key;
  }
  const candidates: { item: T; key: string; shard: number }[] = [];
  pages.forEach((page, shard) => {
    for (const item of page?.items ?? []) {
      const key = sortKeyOf(item);
      if (bound === undefined || key <= bound) candidates.push({ item, key, shard });
    }
  });
  candidates.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const lastTaken: (string | undefined)[] = pages.map(() => undefined);
  for (const c of candidates) lastTaken[c.shard] = c.key;
  const exhausted = pages.map((page, shard) => {
    if (!page) return true;
    if (page.more) return false;
    const last = page.items.at(-1);
    return last === undefined || lastTaken[shard] === sortKeyOf(last);
  });
  return { taken: candidates.map((c) => c.item), lastTaken, exhausted };
}

// --- the result ------------------------------------------------------------

/** Purchases and points of a day (or a period). */
export interface ReplayFigures {
  readonly purchases: number;
  readonly actualPoints: number;
  readonly draftPoints: number;
}

export const NO_FIGURES: ReplayFigures = { purchases: 0, actualPoints: 0, draftPoints: 0 };

export function addFigures(a: ReplayFigures, b: ReplayFigures): ReplayFigures {
  return { purchases: a.purchases + b.purchases, actualPoints: a.actualPoints + b.actualPoints, draftPoints: a.draftPoints + b.draftPoints };
}

/** Calendar days from `from` to `to` (`YYYY-MM-DD`, both included). */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The day after `day` (`YYYY-MM-DD`). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Figures with their difference and its money: what the console shows for the period and for each day. */
export function valued(figures: ReplayFigures, value: { readonly pointsPerYuan: number; readonly draftPointsPerYuan: number }) {
  const actualValueCents = pointValueCents(figures.actualPoints, value.pointsPerYuan);
  const draftValueCents = pointValueCents(figures.draftPoints, value.draftPointsPerYuan);
  return {
    ...figures,
    differencePoints: figures.draftPoints - figures.actualPoints,
    actualValueCents,
    draftValueCents,
    costCents: draftValueCents - actualValueCents,
  };
}

/**
 * The liability before and after: what members own now (available + held) at
 * the point value in force, against that plus the points the draft would have
 * issued more (or fewer) at the draft's point value. A draft that changes the
 * point value revalues every point owed, not only the difference.
 */
export function liabilityChange(input: {
  readonly outstandingPoints: number;
  readonly differencePoints: number;
  readonly pointsPerYuan: number;
  readonly draftPointsPerYuan: number;
}) {
  const beforeCents = pointValueCents(input.outstandingPoints, input.pointsPerYuan);
  const afterCents = pointValueCents(input.outstandingPoints + input.differencePoints, input.draftPointsPerYuan);
  return { outstandingPoints: input.outstandingPoints, beforeCents, afterCents, changeCents: afterCents - beforeCents };
}
