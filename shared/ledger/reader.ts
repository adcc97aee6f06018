import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError, NotFoundError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { openCursor, sealCursor, type PageRequest } from '../table/cursor.js';
import { keys } from '../table/keys.js';
import { keyOf } from '../table/paging.js';
import type { LedgerEntry } from './ledger.js';
import { walletFromItem, type WalletItem } from './wallet-item.js';

/** Reads one wallet with a strongly consistent read, or undefined. */
export async function findWallet(memberId: string, currency: string): Promise<WalletItem | undefined> {
  const result = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.member.wallet(memberId, currency), ConsistentRead: true }),
  );
  return result.Item ? walletFromItem(result.Item) : undefined;
}

export async function getWallet(memberId: string, currency: string): Promise<WalletItem> {
  const wallet = await findWallet(memberId, currency);
  if (!wallet) throw new NotFoundError(`no ${currency} wallet for this member; register first (POST /v1/me/register)`);
  return wallet;
}

export interface LedgerLine extends LedgerEntry {
  /** Available points right after this entry. */
  readonly balanceAfter: number;
}

/**
 * One page of a wallet's ledger, newest first, with `balanceAfter` on each
 * line. Entry ids sort in commit order (see ledger.commit), so walking back
 * from the wallet's balance at its `lastEntryId` gives every line's balance
 * exactly, even while new entries are being written. The running balance for
 * the next page travels in the sealed cursor (server-written and
 * authenticated, shared/table/cursor.ts), never as a number the client sends.
 */
export async function listLedger(
  memberId: string,
  currency: string,
  page: PageRequest,
): Promise<{ items: LedgerLine[]; nextCursor: string | null }> {
  const wallet = await getWallet(memberId, currency);
  const prefix = keys.member.ledgerPrefix(currency);
  const pk = keys.member.profile(memberId).PK;
  const from = page.cursor === undefined ? undefined : await openCursor(page.scope, page.cursor);
  const balanceFrom = from?.state?.balance;
  // The scope already ties the cursor to this member and currency; this only guards the key against a server bug.
  if (from && (from.key.PK !== pk || typeof from.key.SK !== 'string' || !from.key.SK.startsWith(prefix) || balanceFrom === undefined)) {
    throw new InvalidCursorError();
  }
  const upper = keys.member.ledgerEntry(memberId, currency, wallet.lastEntryId).SK;
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lower AND :upper',
      ExpressionAttributeValues: { ':pk': pk, ':lower': prefix, ':upper': upper },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: page.limit,
      ...(from ? { ExclusiveStartKey: { PK: pk, SK: from.key.SK } } : {}),
    }),
  );
  let balance = balanceFrom ?? wallet.available;
  const items: LedgerLine[] = (result.Items ?? []).map((item) => {
    const line: LedgerLine = {
      id: String(item.id),
      memberId: String(item.memberId),
      currency: String(item.currency),
      type: item.type as LedgerEntry['type'],
      points: Number(item.points),
      heldDelta: Number(item.heldDelta ?? 0),
      pendingDelta: Number(item.pendingDelta ?? 0),
      reason: String(item.reason ?? ''),
      ...(item.ref === undefined ? {} : { ref: String(item.ref) }),
      ...(item.bucket === undefined ? {} : { bucket: String(item.bucket) }),
      at: String(item.at),
      balanceAfter: balance,
    };
    balance -= line.points;
    return line;
  });
  const last = result.LastEvaluatedKey;
  return {
    items,
    nextCursor: last && items.length > 0 ? await sealCursor(page.scope, { key: keyOf(last), state: { balance } }) : null,
  };
}

/** Every entry of a wallet, oldest first (tests and operator tools; pages through the whole ledger). */
export async function allLedgerEntries(memberId: string, currency: string): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const result = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.member.profile(memberId).PK, ':prefix': keys.member.ledgerPrefix(currency) },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    // Entries written before pending points existed have no pendingDelta.
    for (const item of result.Items ?? []) out.push({ ...(item as unknown as LedgerEntry), pendingDelta: Number(item.pendingDelta ?? 0) });
    start = result.LastEvaluatedKey;
  } while (start);
  return out;
}
