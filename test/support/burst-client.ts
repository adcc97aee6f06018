/**
 * Sends a burst of HTTP requests all at once, from a process of its own (so
 * the clients do not share the server's event loop, as on a real network), and
 * prints one JSON line per answer: index, status, latency, Retry-After,
 * content type and body. Run as
 * `node --import tsx test/support/burst-client.ts <burst.json>`, where the file
 * holds `{ url, requests: [{ method, path, headers, body }] }`.
 */
import { readFileSync } from 'node:fs';

export interface BurstRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
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
  readonly body: string;
}

const file = process.argv[2];
if (!file) throw new Error('usage: burst-client.ts <burst.json>');
const { url, requests } = JSON.parse(readFileSync(file, 'utf8')) as { url: string; requests: BurstRequest[] };

const answers = await Promise.all(
  requests.map(async (request, index): Promise<BurstAnswer> => {
    const started = performance.now();
    try {
      const response = await fetch(`${url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        // Far above any bound a test asserts: a request still open then is a failure to report, not to wait for.
        signal: AbortSignal.timeout(60_000),
      });
      const body = await response.text();
      return {
        index,
        status: response.status,
        ms: Math.round(performance.now() - started),
        retryAfter: response.headers.get('retry-after'),
        contentType: response.headers.get('content-type'),
        gatewayMs: Number(response.headers.get('x-local-latency-ms') ?? -1),
        body,
      };
    } catch (error) {
      return { index, status: 0, ms: Math.round(performance.now() - started), retryAfter: null, contentType: null, gatewayMs: -1, body: String(error) };
    }
  }),
);
for (const answer of answers) process.stdout.write(`${JSON.stringify(answer)}\n`);
