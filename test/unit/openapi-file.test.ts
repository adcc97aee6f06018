import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkBundling } from '../../lib/constructs/function-bundling.js';
import { loadOpenApiDocument, OPENAPI_DOCUMENT_FILE } from '../../shared/http/openapi-file.js';
import { openApiDocument } from '../../shared/http/openapi.js';

describe('the OpenAPI document built beside the system function', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is written by the bundling hook of the function that serves it, and only of that one', () => {
    // Act
    const hooks = cdkBundling({ withOpenApiDocument: true }).commandHooks;
    const commands = hooks?.afterBundling('/project', '/asset') ?? [];

    // Assess
    expect(commands).toEqual([`cd "/project" && npx tsx bin/write-openapi.ts "/asset/${OPENAPI_DOCUMENT_FILE}"`]);
    expect(cdkBundling().commandHooks).toBeUndefined();
  });

  it('is read from beside the module when the build wrote it, as generated from the contracts', async () => {
    // Prepare: what the hook runs
    execFileSync(process.execPath, ['--import', 'tsx', 'bin/write-openapi.ts', join(dir, OPENAPI_DOCUMENT_FILE)]);

    // Act
    const served = await loadOpenApiDocument(pathToFileURL(join(dir, 'index.mjs')).href);

    // Assess
    expect(served).toEqual(JSON.parse(readFileSync(join(dir, OPENAPI_DOCUMENT_FILE), 'utf8')));
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('is generated on first use where no build wrote it (npm start, the tests)', async () => {
    // Act
    const served = await loadOpenApiDocument(pathToFileURL(join(dir, 'nothing-here', 'index.mjs')).href);

    // Assess
    expect(JSON.parse(JSON.stringify(served))).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });
});
