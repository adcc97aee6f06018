/**
 * The clock and event queue of a discrete-event simulation: events run in
 * time order, and events at the same time in the order they were scheduled
 * (a sequence number breaks the tie, so a run is reproducible). A binary
 * min-heap: the model schedules millions of events, and an npm heap would
 * add a dependency for forty lines.
 */

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  /** The simulated time, in milliseconds: the time of the event running now. */
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at `now + delayMs` (a negative delay is an error: the past cannot change). */
  after(delayMs: number, run: () => void): void {
    if (!(delayMs >= 0)) throw new Error(`an event cannot be scheduled ${delayMs} ms from now`);
    this.push({ at: this.now + delayMs, seq: this.seq++, run });
  }

  /** Runs `run` at the absolute time `at` (not before now). */
  at(at: number, run: () => void): void {
    this.after(at - this.now, run);
  }

  /** Runs events in time order until none is left or the next one is after `until`; returns the events run. */
  runUntil(until = Number.POSITIVE_INFINITY): number {
    let count = 0;
    while (this.heap.length > 0) {
      const next = this.heap[0] as Entry;
      if (next.at > until) break;
      this.pop();
      this.now = next.at;
      next.run();
      count += 1;
    }
    return count;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry)) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Entry;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right] as Entry, heap[left] as Entry) ? right : left;
      if (!before(heap[child] as Entry, last)) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}

/** A small seeded generator (mulberry32): the same seed gives the same sale. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log-normal sample with the given median and 99th percentile (latencies: a floor-less, right-skewed spread). */
export function logNormal(random: () => number, median: number, p99: number): number {
  if (p99 <= median) return median;
  const sigma = Math.log(p99 / median) / 2.326348;
  // Box-Muller; 1 - random() keeps the logarithm finite.
  const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * z);
}

/** An exponential sample with the given mean (the gap between Poisson arrivals). */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}
