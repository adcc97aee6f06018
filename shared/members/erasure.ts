/**
 * Erasure of a member's personal data (the right to be forgotten), by the
 * member (`DELETE /v1/me`) or an operator (`DELETE /v1/admin/members/{id}`).
 *
 * What goes: the birthday (and its birthdays-index entry), the tags
 * (segments and preferences), the referral code given at registration, and
 * the member's own referral code (deleted, so nobody can register with it).
 * What stays: the pseudonymous member id (the token subject), the wallets, the
 * ledger, orders, purchases and game records, and the member's search entry
 * (id, tier, registration time; its status becomes ERASED): they carry no personal field,
 * balances must stay explained by the ledger, and the points reports must not
 * change. One transaction: the profile update, the code's deletion and the
 * erasure record (who asked, when) happen together or not at all.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { auditItems, nothingChanged } from '../audit/audit.js';
import { claimRefused } from '../audit/operator-idempotency.js';
import { searchEntryWrite } from './search.js';
import { getMember, type Tier } from './service.js';

/** Who asked for the erasure: the member themself, or an operator (by token subject). */
export type ErasureRequester = { readonly kind: 'member' } | { readonly kind: 'operator'; readonly operatorId: string };

export interface ErasureReceipt {
  readonly memberId: string;
  readonly status: 'ERASED';
  readonly erasedAt: string;
  readonly erasedBy: string;
  /** The personal fields removed. */
  readonly erased: readonly string[];
}

const ERASED_FIELDS = ['birthday', 'tags', 'referredBy', 'referralCode'] as const;

function requesterLabel(requester: ErasureRequester): string {
  return requester.kind === 'member' ? 'member' : `operator:${requester.operatorId}`;
}

function receiptOf(memberId: string, item: Record<string, unknown>): ErasureReceipt {
  return { memberId, status: 'ERASED', erasedAt: String(item.erasedAt), erasedBy: String(item.erasedBy), erased: [...ERASED_FIELDS] };
}

/**
 * Erases a member's personal data once; a repeat answers the first erasure's
 * receipt and changes nothing. Unknown member: 404.
 */
export async function eraseMember(memberId: string, requester: ErasureRequester, now = new Date()): Promise<ErasureReceipt> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const stored = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }));
    if (!stored.Item) await getMember(memberId); // throws the usual 404
    const item = stored.Item as Record<string, unknown>;
    if (item.status === 'ERASED') {
      // Erased before: this request changes (and records) nothing.
      nothingChanged();
      return receiptOf(memberId, item);
    }
    const referralCode = String(item.referralCode);
    const erasedAt = now.toISOString();
    const erasedBy = requesterLabel(requester);
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: keys.member.profile(memberId),
                // GSI1 on a profile is only the birthdays-index entry; the tier-review entry (GSI2) is not personal.
                UpdateExpression:
                  'SET #status = :erased, erasedAt = :at, erasedBy = :by, tags = :none, referralCode = :gone ' +
                  'REMOVE birthday, referredBy, GSI1PK, GSI1SK',
                // Conditional on the profile read: a concurrent change (or erasure) makes us read again.
                ConditionExpression: 'attribute_exists(PK) AND #status <> :erased AND referralCode = :code',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':erased': 'ERASED', ':at': erasedAt, ':by': erasedBy, ':none': [], ':gone': 'ERASED', ':code': referralCode },
              },
            },
            { Delete: { TableName: tableName(), Key: keys.referralCode(referralCode) } },
            {
              Put: {
                TableName: tableName(),
                Item: { ...keys.member.erasure(memberId), entity: 'Erasure', memberId, erasedAt, erasedBy, fields: [...ERASED_FIELDS] },
              },
            },
            // The operators' search shows the member as ERASED from now on (the entry holds no personal field).
            searchEntryWrite(
              { memberId, tier: (item.tier as Tier | undefined) ?? 'normal', status: 'ERASED', registeredAt: String(item.registeredAt) },
              { status: true },
            ).item,
            // Personal data stays out of the audit record: it names the fields erased, not their values.
            ...auditItems({ target: `member:${memberId}`, summary: `erased personal data (${ERASED_FIELDS.join(', ')})` }, now),
          ],
        }),
      );
      return { memberId, status: 'ERASED', erasedAt, erasedBy, erased: [...ERASED_FIELDS] };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      // The same request with the same Idempotency-Key, at the same moment: the handler answers the first one's answer.
      if (claimRefused(error)) throw error;
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (!codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) throw error;
    }
  }
  throw new DomainError('CONFLICT', `member ${memberId} changed concurrently while being erased; retry the request`);
}
