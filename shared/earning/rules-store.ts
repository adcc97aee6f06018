import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from '../zod.js';
import type { earningRulesBodySchema } from '../contracts/earning-rules.js';
import { bucketAfterMonths, NEVER_EXPIRES } from '../domain/fifo.js';
import { defaultPosLimits } from '../domain/pos-limits.js';
import { defaultReferralRules } from '../domain/referrals.js';
import { defaultTierRules } from '../domain/tiers.js';
import { DomainError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { auditItems } from '../audit/audit.js';
import { queryPage } from '../table/paging.js';
import type { PageRequest } from '../table/cursor.js';

export type EarningRulesInput = z.output<typeof earningRulesBodySchema>;
export type ExpiryPolicy = EarningRulesInput['expiry'];

export interface EarningRules extends EarningRulesInput {
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

const CONFIG_NAME = 'earning-rules';

/** The rules before an operator saves any: the source documents' worked examples. */
export const defaultEarningRules: EarningRules = {
  version: 0,
  updatedAt: '1970-01-01T00:00:00.000Z',
  updatedBy: 'default',
  bands: [
    { overYuan: 0, rate: 1 },
    { overYuan: 1000, rate: 1.5 },
    { overYuan: 5000, rate: 2 },
  ],
  bandMode: 'whole',
  categoryMultipliers: { A: 1, B: 2 },
  tierMultipliers: { normal: 1, silver: 1, gold: 1.5, diamond: 2 },
  stacking: 'multiply',
  rounding: { mode: 'floor', scope: 'purchase' },
  maxPointsPerPurchase: null,
  pointsPerYuan: 100,
  topUpRatePerYuan: 0.5,
  expiry: { policy: 'rolling-months', months: 12 },
  reminderDays: 30,
  returnWindowDays: 0,
  referrals: defaultReferralRules,
  tiers: defaultTierRules,
  posLimits: defaultPosLimits,
};

/** Rules saved before a section existed get that section's defaults. */
function withDefaults(stored: EarningRules): EarningRules {
  return {
    ...stored,
    referrals: stored.referrals ?? defaultReferralRules,
    tiers: stored.tiers ?? defaultTierRules,
    returnWindowDays: stored.returnWindowDays ?? 0,
    // Rules saved before the limits existed get them too: the limits guard every purchase, not only new rules.
    // Limits saved before the age window of offline batches existed take its default.
    posLimits: { ...defaultPosLimits, ...stored.posLimits },
  };
}

/** Rules are read often and change rarely: each function keeps them this long. */
const CACHE_TTL_MS = Number(process.env.CONFIG_CACHE_TTL_MS ?? 30_000);
let cache: { rules: EarningRules; until: number } | undefined;

export async function getEarningRules(options: { fresh?: boolean } = {}): Promise<EarningRules> {
  if (!options.fresh && cache && cache.until > Date.now()) return cache.rules;
  const result = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.config.current(CONFIG_NAME), ConsistentRead: options.fresh ?? false }),
  );
  const stored = result.Item?.rules as EarningRules | undefined;
  const rules = stored ? withDefaults(stored) : defaultEarningRules;
  cache = { rules, until: Date.now() + CACHE_TTL_MS };
  return rules;
}

/**
 * The rules of one saved version (its audit copy), with the defaults of
 * sections added later; version 0 is the defaults. Undefined if no such
 * version was ever saved. Versions never change, so callers may keep them.
 */
export async function getEarningRulesVersion(version: number): Promise<EarningRules | undefined> {
  if (version === 0) return defaultEarningRules;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.config.version(CONFIG_NAME, version) }));
  const stored = result.Item?.rules as EarningRules | undefined;
  return stored ? withDefaults(stored) : undefined;
}

/**
 * Saves a new version of the rules, refused if `expectedVersion` is not the
 * version in force (someone else saved meanwhile). The current pointer and the
 * version's audit copy are one transaction.
 */
export async function saveEarningRules(input: EarningRulesInput, expectedVersion: number, operator: string, now = new Date()): Promise<EarningRules> {
  const rules: EarningRules = { ...input, version: expectedVersion + 1, updatedAt: now.toISOString(), updatedBy: operator };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.config.current(CONFIG_NAME), entity: 'Config', name: CONFIG_NAME, version: rules.version, rules },
              ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
              ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.config.version(CONFIG_NAME, rules.version), entity: 'ConfigVersion', name: CONFIG_NAME, version: rules.version, rules },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          // The before is the stored version `expectedVersion` (GET /v1/admin/earning-rules/versions has it whole).
          ...auditItems({ target: 'earning-rules:current', summary: `saved earning rules version ${rules.version} (was ${expectedVersion})`, after: rules }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const current = await getEarningRules({ fresh: true });
      throw new DomainError('CONFLICT', `the rules are at version ${current.version}, not ${expectedVersion}; reload them and apply your change again`, {
        currentVersion: current.version,
      });
    }
    throw error;
  }
  cache = { rules, until: Date.now() + CACHE_TTL_MS };
  return rules;
}

/**
 * The expiry bucket of points earned at `at` under a policy. Under
 * `inactivity` points carry no date: the wallet's inactivity expires them
 * (shared/jobs/inactivity-expiry.ts), so they get no expiry marker.
 */
export function bucketForPolicy(policy: ExpiryPolicy, at: Date): string {
  switch (policy.policy) {
    case 'rolling-months':
      return bucketAfterMonths(at, policy.months);
    case 'year-end':
      return `${at.getUTCFullYear() + policy.extraYears}-12`;
    case 'never':
    case 'inactivity':
      return NEVER_EXPIRES;
  }
}

/** Saved versions of the rules, newest first (the current one included): GET /v1/admin/earning-rules/versions. */
export async function listEarningRuleVersions(page: PageRequest): Promise<{ items: EarningRules[]; nextCursor: string | null }> {
  const partition = keys.config.current(CONFIG_NAME).PK;
  const result = await queryPage(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :v)',
      ExpressionAttributeValues: { ':pk': partition, ':v': 'V#' },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'PK', value: partition },
  );
  return { items: result.items.map((item) => withDefaults(item.rules as EarningRules)), nextCursor: result.nextCursor };
}
