import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleApiTypes } from '../../bin/local/console-api-types.js';

describe('console API types', () => {
  it('match the OpenAPI document the API serves', async () => {
    // Prepare
    const committed = readFileSync(fileURLToPath(new URL('../../console/src/api/schema.d.ts', import.meta.url)), 'utf8');

    // Act
    const current = await consoleApiTypes();

    // Assess: a plain boolean first, so a stale file fails with the fix instead of a 10,000-line diff.
    const fresh = committed === current;
    expect(fresh, 'console/src/api/schema.d.ts is stale against GET /v1/openapi.json: run npm run console:api').toBe(true);
  });
});
