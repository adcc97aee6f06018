/**
 * The operator console in the local runtime: its built files under /console/ (single-page app: any path that is not
 * a file answers index.html), its configuration /console/config.json (local sign-in), and the local-only sign-in
 * routes GET /local/operators and POST /local/operator-tokens. None of these are API routes: they are not in
 * lib/routes.ts and do not exist in the deployed stack (CloudFront serves the console there, Cognito signs in).
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { problemOf, problemResponse } from '../../shared/http/problem.js';
import { demoOperators, type LocalOperatorList, type LocalOperatorToken } from './console-operators.js';
import { claimsFor, signDevToken, type DevKeys } from './dev-keys.js';

export const consoleDir = fileURLToPath(new URL('../../console/', import.meta.url));
export const consoleDistDir = join(consoleDir, 'dist');

/** An answer of the console's routes; the body may be a file's bytes. */
export interface ConsoleResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

export interface ConsoleRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: string | undefined;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Vite names what it emits under assets/ by content hash: a new build is a new URL, so the old one never changes. */
const HASHED_CACHE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function json(status: number, body: unknown, cache = REVALIDATE): ConsoleResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': cache }, body: JSON.stringify(body) };
}

function problem(status: 'VALIDATION_FAILED' | 'NOT_FOUND' | 'UNAVAILABLE', detail: string, instance: string): ConsoleResponse {
  const answer = problemResponse(problemOf(status, detail, { instance }));
  return { status: answer.statusCode ?? 500, headers: answer.headers as Record<string, string>, body: answer.body ?? '' };
}

/** The configuration the console reads at start: same origin, demo-operator sign-in. */
export const localConsoleConfig = { apiBaseUrl: '', auth: { kind: 'local' } } as const;

function serveFile(path: string, cacheControl: string): ConsoleResponse {
  return {
    status: 200,
    headers: { 'content-type': contentTypes[extname(path)] ?? 'application/octet-stream', 'cache-control': cacheControl },
    body: readFileSync(path),
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function serveConsole(pathname: string, distDir: string): ConsoleResponse {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) {
    return {
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5' },
      body: '<!doctype html><meta http-equiv="refresh" content="5"><p>The console is being built (npm start builds it when its sources change; npm run build:console does too). This page reloads itself.</p>',
    };
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice('/console/'.length));
  } catch {
    relative = '';
  }
  // normalize() resolves `..`; a path that leaves dist is not a file of the console.
  const candidate = normalize(join(distDir, relative));
  if (relative !== '' && candidate.startsWith(distDir + sep) && isFile(candidate)) {
    return serveFile(candidate, relative.startsWith('assets/') ? HASHED_CACHE : REVALIDATE);
  }
  // A missing asset is a 404 (not the app's HTML under a script's URL, which the browser would fail to run).
  if (relative.startsWith('assets/') || relative.startsWith('.vite/')) return problem('NOT_FOUND', `no console file ${pathname}`, pathname);
  return serveFile(index, REVALIDATE);
}

async function operatorToken(body: string | undefined, keys: DevKeys, instance: string): Promise<ConsoleResponse> {
  let operatorId: unknown;
  try {
    operatorId = (JSON.parse(body ?? '') as { operatorId?: unknown }).operatorId;
  } catch {
    return problem('VALIDATION_FAILED', 'send JSON: { "operatorId": "op-marketer" }', instance);
  }
  const operator = demoOperators.find((o) => o.operatorId === operatorId);
  if (!operator) {
    return problem('NOT_FOUND', `no demo operator ${JSON.stringify(operatorId)}; GET /local/operators lists them`, instance);
  }
  const answer: LocalOperatorToken = { token: await signDevToken(keys, claimsFor('operator', operator.operatorId, operator.role)) };
  return json(201, answer, 'no-store');
}

/**
 * The console's routes, before the API gateway: answers what is the console's, undefined for everything else.
 * `distDir` defaults to console/dist.
 */
export function consoleRoutes(keys: DevKeys, distDir = consoleDistDir): (request: ConsoleRequest) => Promise<ConsoleResponse | undefined> {
  const dist = resolve(distDir);
  return async (request) => {
    const pathname = new URL(request.url, 'http://localhost').pathname;
    const method = request.method.toUpperCase();
    const reading = method === 'GET' || method === 'HEAD';
    if (pathname === '/local/operators' && reading) {
      const list: LocalOperatorList = { items: demoOperators };
      return json(200, list);
    }
    if (pathname === '/local/operator-tokens' && method === 'POST') return operatorToken(request.body, keys, pathname);
    if (!reading) return undefined;
    if (pathname === '/console') return { status: 301, headers: { location: '/console/' }, body: '' };
    if (pathname === '/console/config.json') return json(200, localConsoleConfig);
    if (pathname.startsWith('/console/')) return serveConsole(pathname, dist);
    return undefined;
  };
}

function newestSourceChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when console/dist is missing or older than a file of the console's sources. */
export function consoleBuildIsStale(dir = consoleDir, distDir = join(dir, 'dist')): boolean {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) return true;
  return newestSourceChange(dir) > statSync(index).mtimeMs;
}

/**
 * Builds the console with Vite's JS API when its sources changed since the last build (`npm start` calls it, so a
 * fresh clone's `npm ci && npm start` serves the console). Builds into a directory of its own and then swaps it in,
 * so a server reading console/dist meanwhile, or a second `npm start`, never sees half a build.
 */
export async function buildConsoleIfStale(log: (line: string) => void): Promise<'fresh' | 'built'> {
  if (!consoleBuildIsStale()) return 'fresh';
  const started = Date.now();
  log('[console] sources changed since the last build (or none yet): building console/dist ...');
  const staging = join(consoleDir, `.dist-${process.pid}`);
  const { build } = await import('vite');
  try {
    await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging } });
    rmSync(consoleDistDir, { recursive: true, force: true });
    renameSync(staging, consoleDistDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`[console] built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
