import * as z from '../zod.js';
import { doc } from './doc.js';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

export const activityName = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'an activity name such as "sign-in", "share" or "games" (lower-case letters, digits, hyphens)'));

export const poolInputSchema = doc(z.strictObject({
  name: z.string().check(z.trim(), z.minLength(3, 'give the pool a name of at least 3 characters'), z.maxLength(120)),
  budgetPoints: doc(z.number().check(z.int('budgetPoints must be a whole number'), z.positive('budgetPoints must be positive'), z.lte(10_000_000_000)), { description: 'Points the pool may issue in all; split across the activities by weight.' }),
  activities: z.array(
    z.strictObject({
      activity: activityName,
      weight: doc(z.number().check(z.int('weight must be a whole number (e.g. 50, 30, 20 for 50% / 30% / 20%)'), z.positive('weight must be positive'), z.lte(1_000_000)), { description: "Relative weight; the activity's share is budget x weight / sum of weights." }),
      dailyCapPerMember: doc(z._default(z.nullable(z.number().check(z.int(), z.positive('dailyCapPerMember must be positive (or null for no cap)'))), null), { description: 'Points one member may get from this activity per day (Asia/Shanghai); null = no cap.' }),
    }),
  ).check(z.minLength(1, 'a pool has at least one activity'), z.maxLength(20, 'a pool has at most 20 activities'), z.refine((list) => new Set(list.map((a) => a.activity)).size === list.length, 'each activity may appear only once')),
  counterShards: doc(z.optional(z.number().check(z.int('counterShards must be a whole number'), z.gte(1, 'counterShards must be at least 1'), z.lte(32, 'counterShards must be at most 32'))), {
    description:
      "Items the pool's counters are spread over, each holding its slice of the budget and of every share, so simultaneous awards " +
      'do not queue on one item. Fixed at creation. Default 8, fewer for a small budget (one per 10,000 points, at least 1). ' +
      'Near exhaustion, points left split over several shards may refuse an award that the total could cover.',
  }),
}), 'PoolInput');

export const poolSchema = doc(z.object({
  poolId: z.string(),
  name: z.string(),
  budgetPoints: z.number().check(z.int()),
  issued: z.number().check(z.int()),
  left: z.number().check(z.int()),
  awards: doc(z.number().check(z.int()), { description: 'Number of awards paid from the pool.' }),
  activities: z.array(
    z.object({
      activity: z.string(),
      weight: z.number().check(z.int()),
      sharePoints: doc(z.number().check(z.int()), { description: "The activity's share of the budget (largest remainder; shares sum to the budget)." }),
      dailyCapPerMember: z.nullable(z.number().check(z.int())),
      issued: z.number().check(z.int()),
      left: z.number().check(z.int()),
    }),
  ),
  counterShards: doc(z.number().check(z.int()), { description: 'Items the counters are spread over; the figures above are their sums.' }),
  createdAt: z.string(),
  createdBy: z.string(),
}), 'Pool');

export const poolOperations = {
  createPool: operation({
    summary: 'Create a points pool for activity points, its budget split across activities by weight (operator)',
    description:
      'Activity rewards (sign-in, sharing, tasks, games) draw from a pool: an award is paid only if the activity\'s share can cover it ' +
      'whole (no partial awards), so the pool never issues more than its budget. Pools cannot be changed once created.',
    tags: ['pools'],
    body: poolInputSchema,
    response: poolSchema,
    status: 201,
  }),
  listPools: operation({
    summary: 'Points pools, newest first, with what each has issued (operator)',
    tags: ['pools'],
    query: pageQuerySchema,
    response: doc(pageOf(poolSchema), 'PoolPage'),
  }),
  getPool: operation({
    summary: 'One points pool: issued and left, in all and per activity (operator)',
    tags: ['pools'],
    params: z.object({ poolId: idSchema }),
    response: poolSchema,
    errors: ['NOT_FOUND'],
  }),
};
