/**
 * The operators' member search (docs/data-model.md, MemberSearch).
 *
 * Each member has a small search entry beside the profile (`MEMBER#<id>` /
 * `SEARCH`): id, tier, status and registration time, with two index entries:
 *
 * - GSI1 `MEMBER-IDS#<first 2 characters of the id>` / `<memberId>`: the
 *   id-prefix search, one `begins_with` Query of one partition, by id;
 * - GSI2 `MEMBERS#<tier>#<shard>` / `<registeredAt>#<memberId>`: members of a
 *   tier by registration time, over MEMBER_SEARCH_SHARDS partitions per tier
 *   (so registrations, all `normal`, spread); a search by tier reads that
 *   tier's shards, a search without a tier those of every tier, merged newest first.
 *
 * The entry changes only when the tier or the status changes, in the same
 * transaction as the profile (registration, purchases that upgrade, bought
 * upgrades, an operator's tier change, the tier review, erasure), never with the profile's growth
 * counters, which change on every purchase. Each write sets what it changes
 * and fills the rest only where absent, so two concurrent changes (an
 * erasure and an upgrade) never undo each other, and an entry first written
 * by a change (a member registered before search entries existed) is whole.
 * Members registered before that get theirs from `ensureSearchEntry`: at a
 * repeated registration, and from the one-off backfill (./backfill.ts).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { tiers, type Tier } from '../domain/tiers.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys, MEMBER_SEARCH_SHARDS } from '../table/keys.js';
import { queryMergedPage, queryPage, type PageRequest } from '../table/paging.js';
import type { MemberProfile } from './service.js';

/** What the search entry copies from the profile. */
export type SearchEntrySource = Pick<MemberProfile, 'memberId' | 'tier' | 'status' | 'registeredAt'>;

/** One member as the search answers it. */
export interface MemberSearchHit {
  readonly memberId: string;
  readonly tier: Tier;
  readonly status: MemberProfile['status'];
  readonly registeredAt: string;
}

/**
 * The search entry's update, for the transaction that changes the member:
 * `changes` are set from `member`, the other fields only where absent.
 */
export function searchEntryWrite(member: SearchEntrySource, changes: { readonly tier?: boolean; readonly status?: boolean }): ExtraWrite {
  const byTier = keys.member.searchByTierEntry(member.memberId, member.tier, member.registeredAt);
  const byId = keys.member.searchByIdEntry(member.memberId);
  const set = (name: string, value: string, changed: boolean) => (changed ? `${name} = ${value}` : `${name} = if_not_exists(${name}, ${value})`);
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.search(member.memberId),
        UpdateExpression: `SET ${[
          'entity = :entity',
          'memberId = :memberId',
          'registeredAt = :registeredAt',
          'GSI1PK = :idPk',
          'GSI1SK = :idSk',
          'GSI2SK = :tierSk',
          set('tier', ':tier', changes.tier === true),
          set('GSI2PK', ':tierPk', changes.tier === true),
          set('#status', ':status', changes.status === true),
        ].join(', ')}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':entity': 'MemberSearch',
          ':memberId': member.memberId,
          ':registeredAt': member.registeredAt,
          ':idPk': byId.GSI1PK,
          ':idSk': byId.GSI1SK,
          ':tierPk': byTier.GSI2PK,
          ':tierSk': byTier.GSI2SK,
          ':tier': member.tier,
          ':status': member.status,
        },
      },
    },
  };
}

/** The whole search entry of a member, as first written. */
function searchEntryItem(member: SearchEntrySource): Record<string, unknown> {
  return {
    ...keys.member.search(member.memberId),
    ...keys.member.searchByIdEntry(member.memberId),
    ...keys.member.searchByTierEntry(member.memberId, member.tier, member.registeredAt),
    entity: 'MemberSearch',
    memberId: member.memberId,
    tier: member.tier,
    status: member.status,
    registeredAt: member.registeredAt,
  };
}

/**
 * Writes a member's search entry if it has none (a member registered before
 * search entries existed); an existing one is left alone, since every change
 * of tier or status keeps it up to date. Answers whether it wrote one.
 */
export async function ensureSearchEntry(member: SearchEntrySource): Promise<boolean> {
  // Conditional on absence, so it cannot undo a change of tier or status that wrote the entry after `member` was read.
  try {
    await db().send(new PutCommand({ TableName: tableName(), Item: searchEntryItem(member), ConditionExpression: 'attribute_not_exists(PK)' }));
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
}

export interface MemberSearchFilters {
  /** At least MEMBER_ID_PARTITION_CHARS characters; not combined with the others (the contract refuses it). */
  readonly idPrefix?: string | undefined;
  readonly tier?: Tier | undefined;
  /** Inclusive, ISO-8601 UTC as `toISOString` writes it. */
  readonly registeredFrom?: string | undefined;
  /** Exclusive, ISO-8601 UTC as `toISOString` writes it. */
  readonly registeredTo?: string | undefined;
}

function hitOf(item: Record<string, unknown>): MemberSearchHit {
  return {
    memberId: String(item.memberId),
    tier: item.tier as Tier,
    status: item.status as MemberProfile['status'],
    registeredAt: String(item.registeredAt),
  };
}

/**
 * One page of the member search. By id prefix: members whose id starts with
 * it, by id. Otherwise: members of the tier (or of every tier) registered in
 * the range, newest first. Reads only index entries (no Scan, no profile).
 */
export async function searchMembers(filters: MemberSearchFilters, page: PageRequest): Promise<{ items: MemberSearchHit[]; nextCursor: string | null }> {
  if (filters.idPrefix !== undefined) {
    const partition = keys.memberSearch.idPartition(filters.idPrefix);
    const result = await queryPage(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': filters.idPrefix },
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: result.items.map(hitOf), nextCursor: result.nextCursor };
  }
  const searched = filters.tier === undefined ? tiers : [filters.tier];
  const result = await queryMergedPage(
    {
      indexName: 'GSI2',
      partitionKey: 'GSI2PK',
      sortKey: 'GSI2SK',
      partitions: searched.flatMap((tier) => Array.from({ length: MEMBER_SEARCH_SHARDS }, (_, shard) => keys.memberSearch.tierPartition(tier, shard))),
      lowerBound: filters.registeredFrom === undefined ? undefined : keys.memberSearch.registeredFrom(filters.registeredFrom),
      upperBound: filters.registeredTo === undefined ? undefined : keys.memberSearch.registeredBefore(filters.registeredTo),
    },
    page,
  );
  return { items: result.items.map(hitOf), nextCursor: result.nextCursor };
}
