/**
 * The one keys module: every PK/SK/GSI key of every item type is built here
 * and nowhere else. docs/data-model.md lists the same item types.
 */

/** Number of partitions the expiry index spreads one bucket over, so earning at peak never hammers one index partition. */
export const EXPIRY_INDEX_SHARDS = 16;

/** Partitions of the list of orders waiting for payment (GSI2), read in parallel by the payment-timeout sweeper. */
export const PAYMENT_DUE_SHARDS = 16;
/** Partitions of the vest-due list (GSI2) that pending credits spread over; only ever raise it (the job queries every shard below it). */
export const VEST_INDEX_SHARDS = 16;

/** Partitions of the tier-review list (GSI2), so the yearly review reads them in parallel and no partition holds every tiered member. */
export const TIER_REVIEW_SHARDS = 16;

/** Statistics shards of a lucky draw: each spin adds to one, so busy draws never hammer one item. */
export const DRAW_STATS_SHARDS = 16;

/** Partitions of the LastActivity index per currency, so the monthly moves of active wallets never hammer one index partition. */
export const ACTIVITY_INDEX_SHARDS = 16;

/**
 * Partitions one programme day of the purchase-time index (GSI1) spreads over: every POS purchase writes one
 * entry, so at a till peak one day's entries must not land on one index partition. Only ever raise it
 * (readers query every shard below it).
 */
export const PURCHASE_TIME_SHARDS = 8;

/**
 * Partitions per tier of the operators' member search by tier and registration time (GSI2), so registrations (all
 * `normal`) spread over several index partitions. A search reads them all and merges, so keep it small; only ever raise it
 * together with a rewrite of the entries (the search reads shards 0 .. n-1).
 */
export const MEMBER_SEARCH_SHARDS = 4;

/**
 * Partitions one month (UTC, `YYYY-MM`) of the operators' order list (GSI3) spreads over, by order id: a flash sale
 * places thousands of orders a minute, and one month's entries must not land on one index partition. Only ever
 * raise it (the list reads every shard below it).
 */
export const ORDER_LIST_SHARDS = 8;

/** Leading characters of a member id that name its partition of the id-prefix search (GSI1); a prefix search needs at least this many. */
export const MEMBER_ID_PARTITION_CHARS = 2;

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
    /** Units of a product a member redeemed in a period (`ALL`, or a programme-local day `YYYY-MM-DD`). */
    purchaseLimit: (memberId: string, productId: string, period: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `LIMIT${sep}${productId}${sep}${period}`,
    }),
    /**
     * Points of one purchase locked until its return window ends. The sort key orders a member's pending
     * credits by the time they become available (`vestAt`, ISO-8601 UTC), so the soonest come first.
     */
    pendingCredit: (memberId: string, currency: string, vestAt: string, purchaseId: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `PENDING${sep}${currency}${sep}${vestAt}${sep}${purchaseId}`,
    }),
    /** Sort-key prefix of one wallet's pending credits. */
    pendingPrefix: (currency: string): string => `PENDING${sep}${currency}${sep}`,
    /** GSI2 keys on a pending credit: the vest-due list, sharded, sorted by the time the points become available. */
    vestEntry: (memberId: string, vestAt: string, purchaseId: string) => ({
      GSI2PK: keys.vest.partition(stableHash(`${memberId}${sep}${purchaseId}`) % VEST_INDEX_SHARDS),
      GSI2SK: `${vestAt}${sep}${memberId}${sep}${purchaseId}`,
    }),
    /**
     * LastActivity index keys, set on a `points` wallet by every ledger move but EXPIRE: the wallet
     * under its currency's shard, sorted by the month (`YYYY-MM`) of its last activity.
     */
    activityEntry: (memberId: string, currency: string, month: string) => ({
      ACTPK: keys.activity.partition(currency, stableHash(`${memberId}${sep}${currency}`) % ACTIVITY_INDEX_SHARDS),
      ACTSK: `${month}${sep}${memberId}`,
    }),
    /** A coupon issued to the member; coupon ids are ULID-based, so the member's coupons sort by issue time. */
    coupon: (memberId: string, couponId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: `COUPON${sep}${couponId}` }),
    /** Sort-key prefix of a member's coupons. */
    couponPrefix: (): string => `COUPON${sep}`,
    /** The referrer's referral counter (ladder position), updated in each referral reward's transaction. */
    referralStats: (memberId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: 'REFERRALS' }),
    /** One referral, in the referrer's partition: exists once per referee, so each reward is paid once. */
    referral: (referrerId: string, refereeId: string): ItemKey => ({ PK: `MEMBER${sep}${referrerId}`, SK: `REFERRAL${sep}${refereeId}` }),
    /** Marks that a member's first POS purchase has been recorded (first-purchase referral bonus). */
    firstPurchase: (memberId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: 'FIRST_PURCHASE' }),
    /** The record of a member's erasure (who asked, when, which fields): no personal data in it. */
    erasure: (memberId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: 'ERASURE' }),
    /** The birthday bonus of one year, once per member and year. */
    birthdayGift: (memberId: string, year: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: `BIRTHDAY${sep}${year}` }),
    /** What a member got from one pool activity on one programme-local day (daily cap). */
    poolDailyCap: (memberId: string, poolId: string, activity: string, day: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `POOLCAP${sep}${poolId}${sep}${activity}${sep}${day}`,
    }),
    /**
     * One completion of a task in one period (a local day, an ISO week or `ONCE`), slot 1 unless the task
     * may be done several times a period. Put only if absent, so each slot of a period is paid once. A
     * sign-in task's records sort by day, so a month of them is one Query (the sign-in calendar).
     */
    taskCompletion: (memberId: string, taskId: string, period: string, slot: number): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `${keys.member.taskCompletionPrefix(taskId, period)}${sep}${String(slot).padStart(3, '0')}`,
    }),
    /** Sort-key prefix of a member's completions of a task, optionally narrowed to periods starting with `period`. */
    taskCompletionPrefix: (taskId: string, period = ''): string => `TASKDONE${sep}${taskId}${sep}${period}`,
    /** How many times a member spun a draw on one programme-local day (the next spin is number spins + 1). */
    drawDay: (memberId: string, drawId: string, day: string): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `DRAWDAY${sep}${drawId}${sep}${day}`,
    }),
    /** One spin of a draw (the audit record): by day, then spin number, so a member's spins of a draw sort in order. */
    spin: (memberId: string, drawId: string, day: string, n: number): ItemKey => ({
      PK: `MEMBER${sep}${memberId}`,
      SK: `${keys.member.spinPrefix(drawId)}${day}${sep}${String(n).padStart(4, '0')}`,
    }),
    /** Sort-key prefix of a member's spins of one draw. */
    spinPrefix: (drawId: string): string => `SPIN${sep}${drawId}${sep}`,
    /**
     * Slot `slot` of a member's live payment codes: the expiry of the code issued into it. A code is issued
     * only into a slot whose code has expired, so a member holds at most as many live codes as there are slots.
     */
    paymentCodeSlot: (memberId: string, slot: number): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: `${keys.member.paymentCodeSlotPrefix()}${slot}` }),
    paymentCodeSlotPrefix: (): string => `PAYCODE-SLOT${sep}`,
    /** GSI1 keys on the profile: members by birthday (`MM-DD`), for the daily birthdays job. */
    birthdayEntry: (memberId: string, monthDay: string) => ({ GSI1PK: keys.birthdays.partition(monthDay), GSI1SK: `MEMBER${sep}${memberId}` }),
    /** GSI2 keys on the profile of a member above `normal`: the tier-review list, sorted by the year last granted or confirmed. */
    tierReviewEntry: (memberId: string, year: string) => ({
      GSI2PK: keys.tierReview.partition(stableHash(memberId) % TIER_REVIEW_SHARDS),
      GSI2SK: `${year}${sep}${memberId}`,
    }),
    /**
     * The member's entry in the operators' search: a small copy of the profile (tier, status, registration time) that
     * changes only with them, so the profile's frequent growth updates never rewrite a search index entry.
     */
    search: (memberId: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: 'SEARCH' }),
    /** GSI1 keys on the search entry: members by id, in the partition of the id's first characters (prefix search). */
    searchByIdEntry: (memberId: string) => ({ GSI1PK: keys.memberSearch.idPartition(memberId), GSI1SK: memberId }),
    /** GSI2 keys on the search entry: members of a tier, sharded, by registration time. */
    searchByTierEntry: (memberId: string, tier: string, registeredAt: string) => ({
      GSI2PK: keys.memberSearch.tierPartition(tier, stableHash(memberId) % MEMBER_SEARCH_SHARDS),
      GSI2SK: `${registeredAt}${sep}${memberId}`,
    }),
    /** GSI1 keys on a Spin: the member's spins of every draw, by time. */
    spinEntry: (memberId: string, at: string, drawId: string, day: string, n: number) => ({
      GSI1PK: keys.member.spinsPartition(memberId),
      GSI1SK: `${at}${sep}${drawId}${sep}${day}${sep}${String(n).padStart(4, '0')}`,
    }),
    spinsPartition: (memberId: string): string => `MEMBER-SPINS${sep}${memberId}`,
    /** GSI1 keys on a TaskCompletion: the member's completions of every task, by time. */
    taskCompletionEntry: (memberId: string, at: string, taskId: string, period: string, slot: number) => ({
      GSI1PK: keys.member.taskCompletionsPartition(memberId),
      GSI1SK: `${at}${sep}${taskId}${sep}${period}${sep}${String(slot).padStart(3, '0')}`,
    }),
    taskCompletionsPartition: (memberId: string): string => `MEMBER-TASKS${sep}${memberId}`,
  },
  memberSearch: {
    /** The id-prefix partition of a member id, or of a search prefix (at least MEMBER_ID_PARTITION_CHARS long). */
    idPartition: (idOrPrefix: string): string => `MEMBER-IDS${sep}${idOrPrefix.slice(0, MEMBER_ID_PARTITION_CHARS)}`,
    tierPartition: (tier: string, shard: number): string => `MEMBERS${sep}${tier}${sep}${shard}`,
    /** GSI2SK bound: entries sorting at or above it registered at or after `at` (an ISO-8601 UTC time). */
    registeredFrom: (at: string): string => at,
    /** GSI2SK bound: entries sorting below it registered before `at` (every entry's key continues after the time with `#`). */
    registeredBefore: (at: string): string => at,
    /** The member id of a GSI2SK (`<registeredAt>#<memberId>`; the time holds no `#`). */
    memberIdOfTierSk: (sk: string): string => sk.slice(sk.indexOf(sep) + 1),
  },
  birthdays: {
    partition: (monthDay: string): string => `BIRTHDAY${sep}${monthDay}`,
  },
  tierReview: {
    partition: (shard: number): string => `TIER-REVIEW${sep}${shard}`,
    /** GSI2SK bound: entries sorting below it were granted or confirmed before `year`, so are due. */
    dueBefore: (year: string): string => `${year}${sep}`,
  },
  vest: {
    partition: (shard: number): string => `VEST${sep}${shard}`,
    /** GSI2SK bound: entries sorting below it become available at or before `now` (ISO strings sort by time; '~' sorts after '#'). */
    dueBefore: (now: Date): string => `${now.toISOString()}~`,
  },
  pool: {
    definition: (poolId: string): ItemKey => ({ PK: `POOL${sep}${poolId}`, SK: 'DEFINITION' }),
    /**
     * Counter shard `shard` of a pool: its slice of the budget and of each activity's share, and what it
     * has issued; an award updates one shard in its own transaction. Shard 0 is the pool's original
     * counters item (`POOL#<poolId>/COUNTERS`, the only one of a pool made before sharding); shard n > 0
     * is its own partition `POOL#<poolId>#<n>`, so awards spread over partitions.
     */
    counterShard: (poolId: string, shard: number): ItemKey => ({ PK: shard === 0 ? `POOL${sep}${poolId}` : `POOL${sep}${poolId}${sep}${shard}`, SK: 'COUNTERS' }),
    /** GSI1 entry listing every pool by creation time. */
    listEntry: (poolId: string, createdAt: string) => ({ GSI1PK: keys.pool.listPartition(), GSI1SK: `${createdAt}${sep}${poolId}` }),
    listPartition: (): string => 'POOLS',
  },
  task: {
    definition: (taskId: string): ItemKey => ({ PK: `TASK${sep}${taskId}`, SK: 'DEFINITION' }),
    /**
     * Counter shard `shard` of a task: completions and points paid, in all and per period, and a copy of the
     * status every completion is conditional on (the same on every shard). Shard 0 is the task's original
     * counters item (`TASK#<taskId>/COUNTERS`, the only one of a task made before sharding); shard n > 0 is
     * its own partition `TASK#<taskId>#<n>`.
     */
    counterShard: (taskId: string, shard: number): ItemKey => ({ PK: shard === 0 ? `TASK${sep}${taskId}` : `TASK${sep}${taskId}${sep}${shard}`, SK: 'COUNTERS' }),
    /** GSI1 entry listing every task by creation time (operators). */
    listEntry: (taskId: string, createdAt: string) => ({ GSI1PK: keys.task.listPartition(), GSI1SK: `${createdAt}${sep}${taskId}` }),
    listPartition: (): string => 'TASKS',
    /** GSI2 entry of a task not ENDED, by end time (none: far future), so members' lists query only tasks still open. */
    openEntry: (taskId: string, endsAt: string | null) => ({
      GSI2PK: keys.task.openPartition(),
      GSI2SK: `${endsAt ?? '9999-12-31T23:59:59.999Z'}${sep}${taskId}`,
    }),
    openPartition: (): string => 'TASKS-OPEN',
  },
  draw: {
    definition: (drawId: string): ItemKey => ({ PK: `DRAW${sep}${drawId}`, SK: 'DEFINITION' }),
    /** An operator's change of a draw (the audit history), beside its definition, sorted by version. */
    change: (drawId: string, version: number): ItemKey => ({ PK: `DRAW${sep}${drawId}`, SK: `${keys.draw.changePrefix()}${String(version).padStart(6, '0')}` }),
    changePrefix: (): string => `VERSION${sep}`,
    /** GSI1 entry listing every draw by end time (the ones not ended are those ending after now). */
    listEntry: (drawId: string, endsAt: string) => ({ GSI1PK: keys.draw.listPartition(), GSI1SK: `${endsAt}${sep}${drawId}` }),
    listPartition: (): string => 'DRAWS',
    /**
     * GSI2 entry listing every draw for operators, by creation time (kept when a draw ends, unlike the GSI1 list,
     * which holds only draws not ended).
     */
    adminEntry: (drawId: string, createdAt: string) => ({ GSI2PK: keys.draw.adminPartition(), GSI2SK: `${createdAt}${sep}${drawId}` }),
    adminPartition: (): string => 'DRAWS-ALL',
    /** Stock left of one limited prize, in its own partition: only spins that award that prize write it. */
    prizeStock: (drawId: string, prizeId: string): ItemKey => ({ PK: `DRAW-STOCK${sep}${drawId}${sep}${prizeId}`, SK: 'STOCK' }),
    /**
     * One of the draw's statistics shards (spins, drawn and awarded per prize); each spin adds to one at random.
     * Each also holds a copy of the draw's operator status and end, which every spin's transaction is conditional on.
     */
    statsShard: (drawId: string, shard: number): ItemKey => ({ PK: `DRAW-STATS${sep}${drawId}${sep}${shard}`, SK: 'STATS' }),
    /** The server seed of one programme-local day; a draw's seeds share a partition, sorted by day. */
    seed: (drawId: string, day: string): ItemKey => ({ PK: keys.draw.seedPartition(drawId), SK: `DAY${sep}${day}` }),
    seedPartition: (drawId: string): string => `DRAW-SEEDS${sep}${drawId}`,
    /** SK bound: seeds sorting below it belong to days before `day`. */
    seedsBefore: (day: string): string => `DAY${sep}${day}`,
  },
  /** Progress of a scheduled job (the last day or bucket it finished). */
  jobState: (job: string): ItemKey => ({ PK: `JOB${sep}${job}`, SK: 'STATE' }),
  expiry: {
    partition: (bucket: string, shard: number): string => `EXPIRY${sep}${bucket}${sep}${shard}`,
  },
  activity: {
    partition: (currency: string, shard: number): string => `ACTIVITY${sep}${currency}${sep}${shard}`,
    /** ACTSK bound: entries sorting below it were last active before `month`. */
    activeBefore: (month: string): string => month,
    /** ACTSK prefix of the wallets last active in `month`. */
    month: (month: string): string => `${month}${sep}`,
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
    /**
     * What the campaign paid in one programme-local hour (`YYYY-MM-DDTHH`, of the purchases' paidAt), updated
     * in each awarding transaction beside the counters; a campaign's hours sort in time order, so a range is one Query.
     */
    hourStats: (campaignId: string, hour: string): ItemKey => ({ PK: `CAMPAIGN${sep}${campaignId}`, SK: `${keys.campaign.hourPrefix()}${hour}` }),
    hourPrefix: (): string => `HOUR${sep}`,
  },
  store: {
    /** A store of the registry: name, status, the POS app clients bound to it, version. */
    item: (storeId: string): ItemKey => ({ PK: `STORE${sep}${storeId}`, SK: 'STORE' }),
    /** An operator's change of a store (its audit record), beside the store, sorted by version. */
    change: (storeId: string, version: number): ItemKey => ({ PK: `STORE${sep}${storeId}`, SK: `${keys.store.changePrefix()}${String(version).padStart(6, '0')}` }),
    changePrefix: (): string => `VERSION${sep}`,
    /** GSI1 entry listing every store by id (operators). */
    listEntry: (storeId: string) => ({ GSI1PK: keys.store.listPartition(), GSI1SK: storeId }),
    listPartition: (): string => 'STORES',
    /**
     * A POS app client (the `client_id` of its tokens) bound to one store, with a copy of the store's status:
     * the one item a POS request reads to learn its store. Exists once per client, so a client serves one store.
     */
    posClient: (clientId: string): ItemKey => ({ PK: `POS-CLIENT${sep}${clientId}`, SK: 'POS-CLIENT' }),
  },
  /** A member's checkout payment code, keyed by the SHA-256 of the code (the code itself is never stored). */
  paymentCode: (codeHash: string): ItemKey => ({ PK: `PAYCODE${sep}${codeHash}`, SK: 'PAYCODE' }),
  purchase: (purchaseId: string): ItemKey => ({ PK: `PURCHASE${sep}${purchaseId}`, SK: 'PURCHASE' }),
  purchaseTime: {
    /**
     * GSI1 keys on a Purchase: the purchases paid on one programme-local day (`YYYY-MM-DD`), over
     * PURCHASE_TIME_SHARDS partitions by purchase id, each sorted by paidAt (ISO-8601 UTC) then id.
     */
    entry: (day: string, paidAt: string, purchaseId: string) => ({
      GSI1PK: keys.purchaseTime.partition(day, stableHash(purchaseId) % PURCHASE_TIME_SHARDS),
      GSI1SK: `${paidAt}${sep}${purchaseId}`,
    }),
    partition: (day: string, shard: number): string => `PURCHASES-PAID${sep}${day}${sep}${shard}`,
  },
  purchaseReview: {
    /** GSI2 keys on a Purchase waiting for review (sparse: removed by the decision), oldest first. */
    pendingEntry: (recordedAt: string, purchaseId: string) => ({
      GSI2PK: keys.purchaseReview.pendingPartition(),
      GSI2SK: `${recordedAt}${sep}${purchaseId}`,
    }),
    pendingPartition: (): string => 'PURCHASE-REVIEWS',
    /** The operator's decision on a reviewed purchase (immutable audit record), beside the purchase; put once. */
    decision: (purchaseId: string): ItemKey => ({ PK: `PURCHASE${sep}${purchaseId}`, SK: 'REVIEW-DECISION' }),
  },
  posEarningDay: {
    /** Points a member earned through POS purchases on one programme-local day (daily cap), in the member's partition. */
    member: (memberId: string, day: string): ItemKey => ({ PK: `MEMBER${sep}${memberId}`, SK: `POSDAY${sep}${day}` }),
    /** Points a store issued through POS purchases on one programme-local day (daily cap), one partition per store and day. */
    store: (storeId: string, day: string): ItemKey => ({ PK: `STORE-POSDAY${sep}${storeId}${sep}${day}`, SK: 'POSDAY' }),
  },
  topUp: (topUpId: string): ItemKey => ({ PK: `TOPUP${sep}${topUpId}`, SK: 'TOPUP' }),
  redemption: (redemptionId: string): ItemKey => ({ PK: `REDEMPTION${sep}${redemptionId}`, SK: 'REDEMPTION' }),
  report: {
    /** One day's points counters of a currency (programme-local date); a currency's days share a partition, so a range is one Query. */
    day: (currency: string, day: string): ItemKey => ({ PK: `REPORT${sep}${currency}`, SK: `DAY${sep}${day}` }),
    /** All-time counters of a currency: what members hold now. */
    total: (currency: string): ItemKey => ({ PK: `REPORT${sep}${currency}`, SK: 'TOTAL' }),
    /**
     * Points of a currency's wallets that expire with one bucket (`YYYY-MM`), as the wallets' live buckets
     * show them: the expiry forecast. Beside the day items, so all of a currency's buckets are one Query.
     */
    expiryBucket: (currency: string, bucket: string): ItemKey => ({ PK: `REPORT${sep}${currency}`, SK: `${keys.report.expiryPrefix()}${bucket}` }),
    expiryPrefix: (): string => `EXPIRY${sep}`,
    /** One programme-local day's operations counters (failed fulfilments, parked messages), off the currencies' partitions. */
    operationsDay: (day: string): ItemKey => ({ PK: 'REPORT-OPS', SK: `DAY${sep}${day}` }),
    /** All-time operations counters. */
    operationsTotal: (): ItemKey => ({ PK: 'REPORT-OPS', SK: 'TOTAL' }),
    /** Marks a stream record other than a new ledger entry (a wallet or order change) as counted, by the record's event id. */
    countedChange: (eventId: string): ItemKey => ({ PK: `REPORTED-CHANGE${sep}${eventId}`, SK: 'REPORTED' }),
    /** Marks a ledger entry as counted in the reports (exactly-once over an at-least-once stream). */
    counted: (memberId: string, currency: string, entryId: string): ItemKey => ({
      PK: `REPORTED${sep}${memberId}${sep}${currency}${sep}${entryId}`,
      SK: 'REPORTED',
    }),
  },
  product: {
    item: (productId: string): ItemKey => ({ PK: `PRODUCT${sep}${productId}`, SK: 'PRODUCT' }),
    /** GSI1 keys on the product: the zone's list, in sort order. */
    zoneEntry: (zone: string, sortOrder: number, productId: string) => ({
      GSI1PK: keys.product.zonePartition(zone),
      GSI1SK: `${String(sortOrder).padStart(7, '0')}${sep}${productId}`,
    }),
    zonePartition: (zone: string): string => `ZONE${sep}${zone}`,
    /** One shard of a product's stock; each shard is its own partition, so a flash sale spreads over partitions. */
    stockShard: (productId: string, shard: number): ItemKey => ({ PK: `STOCK${sep}${productId}${sep}${shard}`, SK: 'STOCK' }),
    /**
     * GSI2 keys on the product: every product, newest first (the operators' list when no zone is asked for).
     * One partition: products are written by operators only (and once when they sell out), never by redemptions.
     */
    listEntry: (createdAt: string, productId: string) => ({ GSI2PK: keys.product.listPartition(), GSI2SK: `${createdAt}${sep}${productId}` }),
    listPartition: (): string => 'PRODUCTS',
    /**
     * Sale statistics of one stock shard in one UTC minute (`YYYY-MM-DDTHH:MM`): the orders placed on that shard, added in
     * the redemption's own transaction. In the shard's own partition, so it spreads exactly as the stock shards do.
     */
    saleMinute: (productId: string, shard: number, minute: string): ItemKey => ({
      PK: keys.product.saleStatsPartition(productId, shard),
      SK: `${minute}${sep}ORDERS`,
    }),
    /**
     * Refusals of one minute counted by function instances and flushed every few seconds onto a shard picked at random
     * (beside that shard's order counts, in another item, so a flush never conflicts with a redemption's transaction).
     */
    refusalMinute: (productId: string, shard: number, minute: string): ItemKey => ({
      PK: keys.product.saleStatsPartition(productId, shard),
      SK: `${minute}${sep}REFUSED`,
    }),
    saleStatsPartition: (productId: string, shard: number): string => `SALE-STATS${sep}${productId}${sep}${shard}`,
  },
  couponTemplate: {
    item: (couponTemplateId: string): ItemKey => ({ PK: `COUPON-TEMPLATE${sep}${couponTemplateId}`, SK: 'TEMPLATE' }),
    /** Issued and used counts (and the issue limit's condition), updated in each issuing or consuming transaction. */
    counters: (couponTemplateId: string): ItemKey => ({ PK: `COUPON-TEMPLATE${sep}${couponTemplateId}`, SK: 'COUNTERS' }),
    /** GSI1 keys on the template: every template, newest first (templates never change, so the entry is written once). */
    listEntry: (createdAt: string, couponTemplateId: string) => ({ GSI1PK: keys.couponTemplate.listPartition(), GSI1SK: `${createdAt}${sep}${couponTemplateId}` }),
    listPartition: (): string => 'COUPON-TEMPLATES',
  },
  codePool: {
    /**
     * One code of a VIRTUAL product, in its stock shard's own partition. The shard is chosen by hashing the
     * code (`codeHash` is its SHA-256), so an upload of the same code always lands on the same key: uploads are idempotent per code.
     */
    code: (productId: string, shard: number, codeHash: string): ItemKey => ({
      PK: `CODES${sep}${productId}${sep}${shard}`,
      SK: `CODE${sep}${codeHash}`,
    }),
    /** GSI2 keys on a code not yet claimed: the shard's free list (sparse, removed by the claim), oldest upload first. */
    freeEntry: (productId: string, shard: number, uploadedAt: string, codeHash: string) => ({
      GSI2PK: keys.codePool.freePartition(productId, shard),
      GSI2SK: `${uploadedAt}${sep}${codeHash}`,
    }),
    freePartition: (productId: string, shard: number): string => `CODES-FREE${sep}${productId}${sep}${shard}`,
  },
  order: {
    item: (orderId: string): ItemKey => ({ PK: `ORDER${sep}${orderId}`, SK: 'ORDER' }),
    /** GSI1 keys on the order: the member's orders, newest last. */
    memberEntry: (memberId: string, createdAt: string, orderId: string) => ({
      GSI1PK: keys.order.memberPartition(memberId),
      GSI1SK: `${createdAt}${sep}${orderId}`,
    }),
    memberPartition: (memberId: string): string => `MEMBER-ORDERS${sep}${memberId}`,
    /** GSI2 keys on an order waiting for its cash part: sparse, removed when paid, cancelled or released. */
    paymentDueEntry: (orderId: string, payBy: string) => ({
      GSI2PK: keys.order.paymentDuePartition(stableHash(orderId) % PAYMENT_DUE_SHARDS),
      GSI2SK: `${payBy}${sep}${orderId}`,
    }),
    paymentDuePartition: (shard: number): string => `PAYMENT-DUE${sep}${shard}`,
    /**
     * GSI3 keys on the order: the operators' list of every order, by the UTC month of `createdAt`, over
     * ORDER_LIST_SHARDS partitions by order id, each sorted by creation time then id. Never change.
     */
    listEntry: (orderId: string, createdAt: string) => ({
      GSI3PK: keys.order.listPartition(createdAt.slice(0, 7), stableHash(orderId) % ORDER_LIST_SHARDS),
      GSI3SK: `${createdAt}${sep}${orderId}`,
    }),
    listPartition: (month: string, shard: number): string => `ORDERS${sep}${month}${sep}${shard}`,
    /**
     * A callback about the order (supplier status, payment result, refund result) as the webhook received it:
     * verified or refused, when. In the order's partition, so one Query reads the order and its callbacks.
     */
    callback: (orderId: string, receivedAt: string, callbackId: string): ItemKey => ({
      PK: `ORDER${sep}${orderId}`,
      SK: `${keys.order.callbackPrefix()}${receivedAt}${sep}${callbackId}`,
    }),
    callbackPrefix: (): string => `CALLBACK${sep}`,
    /** How many refused callbacks naming the order were kept (a bound: anyone may post an unsigned body naming it). */
    refusedCallbacks: (orderId: string): ItemKey => ({ PK: `ORDER${sep}${orderId}`, SK: 'CALLBACKS-REFUSED' }),
    /** One cash refund of the order (by the refund id, the id of the event that asked for it): requested, submitted, done or failed. */
    cashRefund: (orderId: string, refundId: string): ItemKey => ({ PK: `ORDER${sep}${orderId}`, SK: `${keys.order.cashRefundPrefix()}${refundId}` }),
    cashRefundPrefix: (): string => `CASHREFUND${sep}`,
    /** GSI1 keys on an outbox event about an order: the events the order produced, by time. */
    eventEntry: (orderId: string, occurredAt: string, eventId: string) => ({
      GSI1PK: keys.order.eventsPartition(orderId),
      GSI1SK: `${occurredAt}${sep}${eventId}`,
    }),
    eventsPartition: (orderId: string): string => `ORDER-EVENTS${sep}${orderId}`,
  },
  auction: {
    /** The auction: terms and the state every bid changes (price, leader, holds, version). */
    item: (auctionId: string): ItemKey => ({ PK: `AUCTION${sep}${auctionId}`, SK: 'AUCTION' }),
    /**
     * The auction's entry in the lists, kept off the hot auction item so a bid that does not move the end
     * writes no index: it changes only when anti-sniping moves the end, and at settlement.
     */
    listing: (auctionId: string): ItemKey => ({ PK: `AUCTION${sep}${auctionId}`, SK: 'LISTING' }),
    /** GSI1 keys on the listing: every auction by creation time (operators). */
    listEntry: (auctionId: string, createdAt: string) => ({ GSI1PK: keys.auction.listPartition(), GSI1SK: `${createdAt}${sep}${auctionId}` }),
    listPartition: (): string => 'AUCTIONS',
    /**
     * GSI2 keys on the listing while the auction is not settled (sparse, removed at settlement or cancellation), by end time:
     * members list those ending after now, the settlement sweeper those ended.
     */
    unsettledEntry: (auctionId: string, endsAt: string) => ({ GSI2PK: keys.auction.unsettledPartition(), GSI2SK: `${endsAt}${sep}${auctionId}` }),
    unsettledPartition: (): string => 'AUCTIONS-UNSETTLED',
    /** GSI2SK bound: entries sorting at or below it ended at or before `now` ('~' sorts after '#'). */
    endedBy: (now: Date): string => `${now.toISOString()}~`,
    /** One accepted bid, numbered in the auction's order (the number is the auction's bid count after it). */
    bid: (auctionId: string, seq: number): ItemKey => ({ PK: `AUCTION${sep}${auctionId}`, SK: `BID${sep}${String(seq).padStart(9, '0')}` }),
    bidPrefix: (): string => `BID${sep}`,
    /** GSI1 keys on a bid: the bidder's bids, by time. */
    memberBidEntry: (memberId: string, at: string, auctionId: string, seq: number) => ({
      GSI1PK: keys.auction.memberBidsPartition(memberId),
      GSI1SK: `${at}${sep}${auctionId}${sep}${String(seq).padStart(9, '0')}`,
    }),
    memberBidsPartition: (memberId: string): string => `MEMBER-BIDS${sep}${memberId}`,
    /** One operator action on the auction (a change of terms, the cancellation), by a ULID: in the order they happened. */
    audit: (auctionId: string, auditId: string): ItemKey => ({ PK: `AUCTION${sep}${auctionId}`, SK: `AUDIT${sep}${auditId}` }),
    auditPrefix: (): string => `AUDIT${sep}`,
  },
  /** An event waiting in the outbox (written with the change it announces; the stream publishes it). */
  outbox: (eventId: string): ItemKey => ({ PK: `OUTBOX${sep}${eventId}`, SK: 'EVENT' }),
  /**
   * A delivery that failed for good (an event a rule's target could not take, an outbox event the bus would not
   * accept), kept for an operator to redrive or discard (shared/events/dead-letters.ts).
   */
  deadLetter: {
    item: (deadLetterId: string): ItemKey => ({ PK: `DEADLETTER${sep}${deadLetterId}`, SK: 'DEADLETTER' }),
    /** GSI1 keys: the dead letters of one status, by the time delivery failed. */
    statusEntry: (status: string, failedAt: string, deadLetterId: string) => ({
      GSI1PK: keys.deadLetter.statusPartition(status),
      GSI1SK: `${failedAt}${sep}${deadLetterId}`,
    }),
    statusPartition: (status: string): string => `DEAD-LETTERS${sep}${status}`,
    /** GSI2 keys: the dead letters of one status and source (`outbox`, `fulfilment`, `callbacks`, `other`), by time. */
    sourceEntry: (status: string, source: string, failedAt: string, deadLetterId: string) => ({
      GSI2PK: keys.deadLetter.sourcePartition(status, source),
      GSI2SK: `${failedAt}${sep}${deadLetterId}`,
    }),
    sourcePartition: (status: string, source: string): string => `DEAD-LETTERS${sep}${status}${sep}${source}`,
    /** How many are open, kept by the transactions that record, redrive and discard them (the dashboard reads it). */
    counters: (): ItemKey => ({ PK: 'DEAD-LETTERS', SK: 'COUNTERS' }),
  },
  /** Sparse GSI2 lists of supplier orders that need an operator's eye (shared/mall/fulfilment-problems.ts). */
  fulfilment: {
    /**
     * GSI2 keys on a SUBMITTED order waiting for its supplier's first callback, in its supplier's partition, by the
     * time that callback is due (submission + the supplier's deadline): removed by the callback's transition.
     */
    awaitingEntry: (supplierId: string, deadlineAt: string, orderId: string) => ({
      GSI2PK: keys.fulfilment.awaitingPartition(supplierId),
      GSI2SK: `${deadlineAt}${sep}${orderId}`,
    }),
    awaitingPartition: (supplierId: string): string => `FULFILMENT-AWAITING${sep}${supplierId}`,
    /** GSI2 keys on an order its supplier refused for good (FAILED), in its supplier's partition, by the time it failed. */
    failedEntry: (supplierId: string, failedAt: string, orderId: string) => ({
      GSI2PK: keys.fulfilment.failedPartition(supplierId),
      GSI2SK: `${failedAt}${sep}${orderId}`,
    }),
    failedPartition: (supplierId: string): string => `FULFILMENT-FAILED${sep}${supplierId}`,
  },
  /** A callback message that must not be applied (illegal transition, unknown order), kept for an operator. */
  parkedMessage: (orderId: string, messageKey: string): ItemKey => ({ PK: `PARKED${sep}${orderId}`, SK: `MSG${sep}${messageKey}` }),
  /** A webhook nonce already used by a sender (kept a little longer than the signature window). */
  webhookNonce: (kind: string, sender: string, nonce: string): ItemKey => ({ PK: `NONCE${sep}${kind}${sep}${sender}${sep}${nonce}`, SK: 'NONCE' }),
  idempotency: (scope: string, key: string): ItemKey => ({ PK: `IDEM${sep}${scope}${sep}${key}`, SK: 'IDEM' }),
  rateLimit: {
    /** A member's requests to one operation in one second, across function instances (shared/http/member-rate-limit.ts). */
    window: (memberId: string, operation: string, second: number): ItemKey => ({ PK: `RATE${sep}${memberId}`, SK: `${operation}${sep}${second}` }),
  },
  approval: {
    /** A change that waits for a second operator (maker-checker): today manual adjustments above the threshold. */
    request: (approvalId: string): ItemKey => ({ PK: `APPROVAL${sep}${approvalId}`, SK: 'REQUEST' }),
    /** GSI2: requests by status, oldest first. */
    byStatus: (status: string, createdAt: string, approvalId: string) => ({ GSI2PK: `APPROVALS${sep}${status}`, GSI2SK: `${createdAt}${sep}${approvalId}` }),
    statusPartition: (status: string): string => `APPROVALS${sep}${status}`,
    /** How many wait, kept in the transactions that open and decide requests (the dashboard reads it). */
    counters: (): ItemKey => ({ PK: 'APPROVALS', SK: 'COUNTERS' }),
  },
  /** What a support operator adjusted on one day (programme time zone), against the daily limit. */
  operatorDay: (operatorId: string, date: string): ItemKey => ({ PK: `OPERATOR${sep}${operatorId}`, SK: `DAY${sep}${date}` }),
  whatIf: {
    /** A what-if replay: its request (period, drafts), state, progress and, once done, its result. */
    replay: (replayId: string): ItemKey => ({ PK: `WHATIF${sep}${replayId}`, SK: 'REPLAY' }),
    /** GSI1 entry listing every replay by creation time (replay ids are ULID-based, so they sort the same). */
    listEntry: (createdAt: string, replayId: string) => ({ GSI1PK: keys.whatIf.listPartition(), GSI1SK: `${createdAt}${sep}${replayId}` }),
    listPartition: (): string => 'WHATIF-REPLAYS',
    /** What the draft campaign paid one member so far in a replay (its per-member cap), beside the replay. */
    memberAward: (replayId: string, memberId: string): ItemKey => ({ PK: `WHATIF${sep}${replayId}`, SK: `MEMBER${sep}${memberId}` }),
  },
  stockFeed: {
    /** A stock feed: the fingerprint of its lines, who sent it, its state and progress. */
    feed: (feedId: string): ItemKey => ({ PK: `STOCKFEED${sep}${feedId}`, SK: 'FEED' }),
    partition: (feedId: string): string => `STOCKFEED${sep}${feedId}`,
    /** One chunk of a feed's lines as sent, with the problem each refused line met when the feed was taken. */
    chunk: (feedId: string, chunk: number): ItemKey => ({ PK: `STOCKFEED${sep}${feedId}`, SK: `CHUNK${sep}${String(chunk).padStart(5, '0')}` }),
    /** The result of one line (0-based), written with its stock change; lines sort in feed order. */
    result: (feedId: string, line: number): ItemKey => ({ PK: `STOCKFEED${sep}${feedId}`, SK: keys.stockFeed.resultSort(line) }),
    resultSort: (line: number): string => `LINE${sep}${String(line).padStart(5, '0')}`,
    resultPrefix: (): string => `LINE${sep}`,
  },
  purchaseBatch: {
    /** An offline batch of one store's POS purchases and refunds: its fingerprint, state and hand-overs (the batchId is the store's own). */
    batch: (storeId: string, batchId: string): ItemKey => ({ PK: keys.purchaseBatch.partition(storeId, batchId), SK: 'BATCH' }),
    partition: (storeId: string, batchId: string): string => `POSBATCH${sep}${storeId}${sep}${batchId}`,
    /** One chunk of the batch's items as sent (purchases, then refunds). */
    chunk: (storeId: string, batchId: string, chunk: number): ItemKey => ({ PK: keys.purchaseBatch.partition(storeId, batchId), SK: `CHUNK${sep}${String(chunk).padStart(5, '0')}` }),
    chunkPrefix: (): string => `CHUNK${sep}`,
    /** The result of one item (its place in the batch: purchases first, then refunds), written with its change. */
    result: (storeId: string, batchId: string, item: number): ItemKey => ({ PK: keys.purchaseBatch.partition(storeId, batchId), SK: `ITEM${sep}${String(item).padStart(5, '0')}` }),
    resultPrefix: (): string => `ITEM${sep}`,
    /** The batch's results counted by status, added to with each result: a read of the batch costs one item, not its results. */
    counts: (storeId: string, batchId: string): ItemKey => ({ PK: keys.purchaseBatch.partition(storeId, batchId), SK: 'COUNTS' }),
  },
  inRequest: {
    /**
     * GSI2: work its own request applies (a small stock feed or offline batch), listed by the time that request must
     * be done, on the work's head item while the request works on it (sparse: removed when it finishes or hands
     * over). What is still listed after its time was left by a request that crashed (the stalled-work job).
     */
    entry: (requestUntil: string, key: ItemKey) => ({ GSI2PK: keys.inRequest.partition(), GSI2SK: `${requestUntil}${sep}${key.PK}` }),
    partition: (): string => 'IN-REQUEST',
  },
  audit: {
    /** Every operator change, one partition in time order (operators write a few a second at most). */
    record: (auditId: string): ItemKey => ({ PK: 'AUDIT', SK: auditId }),
    partition: (): string => 'AUDIT',
    /** GSI1: the trail of one object (`campaign:c-1`, `member:m-1`, ...). */
    byTarget: (target: string, auditId: string) => ({ GSI1PK: `AUDIT${sep}TARGET${sep}${target}`, GSI1SK: auditId }),
    targetPartition: (target: string): string => `AUDIT${sep}TARGET${sep}${target}`,
    /** GSI2: what one operator did. */
    byOperator: (operatorId: string, auditId: string) => ({ GSI2PK: `AUDIT${sep}OPERATOR${sep}${operatorId}`, GSI2SK: auditId }),
    operatorPartition: (operatorId: string): string => `AUDIT${sep}OPERATOR${sep}${operatorId}`,
  },
  /** Read by GET /v1/health/ready and never written: a GetItem of it proves the table answers, at the cheapest cost. */
  readinessProbe: (): ItemKey => ({ PK: `HEALTH${sep}READY`, SK: 'PROBE' }),
} as const;

/** Extracts the member id from a `MEMBER#id` partition key. */
export function memberIdFromPk(pk: string): string {
  if (!pk.startsWith(`MEMBER${sep}`)) throw new Error(`not a member key: ${pk}`);
  return pk.slice(`MEMBER${sep}`.length);
}
