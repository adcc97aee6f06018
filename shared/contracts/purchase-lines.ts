/** A purchase's lines and the breakdown of what it earned: shared by the POS contracts and the operators' previews. */
import * as z from '../zod.js';
import { doc } from './doc.js';
import { idSchema } from './common.js';

/** Largest amount of one purchase line, in cents (10,000,000 CNY): 500 lines of it still add up exactly in a double. */
export const MAX_LINE_AMOUNT_CENTS = 1_000_000_000;

export const purchaseLineSchema = z.strictObject({
  sku: idSchema,
  category: z.string().check(z.minLength(1), z.maxLength(40)),
  amountCents: doc(z.number().check(z.int(), z.gte(0), z.lte(MAX_LINE_AMOUNT_CENTS)), { description: 'Paid for the line (all units), in cents; at most 10,000,000 CNY.' }),
  quantity: z.number().check(z.int(), z.gte(1), z.lte(10_000)),
});

export const breakdownSchema = z.array(z.object({ rule: z.string(), description: z.string(), points: z.number().check(z.int()) }));

