import * as z from '../zod.js';
import { doc } from './doc.js';
import { ledgerEntryTypes } from '../domain/ledger-moves.js';

/** Ids clients send in paths and bodies: opaque, URL-safe, bounded. */
export const idSchema = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits, dot, underscore, colon or hyphen'));

export const currencySchema = doc(z._default(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'a currency code such as "points"')), 'points'), { description: 'Points currency (wallet); defaults to `points`.' });

/** A programme-local calendar date `YYYY-MM-DD` in a query (`what` names the parameter in messages). */
export const localDaySchema = (what: string) =>
  z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, `${what} must be a date YYYY-MM-DD`), z.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), `${what} is not a calendar date`));

/**
 * The most an `expectedVersion` can be: far above any object's real version (one a change), and low enough that the
 * next version is still an exact number (a client sending 2^53 - 1 must get a 400, not a write that cannot be stored).
 */
export const MAX_VERSION = 2_147_483_647;
export const MAX_VERSION_MESSAGE = `expectedVersion is the version you read (at most ${MAX_VERSION})`;

export const pageQuerySchema = z.object({
  limit: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20), { description: 'Page size, 1-100 (default 20).' }),
  // No length limit here: any string that is not a cursor this API sealed (a very long one included) is 400 INVALID_CURSOR.
  cursor: doc(z.optional(z.string()), {
    description:
      '`nextCursor` of the previous page, unchanged. Opaque and sealed: bound to the caller, the list and its filters, valid 24 hours; anything else is 400 `INVALID_CURSOR`.',
  }),
});

export function pageOf<T extends z.ZodMiniType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
}

export const problemSchema = doc(z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int()),
  detail: z.string(),
  code: z.string(),
  instance: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
}), 'Problem');

export const ledgerLineSchema = doc(z.object({
  id: z.string(),
  type: z.enum(ledgerEntryTypes),
  currency: z.string(),
  points: doc(z.number().check(z.int()), { description: 'Change of available points (signed).' }),
  heldDelta: doc(z.number().check(z.int()), { description: 'Change of held points (signed).' }),
  // Default: adjustment answers stored before pending points existed are replayed without it.
  pendingDelta: doc(z._default(z.number().check(z.int()), 0), {
    description: 'Change of pending points (signed): PEND locks points of a purchase, VEST makes them available, VOID cancels them (refund inside the return window).',
  }),
  balanceAfter: doc(z.number().check(z.int()), { description: 'Available points right after this entry.' }),
  reason: z.string(),
  ref: z.optional(z.string()),
  bucket: doc(z.optional(z.string()), { description: 'Expiry bucket (YYYY-MM) credited (also by VEST) or expired.' }),
  at: doc(z.string(), { format: 'date-time' }),
}), 'LedgerLine');

/** Path parameters of the routes under a member (`/v1/admin/members/{memberId}/...`): here, not in members.ts, so contracts of other areas need not load the members' contracts. */
export const memberIdParams = z.object({ memberId: idSchema });

/** A member's payment code as the till scans it (shared by the members' and the POS contracts). */
export const paymentCodeSchema = doc(z.string().check(z.regex(/^\d{18}$/, "paymentCode is the 18 digits the member's app shows (as a barcode or QR code)")), { description: "The member's single-use payment code (POST /v1/me/payment-codes), scanned at the till.", example: '284619035571920384' });
