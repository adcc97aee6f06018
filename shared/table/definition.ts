/**
 * The ONE definition of the single table. The CDK stack (lib/) and the local
 * runtime (bin/local.ts, test setup) both build the table from this object, so
 * keys, indexes, TTL and stream can never differ between AWS and a laptop.
 */
export interface IndexDefinition {
  /** Index name as DynamoDB knows it. */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** What the index serves; copied into docs/data-model.md. */
  readonly purpose: string;
  /**
   * Attributes copied into the index (default `ALL`). `KEYS_ONLY` for an index
   * on a hot item: the index is then written only when its keys change, not on
   * every update of the item.
   */
  readonly projection?: 'ALL' | 'KEYS_ONLY';
}

export const tableDefinition = {
  /** Default physical name used locally; on AWS CloudFormation names the table. */
  localName: 'points-mall',
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB deletes expired idempotency records, nonces, locks. */
  ttlAttribute: 'ttl',
  stream: 'NEW_AND_OLD_IMAGES',
  indexes: [
    {
      name: 'GSI1',
      partitionKey: 'GSI1PK',
      sortKey: 'GSI1SK',
      purpose: 'Generic collections: lists owned by a member or a parent entity (docs/data-model.md lists each one).',
    },
    {
      name: 'GSI2',
      partitionKey: 'GSI2PK',
      sortKey: 'GSI2SK',
      purpose: 'Generic secondary collections: entities by status or time, mostly sparse due lists (docs/data-model.md lists each one).',
    },
    {
      name: 'GSI3',
      partitionKey: 'GSI3PK',
      sortKey: 'GSI3SK',
      purpose: 'Generic third collections, for items whose GSI1 and GSI2 are taken: the operators\' list of every order by month (docs/data-model.md lists each one).',
    },
    {
      name: 'ExpiryDue',
      partitionKey: 'EXPPK',
      sortKey: 'EXPSK',
      purpose: 'Sparse: one entry per (wallet, expiry bucket) that still may hold points; the expiry job queries a due bucket.',
    },
    {
      name: 'LastActivity',
      partitionKey: 'ACTPK',
      sortKey: 'ACTSK',
      purpose:
        'Sparse, keys only: wallets of the programme currency by month of last activity (the keys live on the wallet and change at most once a month); the inactivity expiry job queries the months that are due.',
      projection: 'KEYS_ONLY',
    },
  ] satisfies readonly IndexDefinition[],
} as const;

export type TableDefinition = typeof tableDefinition;

/** Every key attribute the table or an index uses (all strings). */
export const keyAttributes: readonly string[] = [
  tableDefinition.partitionKey,
  tableDefinition.sortKey,
  ...tableDefinition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
];
