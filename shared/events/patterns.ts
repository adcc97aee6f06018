/**
 * EventBridge pattern matching for the rule table (lib/routes.ts `eventRules`): the local bus routes events with
 * it, and the dead-letter consumer names the rules an event from a function's DLQ was meant for.
 */
type PatternValue = unknown;

/**
 * Matches the subset of EventBridge patterns the rule table uses: arrays of
 * exact values, `{ prefix }`, `{ exists }` and nested objects. A rule that
 * needs more belongs in this matcher first, with a test.
 */
export function matchesPattern(pattern: Record<string, PatternValue>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      return expected.some((option) => {
        if (option !== null && typeof option === 'object') {
          const o = option as Record<string, unknown>;
          if ('prefix' in o) return typeof actual === 'string' && actual.startsWith(String(o.prefix));
          if ('exists' in o) return (actual !== undefined) === Boolean(o.exists);
          return false;
        }
        return Array.isArray(actual) ? actual.includes(option) : actual === option;
      });
    }
    if (expected !== null && typeof expected === 'object') {
      return actual !== null && typeof actual === 'object' && matchesPattern(expected as Record<string, PatternValue>, actual as Record<string, unknown>);
    }
    return false;
  });
}
