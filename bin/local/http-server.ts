import { createServer, type IncomingMessage, type Server } from 'node:http';
import { MAX_STOCK_FEED_BODY_BYTES } from '../../shared/contracts/limits.js';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '../../shared/http/cors.js';
import { problemFromError, problemResponse } from '../../shared/http/problem.js';
import { serveDocsAsset } from './docs-assets.js';
import type { LocalGateway, LocalRequest } from './gateway.js';

/** Keep a little more than the API's largest limit (a stock feed's) so the handler can answer 413 itself. */
const BODY_KEEP_BYTES = MAX_STOCK_FEED_BODY_BYTES + 256 * 1024;

const cors = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': CORS_ALLOW_HEADERS.join(', '),
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  // As the stack's API: a browser client may read when to retry, where a 202's work is, and whether it was a replay.
  'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(', '),
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_KEEP_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Connections the kernel holds for the server before it accepts them
 * (`listen` backlog; Linux caps it at net.core.somaxconn). Node's 511 is
 * less than a flash sale's burst: the connections beyond it wait for SYN
 * retransmits, seconds each, before any handler sees them.
 */
export const LISTEN_BACKLOG = 4096;

export interface LocalHttpServerOptions {
  /** Prints `METHOD path -> status (ms)` per request (npm start); off for benchmarks. */
  readonly logRequests?: boolean;
  /**
   * Local-only routes answered before the gateway (the console's files and sign-in, bin/local/console.ts):
   * undefined passes the request on to the API.
   */
  readonly localRoutes?: (request: LocalRequest) => Promise<{ status: number; headers: Record<string, string>; body: string | Buffer } | undefined>;
}

export interface LocalHttpServer extends Server {
  /**
   * Resolves once no request is being handled. A client that goes away does
   * not stop its handler (as on Lambda), so a benchmark waits for this before
   * it checks the table.
   */
  idle(): Promise<void>;
}

/**
 * The HTTP front of the local runtime: every request goes to the local
 * gateway (route table, JWT check, the same handlers as Lambda), with CORS
 * like the HTTP API's. A handler that throws becomes a problem+json 500 (never
 * a bare error page).
 * `npm start` and `npm run bench:flash-sale` both serve through it.
 */
export function createLocalHttpServer(gateway: LocalGateway, options: LocalHttpServerOptions = {}): LocalHttpServer {
  const logRequests = options.logRequests ?? true;
  let handling = 0;
  let waiting: (() => void)[] = [];
  const settled = () => {
    handling -= 1;
    if (handling === 0) {
      const waiters = waiting;
      waiting = [];
      waiters.forEach((resolveIdle) => resolveIdle());
    }
  };
  const server = createServer((req, res) => {
    // Files of the API reference page (GET /v1/docs), not API routes.
    if (serveDocsAsset(req, res)) return;
    handling += 1;
    void (async () => {
      const started = Date.now();
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors).end();
        return;
      }
      try {
        const body = await readBody(req);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
        const request: LocalRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body };
        const response = (await options.localRoutes?.(request)) ?? (await gateway.handle(request));
        // The time this process took to answer, from the request's arrival (the connection may have waited in the kernel before).
        res.writeHead(response.status, { ...response.headers, ...cors, 'x-local-server-ms': String(Date.now() - started) }).end(response.body);
        if (logRequests) console.log(`${req.method} ${req.url} -> ${response.status} (${Date.now() - started} ms)`);
      } catch (error) {
        // Lambda's runtime would log it and API Gateway answer a bare 500; locally it is still the API's problem+json.
        console.error(`${req.method} ${req.url} failed:`, error);
        const { problem } = problemFromError(error);
        const failed = problemResponse({ ...problem, instance: (req.url ?? '/').replace(/\?.*/, '') });
        if (!res.headersSent) res.writeHead(failed.statusCode ?? 500, { ...(failed.headers as Record<string, string>), ...cors });
        res.end(failed.body);
      }
    })().finally(settled);
  });
  return Object.assign(server, {
    idle: () => (handling === 0 ? Promise.resolve() : new Promise<void>((resolveIdle) => waiting.push(resolveIdle))),
  });
}
