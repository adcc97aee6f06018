import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE, eventRules, type EventRuleSpec } from '../../lib/routes.js';
import type { DomainEvent } from '../../shared/events/publisher.js';
import { lambdaContext, loadHandler } from './gateway.js';

/** An event as EventBridge delivers it to a Lambda target. */
export interface BusEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

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

export interface Delivery {
  readonly rule: string;
  readonly event: BusEnvelope;
  readonly error?: string;
}

/**
 * The in-process stand-in for the EventBridge bus: every published event is
 * matched against the same rule table the CDK stack deploys, and each matching
 * rule's function is invoked asynchronously, with retries like a rule target.
 * Deliveries that still fail are kept as the local dead-letter list.
 */
export class LocalBus {
  readonly deadLetters: Delivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly rules: readonly EventRuleSpec[] = eventRules,
    private readonly retries = 2,
  ) {}

  publish = async (events: readonly DomainEvent[]): Promise<void> => {
    for (const e of events) {
      const envelope: BusEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.detailType,
        source: EVENT_SOURCE,
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: e.detail,
      };
      for (const rule of this.rules) {
        if (!matchesPattern(rule.pattern as Record<string, unknown>, envelope as unknown as Record<string, unknown>)) continue;
        const delivery = this.deliver(rule, envelope);
        this.pending.add(delivery);
        void delivery.finally(() => this.pending.delete(delivery));
      }
    }
  };

  private async deliver(rule: EventRuleSpec, event: BusEnvelope): Promise<void> {
    const handler = await loadHandler(rule.fn);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt += 1) {
      try {
        await handler(event, lambdaContext(rule.fn));
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    this.deadLetters.push({ rule: rule.name, event, error: String(lastError) });
  }

  /**
   * Delivers the dead letters again (after the cause was fixed), each to the
   * rule it failed for, with the same retries; those that fail again go back
   * on the list. Answers how many were redriven.
   */
  async redrive(): Promise<number> {
    const letters = this.deadLetters.splice(0, this.deadLetters.length);
    await Promise.all(
      letters.map((letter) => {
        const rule = this.rules.find((r) => r.name === letter.rule);
        if (!rule) {
          this.deadLetters.push(letter);
          return Promise.resolve();
        }
        return this.deliver(rule, letter.event);
      }),
    );
    return letters.length;
  }

  /** Waits until every delivery in flight has finished (tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
