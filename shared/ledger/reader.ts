import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
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

const cursorSchema = z.object({ sk: z.string().min(1), balance: z.number().int() });

function encodeCursor(cursor: z.infer<typeof cursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): z.infer<typeof cursorSchema> {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('cursor is not one this API issued; pass nextCursor from the previous page unchanged');
  }
}

/**
 * One page of a wallet's ledger, newest first, with `balanceAfter` on each
 * line. Entry ids sort in commit order (see ledger.commit), so walking back
 * from the wallet's balance at its `lastEntryId` gives every line's balance
 * exactly, even while new entries are being written.
 */
export async function listLedger(
  memberId: string,
  currency: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: LedgerLine[]; nextCursor: string | null }> {
  const wallet = await getWallet(memberId, currency);
  const prefix = keys.member.ledgerPrefix(currency);
  const from = page.cursor ? decodeCursor(page.cursor) : undefined;
  if (from && !from.sk.startsWith(prefix)) throw new ValidationError('cursor belongs to another ledger');
  const pk = keys.member.profile(memberId).PK;
  const upper = keys.member.ledgerEntry(memberId, currency, wallet.lastEntryId).SK;
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lower AND :upper',
      ExpressionAttributeValues: { ':pk': pk, ':lower': prefix, ':upper': upper },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: page.limit,
      ...(from ? { ExclusiveStartKey: { PK: pk, SK: from.sk } } : {}),
    }),
  );
  let balance = from ? from.balance : wallet.available;
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
    nextCursor: last && items.length > 0 ? encodeCursor({ sk: String(last.SK), balance }) : null,
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
