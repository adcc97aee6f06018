/**
 * The one-off backfill of the operators' lists (docs/operations.md, Operator
 * list backfill): items written before a list existed get its index keys:
 * products (GSI2 `PRODUCTS`, `GET /v1/admin/products` without a zone), coupon
 * templates (GSI1 `COUPON-TEMPLATES`, `GET /v1/admin/coupons`), orders (GSI3
 * `ORDERS#<month>#<shard>`, `GET /v1/admin/orders` without a member) and draws
 * (GSI2 `DRAWS-ALL`, `GET /v1/admin/draws`).
 *
 * Each item gets its keys only where it has none (a condition), computed from
 * its own `createdAt` and id, so a repeat or a concurrent operator edit (which
 * writes the same keys) changes nothing. It is a Scan of the whole table (in
 * parallel segments), run once after deploying; no request path scans.
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

export interface AdminListsBackfillStats {
  itemsScanned: number;
  productsIndexed: number;
  templatesIndexed: number;
  ordersIndexed: number;
  drawsIndexed: number;
  [key: string]: number;
}

async function setKeys(key: { PK: string; SK: string }, names: { pk: string; sk: string }, values: { pk: string; sk: string }): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #pk = :pk, #sk = :sk',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': names.pk, '#sk': names.sk },
        ExpressionAttributeValues: { ':pk': values.pk, ':sk': values.sk },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return false;
  }
}

async function backfillItem(item: Record<string, unknown>, stats: AdminListsBackfillStats): Promise<void> {
  const key = { PK: String(item.PK), SK: String(item.SK) };
  const createdAt = String(item.createdAt);
  if (item.entity === 'Product') {
    const entry = keys.product.listEntry(createdAt, String(item.productId));
    if (await setKeys(key, { pk: 'GSI2PK', sk: 'GSI2SK' }, { pk: entry.GSI2PK, sk: entry.GSI2SK })) stats.productsIndexed += 1;
  } else if (item.entity === 'CouponTemplate') {
    const entry = keys.couponTemplate.listEntry(createdAt, String(item.couponTemplateId));
    if (await setKeys(key, { pk: 'GSI1PK', sk: 'GSI1SK' }, { pk: entry.GSI1PK, sk: entry.GSI1SK })) stats.templatesIndexed += 1;
  } else if (item.entity === 'Order') {
    const entry = keys.order.listEntry(String(item.orderId), createdAt);
    if (await setKeys(key, { pk: 'GSI3PK', sk: 'GSI3SK' }, { pk: entry.GSI3PK, sk: entry.GSI3SK })) stats.ordersIndexed += 1;
  } else if (item.entity === 'Draw') {
    const entry = keys.draw.adminEntry(String(item.drawId), createdAt);
    if (await setKeys(key, { pk: 'GSI2PK', sk: 'GSI2SK' }, { pk: entry.GSI2PK, sk: entry.GSI2SK })) stats.drawsIndexed += 1;
  }
}

/** Runs the backfill in `segments` parallel Scan segments; `onPage` sees the running totals. */
export async function backfillAdminLists(options: { segments?: number; onPage?: (stats: AdminListsBackfillStats) => void } = {}): Promise<AdminListsBackfillStats> {
  const segments = options.segments ?? 4;
  const stats: AdminListsBackfillStats = { itemsScanned: 0, productsIndexed: 0, templatesIndexed: 0, ordersIndexed: 0, drawsIndexed: 0 };
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db().send(
          new ScanCommand({
            TableName: tableName(),
            Segment: segment,
            TotalSegments: segments,
            FilterExpression:
              '(#entity = :product AND attribute_not_exists(GSI2PK)) OR (#entity = :template AND attribute_not_exists(GSI1PK))' +
              ' OR (#entity = :order AND attribute_not_exists(GSI3PK)) OR (#entity = :draw AND attribute_not_exists(GSI2PK))',
            ProjectionExpression: 'PK, SK, #entity, productId, couponTemplateId, orderId, drawId, createdAt',
            ExpressionAttributeNames: { '#entity': 'entity' },
            ExpressionAttributeValues: { ':product': 'Product', ':template': 'CouponTemplate', ':order': 'Order', ':draw': 'Draw' },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        stats.itemsScanned += page.ScannedCount ?? 0;
        for (const item of page.Items ?? []) await backfillItem(item, stats);
        options.onPage?.(stats);
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
  return stats;
}

/** The record of a finished backfill (`JOB#admin-lists-backfill` / `STATE`): the local runtime runs it once per table. */
const BACKFILL_JOB = 'admin-lists-backfill';

export async function markAdminListsBackfillDone(now = new Date()): Promise<void> {
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.jobState(BACKFILL_JOB), entity: 'JobState', completedAt: now.toISOString() } }));
}

/** Runs the backfill unless it finished on this table before (the local runtime, at every start). */
export async function backfillAdminListsOnce(): Promise<AdminListsBackfillStats | undefined> {
  const done = await db().send(new GetCommand({ TableName: tableName(), Key: keys.jobState(BACKFILL_JOB), ConsistentRead: true }));
  if (done.Item) return undefined;
  const stats = await backfillAdminLists();
  await markAdminListsBackfillDone();
  return stats;
}
