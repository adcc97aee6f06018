/**
 * One-off backfill of the operators' lists (docs/operations.md, Operator
 * list backfill): gives products, coupon templates, orders and draws created
 * before their list existed its entry, so the console's Products, Coupons,
 * Orders and Lucky draws screens list them. A Scan of the whole table; run it once after deploying the
 * change, against the deployed table:
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run backfill:admin-lists -- [--segments 8]
 *
 * A repeat writes nothing new. `npm start` runs it by itself, once per local data directory.
 */
import { parseArgs } from 'node:util';
import { backfillAdminLists, markAdminListsBackfillDone } from '../shared/mall/admin-lists-backfill.js';

const { values } = parseArgs({ options: { segments: { type: 'string', default: '4' } } });
const segments = Number(values.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 64) {
  console.error('usage: npm run backfill:admin-lists -- [--segments 1-64]');
  process.exit(2);
}
const stats = await backfillAdminLists({ segments });
await markAdminListsBackfillDone();
console.log(JSON.stringify(stats));
