import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DOCS_ASSETS_BASE, DOCS_INIT_SCRIPT, SWAGGER_UI_FILES } from '../../shared/http/api-docs.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** Our own assets of the page (the Swagger UI start script); the stack deploys the same folder. */
export const OWN_DOCS_ASSETS_DIR = fileURLToPath(new URL('../../lib/docs-assets/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
};

/** The files served under /docs-assets/, by name: the listed swagger-ui-dist files and our start script, nothing else. */
const FILES = new Map<string, string>([
  ...SWAGGER_UI_FILES.map((name) => [name, join(SWAGGER_UI_DIR, name)] as const),
  [DOCS_INIT_SCRIPT, join(OWN_DOCS_ASSETS_DIR, DOCS_INIT_SCRIPT)],
]);

/**
 * Serves the API reference's assets (`GET /v1/docs` loads them from `/docs-assets/` locally), as the console
 * distribution does on AWS. Answers whether it took the request; other paths go on to the API.
 */
export function serveDocsAsset(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').replace(/[?#].*$/, '');
  if (!path.startsWith(DEFAULT_DOCS_ASSETS_BASE)) return false;
  const file = FILES.get(path.slice(DEFAULT_DOCS_ASSETS_BASE.length));
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return true;
  }
  readFile(file).then(
    (content) => {
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
        'content-length': String(content.length),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : content);
    },
    (error: unknown) => {
      console.error(`docs asset ${path} failed:`, error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('could not read the file\n');
    },
  );
  return true;
}
