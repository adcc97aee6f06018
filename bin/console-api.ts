/**
 * `npm run console:api`: writes console/src/api/schema.d.ts, the console's API types, generated with
 * openapi-typescript from the OpenAPI document the API serves (GET /v1/openapi.json). The console has no other
 * request or response type; test/unit/console-api-types.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { consoleApiTypes } from './local/console-api-types.js';

const target = fileURLToPath(new URL('../console/src/api/schema.d.ts', import.meta.url));
writeFileSync(target, await consoleApiTypes());
console.log(`wrote ${target}`);
