/**
 * Writes the OpenAPI document generated from the contracts to the file named on the command line. The stack's
 * bundling of the system function runs it (lib/constructs/function-bundling.ts), so the deployed document is the
 * one of the code deployed with it.
 */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../shared/http/openapi.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: tsx bin/write-openapi.ts <file>');
  process.exit(2);
}
writeFileSync(target, JSON.stringify(openApiDocument()));
