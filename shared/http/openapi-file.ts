/**
 * The OpenAPI document as deployed: generated from the contracts when the system function is bundled (the stack's
 * bundling hook runs `bin/write-openapi.ts` into the function's code, beside `index.mjs`), so the function itself
 * carries neither the generator nor any other function's contracts. Where no such file exists (`npm start`, the
 * tests, which run the sources), the document is generated on first use, as before.
 */
import { readFile } from 'node:fs/promises';

/** The file name beside the bundle. */
export const OPENAPI_DOCUMENT_FILE = 'openapi.json';

export async function loadOpenApiDocument(besideModule: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(new URL(OPENAPI_DOCUMENT_FILE, besideModule), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A specifier the bundler cannot follow: the generator and every contract stay out of the deployed bundle.
  const generator = ['.', 'openapi.js'].join('/');
  const { openApiDocument } = (await import(generator)) as typeof import('./openapi.js');
  return openApiDocument();
}
