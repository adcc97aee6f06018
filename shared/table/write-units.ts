/**
 * Write units of a TransactWriteItems request as AWS bills them, computed
 * from the request itself (DynamoDB Local's ConsumedCapacity figures differ
 * from AWS's). Sizes follow DynamoDB's item size rules: attribute names and
 * strings by UTF-8 bytes, numbers by significant digits, 3 bytes per list or
 * map plus 1 per element, 1 byte for a boolean or null.
 */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';

/** A transactional write costs two write units per started KB of item, per item. */
export const TRANSACTIONAL_UNITS_PER_KB = 2;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of one marshalled attribute value (without its name). */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeValueSize(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + utf8(name) + attributeValueSize(v), 0);
  return 0;
}

/** Bytes of a marshalled item: every attribute's name plus its value. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}

/** Splits an expression list on commas outside parentheses (`a = if_not_exists(a, :z) + :d, b = :b`). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/**
 * The attributes an update expression writes, with the size of the largest
 * value each is given (`SET a = a - :q` writes `a` with the size of `:q`).
 */
function writtenAttributes(
  expression: string,
  names: Record<string, string> = {},
  values: Record<string, AttributeValue> = {},
): Map<string, number> {
  const written = new Map<string, number>();
  const clauses = expression.split(/\b(SET|ADD|REMOVE|DELETE)\b/i);
  for (let i = 1; i < clauses.length; i += 2) {
    const action = (clauses[i] ?? '').toUpperCase();
    if (action === 'REMOVE' || action === 'DELETE') continue;
    for (const part of topLevelParts(clauses[i + 1] ?? '')) {
      const [target = '', expr = ''] = action === 'SET' ? part.split(/=(.*)/s) : part.split(/\s+(.*)/s);
      const name = target.trim().replace(/#[A-Za-z0-9_]+/g, (placeholder) => names[placeholder] ?? placeholder);
      const valueSizes = (expr.match(/:[A-Za-z0-9_]+/g) ?? []).map((placeholder) => {
        const value = values[placeholder];
        return value ? attributeValueSize(value) : 0;
      });
      written.set(name, Math.max(written.get(name) ?? 0, ...valueSizes, 0));
    }
  }
  return written;
}

export interface ItemUnits {
  readonly kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  /** The item's partition key value (`WALLET#...`, `STOCK#...`), to tell the items apart. */
  readonly pk: string;
  /** Put: the item's size. Update: its key plus the attributes written (a lower bound: the stored item may hold more). Delete, ConditionCheck: the key. */
  readonly bytes: number;
  readonly units: number;
}

/** Transactional write units of one item of `bytes`: 2 per started KB, at least 2. */
export function transactionalUnits(bytes: number): number {
  return TRANSACTIONAL_UNITS_PER_KB * Math.max(1, Math.ceil(bytes / 1024));
}

/** Size and write units of each item of a marshalled TransactWriteItems request. */
export function transactWriteUnits(items: readonly TransactWriteItem[]): { readonly items: readonly ItemUnits[]; readonly units: number } {
  const out: ItemUnits[] = items.map((item) => {
    if (item.Put) {
      const bytes = itemSize(item.Put.Item ?? {});
      return { kind: 'Put', pk: item.Put.Item?.PK?.S ?? '', bytes, units: transactionalUnits(bytes) };
    }
    if (item.Update) {
      const key = item.Update.Key ?? {};
      const written = writtenAttributes(item.Update.UpdateExpression ?? '', item.Update.ExpressionAttributeNames, item.Update.ExpressionAttributeValues);
      let bytes = itemSize(key);
      for (const [name, size] of written) if (!(name in key)) bytes += utf8(name) + size;
      return { kind: 'Update', pk: key.PK?.S ?? '', bytes, units: transactionalUnits(bytes) };
    }
    const keyed = item.Delete ?? item.ConditionCheck;
    const bytes = itemSize(keyed?.Key ?? {});
    return { kind: item.Delete ? 'Delete' : 'ConditionCheck', pk: keyed?.Key?.PK?.S ?? '', bytes, units: transactionalUnits(bytes) };
  });
  return { items: out, units: out.reduce((sum, i) => sum + i.units, 0) };
}
