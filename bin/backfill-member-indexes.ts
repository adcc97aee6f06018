/**
 * One-off backfill of the operators' member indexes (docs/operations.md,
 * Member search backfill): gives members registered before the member search
 * existed their search entry, and spins and task completions made before then
 * their entry in the member's lists. A Scan of the whole table; run it once
 * after deploying the change, against the deployed table:
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run backfill:member-indexes -- [--segments 8]
 *
 * A repeat writes nothing new. `npm start` runs it by itself, once per local data directory.
 */
import { parseArgs } from 'node:util';
import { backfillMemberIndexes, markBackfillDone } from '../shared/members/backfill.js';

const { values } = parseArgs({ options: { segments: { type: 'string', default: '4' } } });
const segments = Number(values.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 64) {
  console.error('usage: npm run backfill:member-indexes -- [--segments 1-64]');
  process.exit(2);
}
let pages = 0;
const stats = await backfillMemberIndexes({
  segments,
  onPage: (running) => {
    pages += 1;
    if (pages % 50 === 0) console.error(JSON.stringify(running));
  },
});
await markBackfillDone();
console.log(JSON.stringify(stats));
