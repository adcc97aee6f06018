import { describe, expect, it } from 'vitest';
import { LocalConcurrency, localConcurrencyFromEnv, DEFAULT_LOCAL_CONCURRENCY, type Admission } from '../../bin/local/concurrency.js';
import { functions } from '../../lib/routes.js';

function admitted(admission: Admission): Extract<Admission, { kind: 'admitted' }> {
  if (admission.kind !== 'admitted') throw new Error(`expected an admission, got ${admission.kind}`);
  return admission;
}

describe('LocalConcurrency: Lambda\'s concurrency and the local slots', () => {
  it('runs up to inFlight invocations at once and queues the next ones in order', async () => {
    // Prepare
    const concurrency = new LocalConcurrency({ inFlight: 2, queueLength: 2, queueWaitMs: 10_000, lambdaLimits: true });
    const first = admitted(await concurrency.admit('orders'));
    admitted(await concurrency.admit('orders'));

    // Act
    const order: string[] = [];
    const third = concurrency.admit('orders').then((a) => (order.push('third'), a));
    const fourth = concurrency.admit('orders').then((a) => (order.push('fourth'), a));
    const fifth = await concurrency.admit('orders');
    first.release();
    admitted(await third).release();

    // Assess: two running, two waiting, the fifth shed at once; the slots pass on in arrival order
    expect(fifth).toMatchObject({ kind: 'shed', reason: 'queue full' });
    expect((await fourth).kind).toBe('admitted');
    expect(order).toEqual(['third', 'fourth']);
  });

  it('sheds an invocation that waited queueWaitMs', async () => {
    // Prepare
    const concurrency = new LocalConcurrency({ inFlight: 1, queueLength: 5, queueWaitMs: 50, lambdaLimits: true });
    admitted(await concurrency.admit('members'));

    // Act
    const waited = await concurrency.admit('members');

    // Assess
    expect(waited).toMatchObject({ kind: 'shed', reason: 'waited too long' });
    expect(concurrency.load('members')).toEqual({ running: 1, waiting: 0 });
  });

  it('throttles beyond the function\'s reserved concurrency, running and waiting counted', async () => {
    // Prepare: more local slots than the reservation, so Lambda's limit is the one that bites
    const reserved = functions.jobs.reservedConcurrency ?? 0;
    const concurrency = new LocalConcurrency({ inFlight: reserved, queueLength: 10, queueWaitMs: 10_000, lambdaLimits: true });
    const running = await Promise.all(Array.from({ length: reserved }, () => concurrency.admit('jobs')));

    // Act
    const over = await concurrency.admit('jobs');
    running.map(admitted).forEach((a) => a.release());
    const after = await concurrency.admit('jobs');

    // Assess
    expect(over).toEqual({ kind: 'throttled', limit: reserved });
    expect(after.kind).toBe('admitted');
  });

  it('keeps functions apart: a busy function does not hold up another', async () => {
    // Prepare
    const concurrency = new LocalConcurrency({ inFlight: 1, queueLength: 0, queueWaitMs: 0, lambdaLimits: true });
    admitted(await concurrency.admit('orders'));

    // Act
    const other = await concurrency.admit('members');

    // Assess
    expect(other.kind).toBe('admitted');
  });

  it('reads its settings from the environment, with the documented defaults', () => {
    // Act
    const defaults = localConcurrencyFromEnv({});
    const set = localConcurrencyFromEnv({ LOCAL_CONCURRENCY: '4', LOCAL_QUEUE_LENGTH: '0', LOCAL_QUEUE_WAIT_MS: '250' });

    // Assess
    expect(defaults).toEqual(DEFAULT_LOCAL_CONCURRENCY);
    expect(set).toEqual({ inFlight: 4, queueLength: 0, queueWaitMs: 250, lambdaLimits: true });
    expect(() => localConcurrencyFromEnv({ LOCAL_CONCURRENCY: '0' })).toThrow(/LOCAL_CONCURRENCY/);
  });
});
