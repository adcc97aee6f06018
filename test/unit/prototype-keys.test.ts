import { describe, expect, it } from 'vitest';
import { earningRulesBodySchema } from '../../shared/contracts/earning-rules.js';
import { purchaseBodySchema } from '../../shared/contracts/earning.js';
import { calculateEarning, type ApplicableCampaign, type EarningRulesCore, type PurchaseLine } from '../../shared/domain/earning.js';
import { emptyRecord, ownValue, PROTOTYPE_KEYS } from '../../shared/domain/own-keys.js';
import { activityShares, shardSlices } from '../../shared/domain/pools.js';
import { bodyProblem, parseJsonBody } from '../../shared/http/json-body.js';
import { ValidationError } from '../../shared/errors.js';

/** The names a client can send that a plain object answers for without having them. */
const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

const rules: EarningRulesCore = {
  bands: [{ overYuan: 0, rate: 1 }],
  bandMode: 'whole',
  categoryMultipliers: { A: 1, B: 2 },
  tierMultipliers: { normal: 1, silver: 1, gold: 1.5, diamond: 2 },
  stacking: 'multiply',
  rounding: { mode: 'floor', scope: 'purchase' },
  maxPointsPerPurchase: null,
};

const line = (category: string, sku = 'sku-1'): PurchaseLine => ({ sku, category, amountCents: 10_000, quantity: 1 });

describe('own keys: records keyed by client input', () => {
  it('reads only own values, never an Object.prototype member', () => {
    // Prepare
    const plain: Record<string, number> = { A: 1 };

    // Act
    const found = names.map((name) => ownValue(plain, name));

    // Assess
    expect(found).toEqual(names.map(() => undefined));
    expect(ownValue(plain, 'A')).toBe(1);
  });

  it('keeps every prototype name, __proto__ included, as an ordinary key of an empty record', () => {
    // Prepare
    const record = emptyRecord<number>();

    // Act
    names.forEach((name, i) => (record[name] = i));

    // Assess
    expect(Object.keys(record)).toEqual([...names]);
    expect(names.map((name) => ownValue(record, name))).toEqual([0, 1, 2, 3, 4]);
    expect(Object.getPrototypeOf(record)).toBeNull();
  });

  it('lists the prototype names it guards against', () => {
    expect(PROTOTYPE_KEYS).toEqual(expect.arrayContaining([...names]));
  });
});

describe('earning: prototype-named categories and campaigns', () => {
  it.each(names)('earns the base rate for a line of category %s when no multiplier names it', (category) => {
    // Act
    const result = calculateEarning({ rules, tier: 'normal', lines: [line(category)] });

    // Assess
    expect(result.points).toBe(100);
    expect(result.breakdown.map((b) => b.rule)).toEqual(['base']);
  });

  it.each(names.filter((n) => n !== '__proto__'))('applies a multiplier the rules give to category %s', (category) => {
    // Prepare: the rules as the schema parses them (own keys)
    const withMultiplier: EarningRulesCore = { ...rules, categoryMultipliers: earningRulesCategoryMultipliers({ [category]: 3 }) };

    // Act
    const result = calculateEarning({ rules: withMultiplier, tier: 'normal', lines: [line(category), line('other', 'sku-2')] });

    // Assess
    expect(result.points).toBe(300 + 100);
    expect(result.breakdown.find((b) => b.rule === `category:${category}`)?.points).toBe(200);
  });

  it('counts the points of campaigns whose ids are prototype names', () => {
    // Prepare
    const campaigns: ApplicableCampaign[] = names.map((id, i) => ({ campaignId: id, name: `campaign ${id}`, effect: { kind: 'bonus', points: i + 1 } }));

    // Act
    const result = calculateEarning({ rules, tier: 'normal', lines: [line('A')], campaigns });

    // Assess
    expect(result.points).toBe(100 + 1 + 2 + 3 + 4 + 5);
    expect(Object.entries(result.campaignPoints)).toEqual(names.map((id, i) => [id, i + 1]));
  });
});

/** categoryMultipliers through the body schema, as the rules store keeps them. */
function earningRulesCategoryMultipliers(multipliers: Record<string, number>): Record<string, number> {
  const body = {
    bands: [{ overYuan: 0, rate: 1 }],
    categoryMultipliers: multipliers,
    tierMultipliers: { normal: 1, silver: 1, gold: 1, diamond: 1 },
    pointsPerYuan: 100,
    topUpRatePerYuan: 1,
    expiry: { policy: 'never' },
  };
  return earningRulesBodySchema.parse(body).categoryMultipliers;
}

describe('schemas: prototype names as keys and values', () => {
  it('keeps prototype-named categories of the multipliers as own keys', () => {
    // Act
    const parsed = earningRulesCategoryMultipliers({ constructor: 2, toString: 3, hasOwnProperty: 4, valueOf: 5 });

    // Assess
    expect(Object.keys(parsed)).toEqual(['constructor', 'toString', 'hasOwnProperty', 'valueOf']);
    expect(ownValue(parsed, 'constructor')).toBe(2);
  });

  it.each(names)('accepts a purchase line of category %s', (category) => {
    // Act
    const parsed = purchaseBodySchema.safeParse({
      purchaseId: 'p-1',
      memberId: 'm-1',
      storeId: 'store1',
      paidAt: '2026-01-01T00:00:00Z',
      lines: [{ sku: 'sku-1', category, amountCents: 100, quantity: 1 }],
    });

    // Assess
    expect(parsed.success).toBe(true);
  });
});

describe('pools: prototype-named activities', () => {
  it('splits shares over activities named like Object.prototype members', () => {
    // Prepare: activity names are lower-case, so only "constructor" of these passes the contract; the domain takes any.
    const shares = activityShares(1_000, names.map((activity) => ({ activity, weight: 1 })));

    // Act
    const slices = shardSlices(shares, 4);

    // Assess
    for (const name of names) expect(slices.reduce((sum, s) => sum + (ownValue(s.shares, name) ?? 0), 0)).toBe(200);
    expect(slices.reduce((sum, s) => sum + s.budgetPoints, 0)).toBe(1_000);
  });

  it('reads an activity a slice lacks as undefined', () => {
    // Act
    const [slice] = shardSlices(activityShares(10, [{ activity: 'sign-in', weight: 1 }]), 1);

    // Assess
    expect(slice?.shares.constructor).toBeUndefined();
    expect(slice?.shares.toString).toBeUndefined();
  });
});

describe('JSON bodies: the __proto__ key', () => {
  it.each([
    ['at the top', '{"__proto__": {"admin": true}, "points": 5}', ['__proto__']],
    ['nested in an object', '{"effect": {"kind": "bonus", "__proto__": {"points": 1}}}', ['effect', '__proto__']],
    ['inside an array', '{"lines": [{"sku": "a"}, {"__proto__": null}]}', ['lines', '1', '__proto__']],
    ['spelt with a unicode escape', '{"\\u005f_proto__": 1}', ['__proto__']],
  ])('finds a __proto__ key %s', (_, text, path) => {
    expect(bodyProblem(JSON.parse(text))?.path).toEqual(path);
  });

  it('refuses a body with a __proto__ key, naming where', () => {
    // Act
    const refusal = (() => {
      try {
        parseJsonBody('{"lines": [{"__proto__": {"polluted": true}}]}');
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusal as ValidationError).extensions).toEqual({ errors: [{ path: 'body.lines.0.__proto__', message: expect.stringContaining('__proto__') }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts other prototype names as keys and every prototype name as a value', () => {
    // Prepare
    const body = { constructor: 'toString', toString: '__proto__', hasOwnProperty: ['valueOf', '__proto__'], valueOf: { constructor: 'x' } };

    // Act
    const parsed = parseJsonBody(JSON.stringify(body));

    // Assess
    expect(parsed).toEqual(body);
  });

  it('walks tens of thousands of nesting levels without overflowing the stack', () => {
    // Prepare: 64 KB of brackets, the most a body may hold
    const depth = 32 * 1024;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;

    // Act / Assess
    expect(() => parseJsonBody(text)).not.toThrow();
  });

  it.each([
    ['a lone high surrogate in a value', '{"name": "ab\\ud800c"}', ['name']],
    ['a lone low surrogate in an array', '{"codes": ["ok", "\\udc00"]}', ['codes', '1']],
    ['a lone surrogate in a key', '{"a": {"\\ud800": 1}}', ['a']],
  ])('refuses %s (UTF-8 cannot write it)', (_, text, path) => {
    expect(bodyProblem(JSON.parse(text))?.path).toEqual(path);
    expect(() => parseJsonBody(text)).toThrow(ValidationError);
  });

  it('accepts surrogate pairs and other unicode', () => {
    const body = { name: '积分 😀 \u202e', tags: ['ß', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'] };
    expect(parseJsonBody(JSON.stringify(body))).toEqual(body);
  });

  it('answers text that is not JSON as a validation error', () => {
    expect(() => parseJsonBody('{"points": 5,')).toThrow(/not valid JSON/);
  });
});

describe('schemas: decimals DynamoDB can store', () => {
  const rulesWith = (rate: number, overYuan = 0) =>
    earningRulesBodySchema.safeParse({
      bands: overYuan === 0 ? [{ overYuan: 0, rate }] : [{ overYuan: 0, rate: 1 }, { overYuan, rate }],
      tierMultipliers: { normal: 1, silver: 1, gold: 1, diamond: 1 },
      pointsPerYuan: 100,
      topUpRatePerYuan: 1,
      expiry: { policy: 'never' },
    }).success;

  it.each([0, 0.0001, 0.1234, 1.5, 999.9999, 1000])('accepts a rate of %d (at most 4 decimals)', (rate) => {
    expect(rulesWith(rate)).toBe(true);
  });

  it.each([5e-324, 1e-131, 1e-11, 0.00005, 1.00001])('refuses a rate of %d', (rate) => {
    expect(rulesWith(rate)).toBe(false);
  });

  it.each([
    [999.5, true],
    [0.01, true],
    [5e-324, false],
    [0.001, false],
  ])('band start %d CNY is accepted: %s', (overYuan, accepted) => {
    expect(rulesWith(1.5, overYuan)).toBe(accepted);
  });
});
