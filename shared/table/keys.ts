/**
 * The one keys module: every PK/SK/GSI key of every item type is built here
 * and nowhere else. docs/data-model.md lists the same item types.
 */

/** Number of partitions the expiry index spreads one bucket over, so earning at peak never hammers one index partition. */
export const EXPIRY_INDEX_SHARDS = 16;

export interface ItemKey {
  PK: string;
  SK: string;
}

const sep = '#';

/** FNV-1a 32-bit: a stable, fast hash for spreading ids over shards. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const keys = {
  member: {
    profile: (memberId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: 'PROFILE' }),
    wallet: (memberId: string, currency: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `WALLET${sep}${currency}`,
    }),
    walletPrefix: (): string => `WALLET${sep}`,
    ledgerEntry: (memberId: string, currency: string, entryId: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `LEDGER${sep}${currency}${sep}${entryId}`,
    }),
    /** Sort-key prefix of one wallet's ledger; entry ids are ULIDs so the prefix sorts by commit order. */
    ledgerPrefix: (currency: string): string => `LEDGER${sep}${currency}${sep}`,
    /** Marker that a wallet may hold points in an expiry bucket; it lives in the ExpiryDue sparse index. */
    expiryMarker: (memberId: string, currency: string, bucket: string) => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `EXPIRY${sep}${currency}${sep}${bucket}`,
      EXPPK: keys.expiry.partition(bucket, stableHash(`${memberId}${sep}${currency}`) % EXPIRY_INDEX_SHARDS),
      EXPSK: `MEMBER${sep}${memberId}${sep}${currency}`,
    }),
  },
  expiry: {
    partition: (bucket: string, shard: number): string => `EXPIRY${sep}${bucket}${sep}${shard}`,
  },
  referralCode: (code: string): ItemKey => ({ PK: `REFCODE${sep}${code}`, SK: 'REFCODE' }),
  config: {
    /** The version of a configuration document in force. */
    current: (name: string): ItemKey => ({ PK: `CONFIG${sep}${name}`, SK: 'CURRENT' }),
    /** Every version ever saved, for audit. */
    version: (name: string, version: number): ItemKey => ({ PK: `CONFIG${sep}${name}`, SK: `V${sep}${String(version).padStart(8, '0')}` }),
  },
  campaign: {
    definition: (campaignId: string): ItemKey => ({ PK: `CAMPAIGN${sep}${campaignId}`, SK: 'DEFINITION' }),
    /** GSI1 entry listing every campaign by end time (the open ones are those ending after now). */
    listEntry: (campaignId: string, endsAt: string) => ({ GSI1PK: keys.campaign.listPartition(), GSI1SK: `${endsAt}${sep}${campaignId}` }),
    listPartition: (): string => 'CAMPAIGNS',
    /** Budget and effect counters, updated in each awarding transaction. */
    counters: (campaignId: string): ItemKey => ({ PK: `CAMPAIGN${sep}${campaignId}`, SK: 'COUNTERS' }),
    /** What one member got from a campaign (per-member cap, participants). */
    member: (campaignId: string, memberId: string): ItemKey => ({ PK: `CAMPAIGN${sep}${campaignId}`, SK: `MEMBER${sep}${memberId}` }),
  },
  purchase: (purchaseId: string): ItemKey => ({ PK: `PURCHASE${sep}${purchaseId}`, SK: 'PURCHASE' }),
  topUp: (topUpId: string): ItemKey => ({ PK: `TOPUP${sep}${topUpId}`, SK: 'TOPUP' }),
  redemption: (redemptionId: string): ItemKey => ({ PK: `REDEMPTION${sep}${redemptionId}`, SK: 'REDEMPTION' }),
  idempotency: (scope: string, key: string): ItemKey => ({ PK: `IDEM${sep}${scope}${sep}${key}`, SK: 'IDEM' }),
} as const;

/** Extracts the member id from a `MEMBER#id` partition key. */
export function memberIdFromPk(pk: string): string {
  if (!pk.startsWith(`MEMBER${sep}`)) throw new Error(`not a member key: ${pk}`);
  return pk.slice(`MEMBER${sep}`.length);
}
