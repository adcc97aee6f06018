/**
 * Records keyed by what clients send (categories, activities, campaign ids,
 * query parameters ...). A plain `{}` inherits `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf` and the `__proto__` accessor from
 * Object.prototype: `rules.categoryMultipliers['constructor']` is a function,
 * not "no multiplier", and `counts['__proto__'] = 1` is silently dropped.
 * Look such keys up with `ownValue` and build such records with `emptyRecord`.
 * Pure.
 */

/** Keys a plain object answers for without having them: the names a fuzz or an attacker tries first. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString'] as const;

/** The record's own value under `key`; undefined when it has none of its own (never an inherited member). */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * An empty record with no prototype: every key, `__proto__` included, is an
 * ordinary own property, and a missing key reads as undefined.
 */
export function emptyRecord<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}
