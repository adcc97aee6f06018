/**
 * The outbox through the real table stream of DynamoDB Local, on a table of
 * this file's own (so only this file's events are on its stream).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { resetConfigForTests } from '../../shared/config/env.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { listDeadLetters } from '../../shared/events/dead-letters.js';
import { MAX_PUBLISH_ATTEMPTS, outboxWrite } from '../../shared/events/outbox.js';
import { useLocalEventSink, type DomainEvent } from '../../shared/events/publisher.js';
import { commit } from '../../shared/ledger/ledger.js';
import { registerMember } from '../../shared/members/service.js';
import { testPage, uniqueId } from '../support/api.js';

const tableName = `points-mall-outbox-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

let streams: LocalStreams;
const published: DomainEvent[] = [];
const failures: unknown[] = [];
let failNext = 0;

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  useLocalEventSink(async (events) => {
    if (events.some((e) => e.detail.poison === true)) throw new Error('the bus refuses this event');
    if (failNext > 0) {
      failNext -= 1;
      throw new Error('the bus is unavailable');
    }
    published.push(...events);
  });
  streams = new LocalStreams({ endpoint, tableName, onError: (_, error) => failures.push(error) });
});

afterAll(() => streams.stop());

async function member(points: number): Promise<string> {
  const memberId = uniqueId('outbox');
  await registerMember(memberId, {});
  await commit({ moves: [{ memberId, type: 'EARN', points, bucket: '2031-01', reason: 'test' }] });
  return memberId;
}

const eventsOf = (memberId: string) => published.filter((e) => e.detail.memberId === memberId);

describe('the outbox', () => {
  it('publishes an event exactly when its change commits, with id, version and time', async () => {
    const memberId = await member(100);

    // A change that commits, and one refused for lack of points: only the first has an event.
    await commit({
      moves: [{ memberId, type: 'SPEND', points: 60, reason: 'test spend' }],
      extra: [outboxWrite({ detailType: 'TestSpent', version: 1, detail: { memberId, points: 60 } }, new Date())],
    });
    await expect(
      commit({
        moves: [{ memberId, type: 'SPEND', points: 60, reason: 'test spend' }],
        extra: [outboxWrite({ detailType: 'TestSpent', version: 1, detail: { memberId, points: 60 } }, new Date())],
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_POINTS' });
    await streams.drain();

    expect(failures).toEqual([]);
    expect(eventsOf(memberId)).toEqual([
      {
        detailType: 'TestSpent',
        detail: { memberId, points: 60, eventId: expect.stringMatching(/^[0-9A-Z]{26}$/), version: 1, occurredAt: expect.any(String) },
      },
    ]);
  });

  it('still delivers events, in order, when the bus fails after the write (the stream retries)', async () => {
    const memberId = await member(1000);
    // The batch's put, then the first event's own put (tried one at a time to find the refused one).
    failNext = 2;
    for (let i = 0; i < 12; i += 1) {
      await commit({
        moves: [{ memberId, type: 'SPEND', points: 1, reason: `spend ${i}` }],
        extra: [outboxWrite({ detailType: 'TestSpent', version: 1, detail: { memberId, n: i } }, new Date())],
      });
    }

    await streams.drain();
    await streams.drain();

    expect(failures.length).toBeGreaterThan(0);
    const delivered = eventsOf(memberId).map((e) => e.detail.n);
    // At least once: every event arrives, in commit order on first delivery.
    expect(new Set(delivered)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i)));
    const firstSeen = delivered.filter((n, i) => delivered.indexOf(n) === i);
    expect(firstSeen).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('keeps an event the bus refuses MAX_PUBLISH_ATTEMPTS times as a dead letter, and goes on with the later ones', async () => {
    const memberId = await member(10);
    for (const poison of [true, false]) {
      await commit({ moves: [], extra: [outboxWrite({ detailType: 'TestPoison', version: 1, detail: { memberId, poison } }, new Date())] });
    }
    for (let round = 0; round < MAX_PUBLISH_ATTEMPTS + 2 && eventsOf(memberId).length === 0; round += 1) await streams.drain();

    expect(eventsOf(memberId).map((e) => e.detail.poison)).toEqual([false]);
    const letters = await listDeadLetters({ status: 'OPEN', source: 'outbox' }, testPage(100));
    const mine = letters.items.filter((l) => l.payload.includes(memberId));
    expect(mine).toEqual([
      expect.objectContaining({ status: 'OPEN', source: 'outbox', target: 'event-bus', detailType: 'TestPoison', attempts: MAX_PUBLISH_ATTEMPTS, redrivable: true, error: 'the bus refuses this event' }),
    ]);
    expect(mine[0]?.deadLetterId).toMatch(/^outbox-/);
  });
});
