import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * How the proxy treats connections while cut off:
 * - `refuse`: stops listening, so new connections are refused (ECONNREFUSED; nothing sent);
 * - `blackhole`: accepts connections and never answers (the client times out; a request may have been sent);
 * - `reset`: accepts connections and destroys each as soon as a request arrives (socket hang up / ECONNRESET).
 */
export type CutMode = 'refuse' | 'blackhole' | 'reset';

export interface ProxyStats {
  /** Connections forwarded to the target. */
  forwarded: number;
  /** Open connections destroyed by `cut`. */
  cutOpen: number;
  /** Connections accepted while cut off (blackholed or reset). */
  cutAccepted: number;
}

/**
 * A TCP proxy between the functions and DynamoDB Local, to cut the database
 * off without touching the emulator: a SIGKILL of DynamoDB Local can lose
 * writes it had acknowledged, which would blame the emulator's own fault on
 * the code under test.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private mode: CutMode | 'forward' = 'forward';
  readonly stats: ProxyStats = { forwarded: 0, cutOpen: 0, cutAccepted: 0 };

  private constructor(
    private readonly target: { host: string; port: number },
    private port: number,
  ) {}

  /** Starts listening on 127.0.0.1 (a free port) and forwards to `target` (`http://host:port`). */
  static async start(target: string): Promise<TcpProxy> {
    const url = new URL(target);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port) }, 0);
    await proxy.listen();
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts the database off: destroys every open connection, then treats new ones as `mode` says. */
  async cut(mode: CutMode): Promise<void> {
    this.mode = mode;
    this.stats.cutOpen += this.open.size;
    this.destroyOpen();
    if (mode === 'refuse') await this.stopListening();
    else if (!this.server) await this.listen();
  }

  /** Forwards again; connections held by a blackhole are destroyed (their clients see a reset). */
  async restore(): Promise<void> {
    this.mode = 'forward';
    this.destroyOpen();
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    this.destroyOpen();
    await this.stopListening();
  }

  private destroyOpen(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    // A peer that goes away mid-stream is part of the exercise, not a test failure.
    socket.on('error', () => undefined);
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode === 'blackhole') {
      this.stats.cutAccepted += 1;
      return;
    }
    if (this.mode === 'reset') {
      this.stats.cutAccepted += 1;
      client.once('data', () => client.destroy());
      return;
    }
    this.stats.forwarded += 1;
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      // The same port after a `refuse` cut: the functions keep their endpoint.
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) this.port = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
