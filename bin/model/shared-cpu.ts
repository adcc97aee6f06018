/**
 * Servers that share a machine's CPU: the Node event loop and DynamoDB Local
 * in the local benchmark. Each serves its jobs one at a time, first come
 * first served, at pace 1 while the others are idle and at its `shared` pace
 * while another is busy (the share it keeps of the CPU they compete for; the
 * two need not be equal: a process with more threads takes more). A server
 * that starts or stops changes the others' pace; the work left of a job in
 * progress is rescaled.
 */
import type { EventQueue } from './event-queue.js';

interface Job {
  /** Called when the job starts: does its work's side effects and says how much work it is (ms at speed 1). */
  readonly start: () => number;
  /** Called when the job ends. */
  readonly end?: () => void;
}

interface Running {
  readonly job: Job;
  /** What the job sends out (a request to the other server): it leaves when the job's work is done. */
  readonly deferred: (() => void)[];
  readonly startedAt: number;
  remaining: number;
  since: number;
  speed: number;
  version: number;
}

export class CpuServer {
  private readonly jobs: Job[] = [];
  private head = 0;
  private current: Running | undefined;
  private version = 0;
  /** Work added to the job now starting (e.g. a queued invocation admitted in the callback that frees its slot). */
  private extra = 0;
  /** Time spent busy, for utilisation figures. */
  busyMs = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly machine: SharedMachine,
    /** Its pace while another server is busy (1 when alone). */
    readonly shared: number,
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Runs `send` when the job now running has done its work (at once if none is running): a callback's I/O leaves at its end. */
  defer(send: () => void): void {
    if (this.current) this.current.deferred.push(send);
    else send();
  }

  /** Adds work to the job now starting (only inside a job's `start`). */
  charge(work: number): void {
    this.extra += work;
  }

  submit(job: Job): void {
    this.jobs.push(job);
    if (!this.current) this.next();
  }

  /** The other server started or stopped: the job in progress goes on at the new speed. */
  reschedule(): void {
    const current = this.current;
    if (!current) return;
    const speed = this.machine.speedOf(this);
    if (speed === current.speed) return;
    current.remaining -= (this.queue.now - current.since) * current.speed;
    current.since = this.queue.now;
    current.speed = speed;
    this.schedule(current);
  }

  private schedule(current: Running): void {
    this.version += 1;
    const version = this.version;
    current.version = version;
    this.queue.after(Math.max(0, current.remaining) / current.speed, () => {
      if (this.current !== current || current.version !== version) return;
      this.busyMs += this.queue.now - current.startedAt;
      this.current = undefined;
      for (const send of current.deferred) send();
      current.job.end?.();
      this.next();
    });
  }

  private next(): void {
    if (this.current) return;
    if (this.head >= this.jobs.length) {
      this.jobs.length = 0;
      this.head = 0;
      this.machine.changed(this);
      return;
    }
    const job = this.jobs[this.head] as Job;
    this.head += 1;
    // Busy before the job starts: what it submits to this server waits behind it.
    const current: Running = { job, deferred: [], startedAt: this.queue.now, remaining: 0, since: this.queue.now, speed: this.machine.speedOf(this), version: 0 };
    this.current = current;
    this.extra = 0;
    current.remaining = job.start() + this.extra;
    this.schedule(current);
    // Tell the others even when one job follows another: between the two, a job they started saw this server idle.
    this.machine.changed(this);
  }
}

/** The machine the servers share. */
export class SharedMachine {
  private readonly servers: CpuServer[] = [];

  add(server: CpuServer): CpuServer {
    this.servers.push(server);
    return server;
  }

  /** The pace of `server` (work per ms) now. */
  speedOf(server: CpuServer): number {
    return this.servers.some((s) => s !== server && s.busy) ? server.shared : 1;
  }

  changed(from: CpuServer): void {
    for (const s of this.servers) if (s !== from) s.reschedule();
  }
}
