import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE, eventRules, type EventRuleSpec } from '../../lib/routes.js';
import { recordDeadLetter } from '../../shared/events/dead-letters.js';
import type { DomainEvent } from '../../shared/events/publisher.js';
import { matchesPattern } from '../../shared/events/patterns.js';
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

export { matchesPattern } from '../../shared/events/patterns.js';

export interface Delivery {
  readonly rule: string;
  readonly event: BusEnvelope;
  readonly error?: string;
}

/**
 * The in-process stand-in for the EventBridge bus: every published event is
 * matched against the same rule table the CDK stack deploys, and each matching
 * rule's function is invoked asynchronously, with retries like a rule target.
 * Deliveries that still fail become DeadLetter items in the table
 * (shared/events/dead-letters.ts), as on AWS, and are kept in `deadLetters`
 * for this process (tests).
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
    // What operators see: a DeadLetter item in the table (GET /v1/admin/dead-letters), as on AWS.
    try {
      await recordDeadLetter({
        target: rule.name,
        event: { detailType: event['detail-type'], detail: event.detail },
        error: lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError),
        attempts: this.retries + 1,
        payload: event,
      });
    } catch (error) {
      console.error(`[bus] dead letter of rule ${rule.name} not recorded:`, error);
    }
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
