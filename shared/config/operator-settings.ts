/**
 * Programme settings for operators' own actions: when a manual adjustment
 * needs a second operator, and how much a support operator may adjust.
 * One versioned document (`CONFIG#operator-settings`), changed by an admin
 * with PUT /v1/admin/settings and audited.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { auditItems, pickFields } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

export interface OperatorSettingsInput {
  /** Adjustments of more points than this (either sign) wait for a second operator's approval. */
  readonly approvalThresholdPoints: number;
  /** The most a support operator may credit or debit in one adjustment. */
  readonly supportMaxPointsPerAdjustment: number;
  /** The most a support operator may adjust in one day (programme time zone), credits and debits added up. */
  readonly supportMaxPointsPerDay: number;
}

export interface OperatorSettings extends OperatorSettingsInput {
  readonly version: number;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** Defaults: the threshold is high enough that nothing waits until an admin lowers it. */
export const defaultOperatorSettings: OperatorSettings = {
  approvalThresholdPoints: 10_000_000,
  supportMaxPointsPerAdjustment: 10_000,
  supportMaxPointsPerDay: 50_000,
  version: 0,
};

const NAME = 'operator-settings';
const CACHE_TTL_MS = Number(process.env.CONFIG_CACHE_TTL_MS ?? 30_000);
let cache: { settings: OperatorSettings; until: number } | undefined;

export async function getOperatorSettings(options: { fresh?: boolean } = {}): Promise<OperatorSettings> {
  if (!options.fresh && cache && cache.until > Date.now()) return cache.settings;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.config.current(NAME), ConsistentRead: options.fresh ?? false }));
  const stored = result.Item?.settings as OperatorSettings | undefined;
  const settings = stored ? { ...defaultOperatorSettings, ...stored } : defaultOperatorSettings;
  cache = { settings, until: Date.now() + CACHE_TTL_MS };
  return settings;
}

/** Saves the settings, refused when `expectedVersion` is not the version in force. */
export async function saveOperatorSettings(
  input: OperatorSettingsInput,
  expectedVersion: number,
  operator: string,
  now = new Date(),
): Promise<OperatorSettings> {
  const current = await getOperatorSettings({ fresh: true });
  if (current.version !== expectedVersion) {
    throw new DomainError('CONFLICT', `the settings are at version ${current.version}, not ${expectedVersion}; reload them`, { currentVersion: current.version });
  }
  const settings: OperatorSettings = { ...input, version: expectedVersion + 1, updatedAt: now.toISOString(), updatedBy: operator };
  const fields = Object.keys(input);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.config.current(NAME), entity: 'Config', name: NAME, version: settings.version, settings },
              ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
              ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
            },
          },
          ...auditItems({ target: 'settings:operator', summary: `saved operator settings version ${settings.version}`, before: pickFields(current, fields), after: input }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      throw new DomainError('CONFLICT', 'the settings changed meanwhile; reload them and apply your change again');
    }
    throw error;
  }
  cache = { settings, until: Date.now() + CACHE_TTL_MS };
  return settings;
}

/** For tests that change the settings through the table and need the next read to see it. */
export function forgetOperatorSettings(): void {
  cache = undefined;
}
