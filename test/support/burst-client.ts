/**
 * Sends a burst of HTTP requests all at once, from a process of its own (so
 * the clients do not share the server's event loop, as on a real network), and
 * prints one JSON line per answer: index, status, latency, Retry-After,
 * content type and body. Run as
 * `node --import tsx test/support/burst-client.ts <burst.json>`, where the file
 * holds `{ url, requests: [{ method, path, headers, body, delayMs }] }`.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';

export interface BurstRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Wait this long before sending (a retrying client's jitter); the latency counts from the send. */
  readonly delayMs?: number;
}

export interface BurstAnswer {
  readonly index: number;
  /** 0 when the request failed without an HTTP answer. */
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | null;
  readonly contentType: string | null;
  /** The local gateway's own time for it (x-local-latency-ms), -1 if absent. */
  readonly gatewayMs: number;
  /** The local HTTP server's time for it, from the request's arrival (x-local-server-ms), -1 if absent. */
  readonly serverMs: number;
  readonly body: string;
}

const file = process.argv[2];
if (!file) throw new Error('usage: burst-client.ts <burst.json>');
const { url, requests } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; requests: BurstRequest[] };

/** node:http rather than fetch: a thousand fetches cost the client more CPU than the server spends answering them. */
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
const target = new URL(url);

function send(request: BurstRequest, index: number): Promise<BurstAnswer> {
  const started = performance.now();
  const failed = (error: unknown): BurstAnswer => ({
    index,
    status: 0,
    ms: Math.round(performance.now() - started),
    retryAfter: null,
    contentType: null,
    gatewayMs: -1,
    serverMs: -1,
    body: String(error),
  });
  return new Promise((resolveAnswer) => {
    const outgoing = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
        // Far above any bound a test asserts: a request still open then is a failure to report, not to wait for.
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => resolveAnswer(failed(error)));
        response.on('end', () => {
          const header = (name: string) => {
            const value = response.headers[name];
            return typeof value === 'string' ? value : null;
          };
          resolveAnswer({
            index,
            status: response.statusCode ?? 0,
            ms: Math.round(performance.now() - started),
            retryAfter: header('retry-after'),
            contentType: header('content-type'),
            gatewayMs: Number(header('x-local-latency-ms') ?? -1),
            serverMs: Number(header('x-local-server-ms') ?? -1),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer in 60 s')));
    outgoing.on('error', (error) => resolveAnswer(failed(error)));
    outgoing.end(request.body);
  });
}

const answers = await Promise.all(
  requests.map(async (request, index) => {
    if (request.delayMs) await new Promise((r) => setTimeout(r, request.delayMs));
    return send(request, index);
  }),
);
for (const answer of answers) process.stdout.write(`${JSON.stringify(answer)}\n`);
