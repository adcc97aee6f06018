import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../bin/local/bus.js';

describe('local bus pattern matching (the EventBridge subset the rule table uses)', () => {
  const event = {
    source: 'points-mall',
    'detail-type': 'OrderPlaced',
    detail: { supplier: 'jd', order: { kind: 'SUPPLIER' }, tags: ['a', 'b'] },
  };

  it.each([
    [{ source: ['points-mall'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': ['OrderPlaced', 'OrderStatusChanged'] }, true],
    [{ detail: { supplier: ['jd'] } }, true],
    [{ detail: { supplier: ['tmall'] } }, false],
    [{ detail: { order: { kind: ['SUPPLIER'] } } }, true],
    [{ detail: { supplier: [{ prefix: 'j' }] } }, true],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { supplier: [{ exists: false }] } }, false],
    [{ detail: { tags: ['b'] } }, true],
    [{ source: ['points-mall'], detail: { supplier: ['tmall'] } }, false],
  ])('matches %j: %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
