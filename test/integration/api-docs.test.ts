import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inMemoryDevKeys } from '../../bin/local/dev-keys.js';
import { LocalGateway } from '../../bin/local/gateway.js';
import { createLocalHttpServer, type LocalHttpServer } from '../../bin/local/http-server.js';
import { TestApi } from '../support/api.js';

const swaggerUiBundle = createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js');

let api: TestApi;
let server: LocalHttpServer;
let base: string;

beforeAll(async () => {
  api = await TestApi.create();
  server = createLocalHttpServer(new LocalGateway(await inMemoryDevKeys()), { logRequests: false });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
});

describe('GET /v1/docs', () => {
  it('answers the Swagger UI page loading our assets and this API\'s OpenAPI document', async () => {
    // Act
    const res = await api.call('GET', '/v1/docs');

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'api-docs-init.js']) {
      expect(res.text).toContain(`"/docs-assets/${asset}"`);
    }
    expect(res.text).toContain('data-openapi-url="/v1/openapi.json"');
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it('has no inline script, and a policy that allows scripts from the assets only', async () => {
    // Act
    const res = await api.call('GET', '/v1/docs');

    // Assess
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(3);
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/\ssrc="\/docs-assets\/[\w.-]+\.js"/);
      expect(content).toBe('');
    }
    const policy = res.headers['content-security-policy'] ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('is listed in the OpenAPI document as an HTML answer', async () => {
    // Act
    const res = await api.call<{ paths: Record<string, { get: { responses: Record<string, { content: Record<string, unknown> }> } }> }>(
      'GET',
      '/v1/openapi.json',
    );

    // Assess
    expect(Object.keys(res.body.paths['/v1/docs']?.get.responses['200']?.content ?? {})).toEqual(['text/html; charset=utf-8']);
  });
});

describe('the local HTTP server', () => {
  it('serves the Swagger UI bundle from swagger-ui-dist under /docs-assets/', async () => {
    // Act
    const res = await fetch(`${base}/docs-assets/swagger-ui-bundle.js`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(swaggerUiBundle))).toBe(true);
  });

  it('serves the start script and the stylesheet', async () => {
    // Act
    const init = await fetch(`${base}/docs-assets/api-docs-init.js`);
    const css = await fetch(`${base}/docs-assets/swagger-ui.css`);

    // Assess
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('SwaggerUIBundle(');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves no other file of the package or the project', async () => {
    // Act
    const statuses = await Promise.all(
      ['/docs-assets/package.json', '/docs-assets/index.html', '/docs-assets/swagger-ui-bundle.js.map', '/docs-assets/%2e%2e/package.json', '/docs-assets/'].map(
        async (path) => (await fetch(`${base}${path}`)).status,
      ),
    );

    // Assess
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
  });

  it('answers the page itself through the API, with the same asset URLs', async () => {
    // Act
    const res = await fetch(`${base}/v1/docs`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('src="/docs-assets/swagger-ui-bundle.js"');
  });
});
