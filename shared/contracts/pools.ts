import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

export const activityName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, 'an activity name such as "sign-in", "share" or "games" (lower-case letters, digits, hyphens)');

export const poolInputSchema = z
  .object({
    name: z.string().trim().min(3, 'give the pool a name of at least 3 characters').max(120),
    budgetPoints: z
      .number()
      .int('budgetPoints must be a whole number')
      .positive('budgetPoints must be positive')
      .max(10_000_000_000)
      .openapi({ description: 'Points the pool may issue in all; split across the activities by weight.' }),
    activities: z
      .array(
        z
          .object({
            activity: activityName,
            weight: z
              .number()
              .int('weight must be a whole number (e.g. 50, 30, 20 for 50% / 30% / 20%)')
              .positive('weight must be positive')
              .max(1_000_000)
              .openapi({ description: "Relative weight; the activity's share is budget x weight / sum of weights." }),
            dailyCapPerMember: z
              .number()
              .int()
              .positive('dailyCapPerMember must be positive (or null for no cap)')
              .nullable()
              .default(null)
              .openapi({ description: 'Points one member may get from this activity per day (Asia/Shanghai); null = no cap.' }),
          })
          .strict(),
      )
      .min(1, 'a pool has at least one activity')
      .max(20, 'a pool has at most 20 activities')
      .refine((list) => new Set(list.map((a) => a.activity)).size === list.length, 'each activity may appear only once'),
    counterShards: z
      .number()
      .int('counterShards must be a whole number')
      .min(1, 'counterShards must be at least 1')
      .max(32, 'counterShards must be at most 32')
      .optional()
      .openapi({
        description:
          "Items the pool's counters are spread over, each holding its slice of the budget and of every share, so simultaneous awards " +
          'do not queue on one item. Fixed at creation. Default 8, fewer for a small budget (one per 10,000 points, at least 1). ' +
          'Near exhaustion, points left split over several shards may refuse an award that the total could cover.',
      }),
  })
  .strict()
  .openapi('PoolInput');

export const poolSchema = z
  .object({
    poolId: z.string(),
    name: z.string(),
    budgetPoints: z.number().int(),
    issued: z.number().int(),
    left: z.number().int(),
    awards: z.number().int().openapi({ description: 'Number of awards paid from the pool.' }),
    activities: z.array(
      z.object({
        activity: z.string(),
        weight: z.number().int(),
        sharePoints: z.number().int().openapi({ description: "The activity's share of the budget (largest remainder; shares sum to the budget)." }),
        dailyCapPerMember: z.number().int().nullable(),
        issued: z.number().int(),
        left: z.number().int(),
      }),
    ),
    counterShards: z.number().int().openapi({ description: 'Items the counters are spread over; the figures above are their sums.' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Pool');

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
    response: pageOf(poolSchema).openapi('PoolPage'),
  }),
  getPool: operation({
    summary: 'One points pool: issued and left, in all and per activity (operator)',
    tags: ['pools'],
    params: z.object({ poolId: idSchema }),
    response: poolSchema,
    errors: ['NOT_FOUND'],
  }),
};
