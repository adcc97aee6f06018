/**
 * One-off backfill of the operators' mall lists (docs/operations.md, Mall
 * list backfill): gives products and coupon templates created before the
 * lists existed their entry, so the console's Products and Coupons screens
 * list them. A Scan of the whole table; run it once after deploying the
 * change, against the deployed table:
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run backfill:mall-indexes -- [--segments 8]
 *
 * A repeat writes nothing new. `npm start` runs it by itself, once per local data directory.
 */
import { parseArgs } from 'node:util';
import { backfillMallIndexes, markMallBackfillDone } from '../shared/mall/backfill.js';

const { values } = parseArgs({ options: { segments: { type: 'string', default: '4' } } });
const segments = Number(values.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 64) {
  console.error('usage: npm run backfill:mall-indexes -- [--segments 1-64]');
  process.exit(2);
}
const stats = await backfillMallIndexes({ segments });
await markMallBackfillDone();
console.log(JSON.stringify(stats));
