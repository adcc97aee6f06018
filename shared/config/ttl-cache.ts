/**
 * A function instance's short-lived copies of items read on the hot path
 * (products, draw and task definitions): each kept `ttlMs` after it was
 * stored, then read again. Values may be `undefined` (a known absence), so a
 * hit is returned wrapped.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly ttlMs: number) {}

  /** The copy, if stored less than `ttlMs` ago. */
  lookup(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.until > Date.now() ? { value: entry.value } : undefined;
  }

  /** The copy whatever its age (to amend it with what this instance just wrote). */
  peek(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry ? { value: entry.value } : undefined;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
