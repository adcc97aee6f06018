import type { components } from '../../api/schema';

/** The rules in force, as GET /v1/admin/earning-rules answers them. */
export type EarningRules = components['schemas']['EarningRules'];
/** The document PUT takes (without expectedVersion), and what previews and replays take as `draftRules`. */
export type RulesDocument = components['schemas']['EarningRulesInput'];
type ExpiryPolicy = components['schemas']['ExpiryPolicy'];

/** The document of a saved version: everything but its version stamp. */
export function documentOf(rules: EarningRules): RulesDocument {
  const { version: _version, updatedAt: _updatedAt, updatedBy: _updatedBy, ...document } = rules;
  return document;
}

/**
 * What the form edits. Mostly the document's own shape (so a server error at `body.bands.0.rate` lands on the field
 * named ['bands', 0, 'rate']); two sections are reshaped for inputs: the category multipliers (a map) as rows, and the
 * expiry policy (one of four shapes) as a policy with its number.
 */
export interface RulesFormValues {
  bands?: { overYuan: number; rate: number }[];
  bandMode?: RulesDocument['bandMode'];
  categoryMultipliers?: { category: string; multiplier: number }[];
  tierMultipliers?: RulesDocument['tierMultipliers'];
  stacking?: RulesDocument['stacking'];
  rounding?: RulesDocument['rounding'];
  maxPointsPerPurchase?: number | null;
  pointsPerYuan?: number;
  topUpRatePerYuan?: number;
  expiry?: { policy: ExpiryPolicy['policy']; months?: number | null; extraYears?: number | null };
  reminderDays?: number;
  returnWindowDays?: number;
  referrals?: RulesDocument['referrals'];
  tiers?: RulesDocument['tiers'];
  posLimits?: RulesDocument['posLimits'];
}

export function formValuesOf(document: RulesDocument): RulesFormValues {
  const expiry = document.expiry;
  return {
    ...structuredClone(document),
    categoryMultipliers: Object.entries(document.categoryMultipliers).map(([category, multiplier]) => ({ category, multiplier })),
    expiry: {
      policy: expiry.policy,
      months: 'months' in expiry ? expiry.months : null,
      extraYears: 'extraYears' in expiry ? expiry.extraYears : null,
    },
  };
}

function expiryOf(values: NonNullable<RulesFormValues['expiry']>, loaded: ExpiryPolicy): ExpiryPolicy {
  // The operator did not change the policy or its number: the loaded one, exactly as it was.
  const same =
    values.policy === loaded.policy &&
    ('months' in loaded ? values.months === loaded.months : true) &&
    ('extraYears' in loaded ? values.extraYears === loaded.extraYears : true);
  if (same) return structuredClone(loaded);
  // A number the API checks and refuses with a field error when missing (null), rather than one made up here.
  switch (values.policy) {
    case 'rolling-months':
    case 'inactivity':
      return { policy: values.policy, months: values.months as number };
    case 'year-end':
      return { policy: 'year-end', extraYears: values.extraYears as number };
    case 'never':
      return { policy: 'never' };
  }
}

/** Sections replaced as a whole (a map whose keys the operator removes, a union whose shape changes), never merged. */
const WHOLE_SECTIONS = new Set(['categoryMultipliers', 'expiry']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `patch` laid over `base`: objects merged key by key, arrays and values replaced; keys `patch` lacks stay as in `base`. */
function overlay(base: unknown, patch: unknown, path: string): unknown {
  if (patch === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(patch) || WHOLE_SECTIONS.has(path)) return structuredClone(patch);
  const merged: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    merged[key] = overlay(base[key], value, path === '' ? key : `${path}.${key}`);
  }
  return merged;
}

/**
 * The draft: the loaded document with the form's values laid over it. Whatever the form does not show (a section it
 * has no inputs for, a field a newer API added) goes back exactly as loaded; so does every field left untouched.
 */
export function draftOf(loaded: RulesDocument, values: RulesFormValues): RulesDocument {
  const { categoryMultipliers, expiry, ...rest } = values;
  const patch: Record<string, unknown> = { ...rest };
  if (categoryMultipliers) {
    patch.categoryMultipliers = Object.fromEntries(
      categoryMultipliers.filter((row) => row && row.category !== undefined).map((row) => [row.category, row.multiplier]),
    );
  }
  if (expiry) patch.expiry = expiryOf(expiry, loaded.expiry);
  return overlay(loaded, patch, '') as RulesDocument;
}

/** One difference between two documents: a field path (`bands.1.rate`) with its value before and after. */
export interface Change {
  readonly path: string;
  /** undefined: the field did not exist on that side. */
  readonly before: unknown;
  readonly after: unknown;
}

/** Every leaf that differs between two documents, in document order; arrays compared index by index. */
export function diffDocuments(before: unknown, after: unknown, path = ''): Change[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: Change[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
      changes.push(...diffDocuments(before[i], after[i], path === '' ? String(i) : `${path}.${i}`));
    }
    return changes;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    return keys.flatMap((key) => diffDocuments(before[key], after[key], path === '' ? key : `${path}.${key}`));
  }
  if (Object.is(before, after)) return [];
  return [{ path, before, after }];
}

/** A value of a diff as the operator reads it: absent, null and objects (a whole added row) spelled out. */
export function changeValueText(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
