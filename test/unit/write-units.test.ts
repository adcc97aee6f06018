import { describe, expect, it } from 'vitest';
import { itemSize, transactionalUnits, transactWriteUnits } from '../../shared/table/write-units.js';

describe('item size', () => {
  it('counts names and strings by UTF-8 bytes and numbers by significant digits', () => {
    expect(itemSize({ PK: { S: 'abc' }, n: { N: '123' } })).toBe(2 + 3 + 1 + 3);
    expect(itemSize({ name: { S: 'é' } })).toBe(4 + 2);
    expect(itemSize({ n: { N: '1000' } })).toBe(1 + 2);
  });

  it('adds 3 bytes per list or map and 1 per element', () => {
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ l: { L: [{ S: 'xy' }, { NULL: true }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
  });
});

describe('transactional write units', () => {
  it('charges 2 units per started KB, at least 2', () => {
    expect(transactionalUnits(0)).toBe(2);
    expect(transactionalUnits(1024)).toBe(2);
    expect(transactionalUnits(1025)).toBe(4);
  });

  it('sizes a put by its item and an update by its key plus the attributes it writes', () => {
    const result = transactWriteUnits([
      { Put: { TableName: 't', Item: { PK: { S: 'ORDER#o1' }, SK: { S: 'ORDER' }, big: { S: 'x'.repeat(1500) } } } },
      {
        Update: {
          TableName: 't',
          Key: { PK: { S: 'STOCK#p#1' }, SK: { S: 'STOCK' } },
          UpdateExpression: 'SET available = available - :q, sold = sold + :q, #u = :at REMOVE gone',
          ExpressionAttributeNames: { '#u': 'updatedAt' },
          ExpressionAttributeValues: { ':q': { N: '1' }, ':at': { S: '2025-01-01T00:00:00.000Z' } },
        },
      },
      { ConditionCheck: { TableName: 't', Key: { PK: { S: 'MEMBER#m1' }, SK: { S: 'PROFILE' } }, ConditionExpression: 'attribute_exists(PK)' } },
    ]);

    expect(result.items.map((i) => [i.kind, i.pk, i.units])).toEqual([
      ['Put', 'ORDER#o1', 4],
      ['Update', 'STOCK#p#1', 2],
      ['ConditionCheck', 'MEMBER#m1', 2],
    ]);
    expect(result.items[1]?.bytes).toBe(2 + 9 + 2 + 5 + (9 + 2) + (4 + 2) + (9 + 24));
    expect(result.units).toBe(8);
  });
});
