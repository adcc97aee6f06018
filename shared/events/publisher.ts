import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE } from '../../lib/routes.js';
import { awsClientOptions } from '../config/aws-clients.js';
import { config } from '../config/env.js';
import { logger } from '../observability/powertools.js';

/** A domain event as it travels on the bus. */
export interface DomainEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

export type EventSink = (events: readonly DomainEvent[]) => Promise<void>;

let localSink: EventSink | undefined;
let client: EventBridgeClient | undefined;

/** The local runtime and tests route events to the in-process bus instead of EventBridge. */
export function useLocalEventSink(sink: EventSink | undefined): void {
  localSink = sink;
}

/** Puts events on the bus, in batches of 10 (the PutEvents limit); failed entries throw. */
export async function publish(events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (localSink) return localSink(events);
  // Timeouts and attempts: without them an unreachable bus would hold the batch until the function times out.
  client ??= new EventBridgeClient({ region: config().region, ...awsClientOptions() });
  for (let i = 0; i < events.length; i += 10) {
    const batch = events.slice(i, i + 10);
    const result = await client.send(
      new PutEventsCommand({
        Entries: batch.map((e) => ({
          EventBusName: config().eventBusName,
          Source: EVENT_SOURCE,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        })),
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      logger.error('events not published', { failed: result.Entries?.filter((e) => e.ErrorCode) });
      throw new Error(`${result.FailedEntryCount} events were not published`);
    }
  }
}
