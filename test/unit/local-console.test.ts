import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBuildIsStale, consoleRoutes } from '../../bin/local/console.js';
import { inMemoryDevKeys, verifyDevToken, type DevKeys } from '../../bin/local/dev-keys.js';

const root = mkdtempSync(join(tmpdir(), 'console-routes-'));
const dist = join(root, 'dist');
let keys: DevKeys;
let route: ReturnType<typeof consoleRoutes>;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'secret.txt'), 'not the console');
  keys = await inMemoryDevKeys();
  route = consoleRoutes(keys, dist);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const get = (url: string) => route({ method: 'GET', url });

describe('the local console routes', () => {
  it('serve index.html for the app and for any client-side route, never cached', async () => {
    for (const url of ['/console/', '/console/campaigns', '/console/members/m1?tab=ledger', '/console/sign-in']) {
      const answer = await get(url);
      expect(answer?.status, url).toBe(200);
      expect(answer?.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer?.headers['cache-control']).toBe('no-cache');
    }
    expect((await get('/console'))?.headers.location).toBe('/console/');
  });

  it('serve hashed assets with their type and a long cache, other files revalidated', async () => {
    const script = await get('/console/assets/index-AbC123.js');
    expect(script?.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script?.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String(script?.body)).toBe('console.log(1)');
    const icon = await get('/console/favicon.svg');
    expect(icon?.headers['content-type']).toBe('image/svg+xml');
    expect(icon?.headers['cache-control']).toBe('no-cache');
  });

  it('answer 404 for a missing asset and never serve a file outside the build', async () => {
    expect((await get('/console/assets/gone-123.js'))?.status).toBe(404);
    for (const url of ['/console/../secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt']) {
      const answer = await get(url);
      expect(String(answer?.body), url).not.toContain('not the console');
    }
  });

  it('give the local configuration and leave other paths to the API', async () => {
    const config = await get('/console/config.json');
    expect(JSON.parse(String(config?.body))).toEqual({ apiBaseUrl: '', auth: { kind: 'local' } });
    expect(await get('/v1/health')).toBeUndefined();
    expect(await route({ method: 'POST', url: '/console/' })).toBeUndefined();
  });

  it('list one demo operator per role and sign a token in that role for each', async () => {
    // Act
    const list = JSON.parse(String((await get('/local/operators'))?.body)) as { items: { operatorId: string; role: string }[] };
    const answer = await route({ method: 'POST', url: '/local/operator-tokens', body: JSON.stringify({ operatorId: 'op-marketer' }) });

    // Assess
    expect(list.items.map((o) => `${o.operatorId}:${o.role}`)).toEqual(['op-admin:admin', 'op-marketer:marketer', 'op-support:support', 'op-analyst:analyst']);
    expect(answer?.status).toBe(201);
    const claims = await verifyDevToken(keys, (JSON.parse(String(answer?.body)) as { token: string }).token);
    expect(claims.sub).toBe('op-marketer');
    expect(claims['cognito:groups']).toEqual(['marketer']);
  });

  it('refuse an unknown operator or a body that is not JSON with problem+json', async () => {
    const unknown = await route({ method: 'POST', url: '/local/operator-tokens', body: '{"operatorId":"op-root"}' });
    const garbled = await route({ method: 'POST', url: '/local/operator-tokens', body: 'operatorId=op-admin' });
    expect(unknown?.status).toBe(404);
    expect(garbled?.status).toBe(400);
    expect(garbled?.headers['content-type']).toBe('application/problem+json');
  });

  it('answer 503 with a self-reloading page while there is no build', async () => {
    const answer = await consoleRoutes(keys, join(root, 'no-build'))({ method: 'GET', url: '/console/' });
    expect(answer?.status).toBe(503);
    expect(String(answer?.body)).toContain('http-equiv="refresh"');
  });
});

describe('the console build check', () => {
  it('is stale without a build and when a source is newer than the build', () => {
    // Prepare
    const app = mkdtempSync(join(tmpdir(), 'console-src-'));
    mkdirSync(join(app, 'src'));
    writeFileSync(join(app, 'src', 'main.tsx'), 'x');
    expect(consoleBuildIsStale(app)).toBe(true);
    mkdirSync(join(app, 'dist'));
    writeFileSync(join(app, 'dist', 'index.html'), 'built');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(app, 'src', 'main.tsx'), old, old);
    expect(consoleBuildIsStale(app)).toBe(false);

    // Act
    writeFileSync(join(app, 'src', 'main.tsx'), 'changed');
    utimesSync(join(app, 'src', 'main.tsx'), new Date(Date.now() + 1000), new Date(Date.now() + 1000));

    // Assess
    expect(consoleBuildIsStale(app)).toBe(true);
    rmSync(app, { recursive: true, force: true });
  });
});
