/**
 * Checkout payment codes (docs/api.md, Payment codes): the proof that the
 * member is at the till. The app asks for a code and shows it as a barcode
 * or QR code; the POS scans it and sends it with the redemption, whose
 * transaction consumes it (exists, this member's, unused, not expired). The
 * table keeps only the SHA-256 of a code: its key. A code is 18 random
 * digits (about 60 bits), valid a minute, so guessing one is hopeless.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../errors.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { getMember } from './service.js';

/** Codes one member may hold live at once: issuing a sixth within a minute is refused (429 PAYMENT_CODE_LIMIT). */
export const PAYMENT_CODE_SLOTS = 5;
/** Default validity; PAYMENT_CODE_TTL_SECONDS (15-600) changes it. */
export const DEFAULT_PAYMENT_CODE_SECONDS = 60;
/** Used and expired codes stay a day (for support questions), then the table's TTL removes them. */
const KEEP_AFTER_EXPIRY_SECONDS = 24 * 3600;

const CODE_SPACE = 10n ** 18n;
// The largest multiple of 10^18 below 2^64: values at or above it are redrawn, so every code is equally likely.
const UNBIASED_LIMIT = ((1n << 64n) / CODE_SPACE) * CODE_SPACE;

/** The validity of new codes, in seconds, from the environment (read once). */
let validity: number | undefined;
export function paymentCodeValiditySeconds(): number {
  if (validity === undefined) {
    const configured = Number(process.env.PAYMENT_CODE_TTL_SECONDS ?? DEFAULT_PAYMENT_CODE_SECONDS);
    if (!Number.isInteger(configured) || configured < 15 || configured > 600) {
      throw new Error(`PAYMENT_CODE_TTL_SECONDS must be a whole number of seconds from 15 to 600, got ${process.env.PAYMENT_CODE_TTL_SECONDS}`);
    }
    validity = configured;
  }
  return validity;
}

/** 18 uniformly random decimal digits from the system's CSPRNG. */
export function newPaymentCode(): string {
  for (;;) {
    const n = randomBytes(8).readBigUInt64BE();
    if (n < UNBIASED_LIMIT) return (n % CODE_SPACE).toString().padStart(18, '0');
  }
}

export function paymentCodeHash(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** Re-reads of the slots when concurrent requests took the free ones first. */
const ISSUE_ROUNDS = 5;

const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/** Expiries of the member's slots (an absent slot is free). */
async function slotExpiries(memberId: string): Promise<Map<number, string>> {
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.member.profile(memberId).PK, ':prefix': keys.member.paymentCodeSlotPrefix() },
      ConsistentRead: true,
    }),
  );
  return new Map((result.Items ?? []).map((item) => [Number(item.slot), String(item.expiresAt)]));
}

/**
 * Issues a payment code to a registered, unblocked member: one transaction
 * takes a free slot (condition: its last code has expired, so concurrent
 * requests never share one) and puts the code's item. With every slot
 * holding a live code: 429 PAYMENT_CODE_LIMIT, with the seconds until one frees.
 */
export async function issuePaymentCode(memberId: string, now = new Date(), validitySeconds = paymentCodeValiditySeconds()): Promise<{ code: string; expiresAt: string }> {
  const member = await getMember(memberId);
  // An erased member (personal data removed) keeps a usable account; only a blocked one gets no codes.
  if (member.status === 'BLOCKED') throw new DomainError('FORBIDDEN', `member ${memberId} is blocked; no payment codes are issued`);
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + validitySeconds * 1000).toISOString();
  const ttl = epochSeconds(new Date(expiresAt)) + KEEP_AFTER_EXPIRY_SECONDS;

  for (let round = 0; round < ISSUE_ROUNDS; round += 1) {
    // Lost every free slot seen to concurrent requests (DynamoDB may cancel both of two colliding transactions): re-read after a pause.
    if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** round));
    const expiries = await slotExpiries(memberId);
    const free = Array.from({ length: PAYMENT_CODE_SLOTS }, (_, slot) => slot).filter((slot) => (expiries.get(slot) ?? '') <= at);
    if (free.length === 0) {
      const soonest = Math.min(...[...expiries.values()].map((e) => Date.parse(e)));
      const retryAfterSeconds = Math.max(1, Math.ceil((soonest - now.getTime()) / 1000));
      throw new DomainError('PAYMENT_CODE_LIMIT', `member ${memberId} already holds ${PAYMENT_CODE_SLOTS} live payment codes; use one, or ask again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    // Start at a random free slot, so two phones of one member asking at once rarely pick the same one.
    const start = Math.floor(Math.random() * free.length);
    for (const slot of [...free.slice(start), ...free.slice(0, start)]) {
      const code = newPaymentCode();
      const codeHash = paymentCodeHash(code);
      try {
        await db().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName(),
                  Item: { ...keys.member.paymentCodeSlot(memberId, slot), entity: 'PaymentCodeSlot', memberId, slot, codeHash, expiresAt, ttl },
                  ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
                  ExpressionAttributeValues: { ':now': at },
                },
              },
              {
                Put: {
                  TableName: tableName(),
                  Item: { ...keys.paymentCode(codeHash), entity: 'PaymentCode', codeHash, memberId, status: 'ACTIVE', issuedAt: at, expiresAt, ttl },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        );
        return { code, expiresAt };
      } catch (error) {
        // Another request took the slot (or, once in 10^18, the code exists): try the next free slot.
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
  }
  throw new DomainError('CONFLICT', `payment codes of member ${memberId} are being issued concurrently; ask again`);
}

/**
 * The write that consumes a payment code in the redemption's own transaction:
 * on condition that it exists, belongs to `memberId`, is unused and has not
 * expired at `now`. So two redemptions with one code spend once, and a
 * refused code spends nothing. An unknown code and another member's code
 * answer alike (403), so a code reveals nothing about whose it is.
 */
export function paymentCodeConsumption(input: { code: string; memberId: string; redemptionId: string; storeId: string }, now: Date): ExtraWrite {
  const at = now.toISOString();
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.paymentCode(paymentCodeHash(input.code)),
        UpdateExpression: 'SET #status = :used, usedAt = :now, redemptionId = :rid, storeId = :store',
        ConditionExpression: 'attribute_exists(PK) AND memberId = :member AND #status = :active AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':used': 'USED', ':active': 'ACTIVE', ':now': at, ':rid': input.redemptionId, ':store': input.storeId, ':member': input.memberId },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => {
      if (!current || current.memberId !== input.memberId) {
        return new DomainError('PAYMENT_CODE_INVALID', `the payment code is not one of member ${input.memberId}; scan the code the member's app shows now`);
      }
      if (current.status === 'USED') return new DomainError('PAYMENT_CODE_USED', 'the payment code has already been used; the member shows a new one');
      return new DomainError('PAYMENT_CODE_EXPIRED', `the payment code expired at ${String(current.expiresAt)}; the member shows a new one`, {
        expiredAt: current.expiresAt,
      });
    },
  };
}
