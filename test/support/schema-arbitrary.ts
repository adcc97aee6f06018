/**
 * fast-check arbitraries derived from the API's zod 4 contracts, through
 * `z.toJSONSchema` (no installed library maps zod 4 to fast-check:
 * zod-fast-check targets zod 3 and fast-check 3). Covers the shapes the
 * contracts use: object (properties, required, additionalProperties as a
 * record), array, string (pattern, min/max length, date-time and date
 * formats), integer and number (inclusive and exclusive bounds), boolean,
 * null, enum, const, anyOf, oneOf and allOf (first branch).
 *
 * Two knobs make it a fuzzer rather than a sample generator: `hostile`
 * mixes a hostile value (wrong type, huge or negative number, NaN-like
 * string, very long string, unicode, deep nesting, prototype names) into
 * any position, and valid string positions also take the prototype names
 * (`__proto__`, `constructor` ...) whenever they satisfy the constraints,
 * because those are the strings that break code keyed by client input.
 */
import fc from 'fast-check';
import { PROTOTYPE_KEYS } from '../../shared/domain/own-keys.js';

/** The subset of JSON Schema (draft 2020-12) that `z.toJSONSchema` writes for our contracts. */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

/** JSON text to send as is where a value is expected: numbers JSON.stringify cannot write (1e999), deep nesting. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Serialises a generated value; unlike JSON.stringify it writes RawJson as is and keeps own `__proto__` keys. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : jsonText(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Names a plain object answers for without having them; as keys and as values. */
export const PROTO_NAMES: readonly string[] = PROTOTYPE_KEYS;

const DEEP_ARRAY = new RawJson(`${'['.repeat(5_000)}${']'.repeat(5_000)}`);
const DEEP_OBJECT = new RawJson(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`);

/** A value of any type that a schema position should refuse (or survive). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, -0.5, 1e-7, 1e21, -1e21, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 10_000_000_001),
  fc.constantFrom<unknown>(new RawJson('1e999'), new RawJson('-1e999'), new RawJson(`1${'0'.repeat(400)}`), new RawJson('0.0000000000000000000000001e-400')),
  fc.constantFrom<unknown>('NaN', 'Infinity', '-Infinity', '1e309', '0x1F', '', ' ', '-1', '1.5', 'null', 'true', '[]', '{}', '1,000'),
  fc.constantFrom<unknown>(...PROTO_NAMES),
  fc.constantFrom<unknown>('x'.repeat(5_000), '点'.repeat(3_000), '\u0000', 'a\u0000b', '\u202e\u200b', '../../etc/passwd', '%00', '%2F..%2F'),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  // Lone surrogates survive JSON but not every UTF-8 encoder.
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom<unknown>(DEEP_ARRAY, DEEP_OBJECT),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom(...PROTO_NAMES, 'a', 'type'), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constantFrom(...PROTO_NAMES)), {
    maxKeys: 3,
  }).map((o) => Object.fromEntries(Object.entries(o))),
);

export interface ArbitraryOptions {
  /** Weight of a hostile value against 10 for a valid one, at every position (0: valid-shaped only). */
  readonly hostileWeight: number;
  /** More candidates for properties by name, wherever they appear (e.g. `memberId`: the run's member; ids that exist). */
  readonly byName?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

/** Matches JSON Schema `pattern` semantics (unanchored unless the pattern anchors itself). */
function patternOf(schema: JsonSchema): RegExp | undefined {
  return schema.pattern === undefined ? undefined : new RegExp(schema.pattern);
}

function fitsString(schema: JsonSchema, value: string): boolean {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) return false;
  if (schema.maxLength !== undefined && length > schema.maxLength) return false;
  const pattern = patternOf(schema);
  return pattern === undefined || pattern.test(value);
}

function isoDateTime(): fc.Arbitrary<string> {
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  return fc.oneof(
    // Near now: paidAt, at, schedules that are running.
    fc.integer({ min: -40 * day, max: 40 * day }).map((offset) => new Date(now + offset).toISOString()),
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-02-29T00:00:00Z', '2024-02-29T23:59:59.999999Z', '1970-01-01T00:00:00Z'),
  );
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? minLength + 40;
  let base: fc.Arbitrary<string>;
  if (schema.format === 'date-time') base = isoDateTime();
  else if (schema.format === 'date') base = isoDateTime().map((s) => s.slice(0, 10));
  else if (schema.pattern !== undefined) {
    const pattern = patternOf(schema) as RegExp;
    base = fc.stringMatching(pattern, { size: 'small' }).filter((s) => fitsString(schema, s));
  } else {
    base = fc.oneof(
      fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 40) }),
      fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, minLength + 20) }).filter((s) => fitsString(schema, s)),
    );
  }
  // Prototype names wherever they are valid: the strings that find records keyed by client input.
  const protoValid = PROTO_NAMES.filter((name) => fitsString(schema, name));
  return protoValid.length > 0 && schema.format === undefined ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constantFrom(...protoValid) }) : base;
}

function integerArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min = Math.max(Number.MIN_SAFE_INTEGER, schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : Math.ceil(schema.minimum ?? -1_000_000));
  const max = Math.min(Number.MAX_SAFE_INTEGER, schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : Math.floor(schema.maximum ?? 1_000_000));
  if (min > max) return fc.constant(min);
  // Mostly small values (the ones that reach business rules), sometimes anywhere up to the bounds.
  return fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, min + 1_000) }) }, { weight: 1, arbitrary: fc.integer({ min, max }) }, fc.constantFrom(min, max));
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.exclusiveMinimum ?? schema.minimum ?? -1_000_000;
  const max = schema.exclusiveMaximum ?? schema.maximum ?? 1_000_000;
  const double = fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .filter((v) => (schema.exclusiveMinimum === undefined || v > schema.exclusiveMinimum) && (schema.exclusiveMaximum === undefined || v < schema.exclusiveMaximum));
  // Mostly decimals as people write them (whole, cents, 4 places); sometimes any double in range.
  const places = (n: number) => double.map((v) => Math.round(v * 10 ** n) / 10 ** n).filter((v) => v >= min && v <= max);
  return fc.oneof({ weight: 3, arbitrary: integerArbitrary(schema) }, { weight: 2, arbitrary: places(2) }, { weight: 1, arbitrary: places(4) }, { weight: 1, arbitrary: double });
}

function objectArbitrary(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(schema.required ?? []);
  const props = Object.entries(schema.properties ?? {}).map(([name, propSchema]) => {
    const generated = arbitraryOf(propSchema, options);
    const known = Object.hasOwn(options.byName ?? {}, name) ? options.byName?.[name] : undefined;
    const value = known ? fc.oneof(known, generated) : generated;
    const entry = value.map((v): [string, unknown] => [name, v]);
    return required.has(name) ? entry.map((e) => [e]) : fc.option(entry, { nil: undefined, freq: 2 }).map((e) => (e ? [e] : []));
  });
  const extraValue = options.hostileWeight > 0 ? fc.oneof(hostileValue, fc.integer(), fc.string({ maxLength: 8 })) : fc.integer();
  const records =
    typeof schema.additionalProperties === 'object'
      ? fc.array(
          fc.tuple(
            schema.propertyNames ? fc.oneof(stringArbitrary(schema.propertyNames), fc.constantFrom(...PROTO_NAMES)) : fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom(...PROTO_NAMES)),
            arbitraryOf(schema.additionalProperties, options),
          ),
          { maxLength: 4 },
        )
      : fc.constant([] as [string, unknown][]);
  // Keys the contract does not know, prototype names first: a strict schema refuses them, others drop them.
  const extras = options.hostileWeight > 0 ? fc.array(fc.tuple(fc.constantFrom(...PROTO_NAMES, 'surprise'), extraValue), { maxLength: 2 }) : fc.constant([] as [string, unknown][]);
  // Object.fromEntries defines own properties, so a `__proto__` entry is sent as a key (as JSON.parse would read it).
  return fc.tuple(fc.tuple(...props), records, extras).map(([parts, recordEntries, extraEntries]) => Object.fromEntries([...parts.flat(), ...recordEntries, ...extraEntries]));
}

function validArbitrary(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => arbitraryOf(s, options)));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => arbitraryOf(s, options)));
  if (schema.allOf?.[0]) return arbitraryOf(schema.allOf[0], options);
  switch (schema.type) {
    case 'object':
      return objectArbitrary(schema, options);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + 3, minLength + 3);
      return fc.array(arbitraryOf(schema.items ?? {}, options), { minLength, maxLength });
    }
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return integerArbitrary(schema);
    case 'number':
      return numberArbitrary(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // `{}` (z.unknown and friends): anything small.
      return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
  }
}

/** An arbitrary of values for a JSON Schema; with `hostileWeight` > 0 any position may hold a hostile value instead. */
export function arbitraryOf(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<unknown> {
  const valid = validArbitrary(schema, options);
  return options.hostileWeight > 0 ? fc.oneof({ weight: 10, arbitrary: valid }, { weight: options.hostileWeight, arbitrary: hostileValue }) : valid;
}
