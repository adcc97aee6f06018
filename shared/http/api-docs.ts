/**
 * The rendered API reference (`GET /v1/docs`): a Swagger UI page over `GET /v1/openapi.json`. Its styles and
 * scripts are ours, from an assets base: locally `/docs-assets/` on the local HTTP server (straight from
 * node_modules/swagger-ui-dist, bin/local/docs-assets.ts); on AWS the console distribution, where the stack
 * deploys the same files and gives the system function the URL as DOCS_ASSETS_BASE.
 */

/** The files of the npm package swagger-ui-dist the page loads; nothing else of the package is served. */
export const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'] as const;

/**
 * Our script that starts Swagger UI (lib/docs-assets/): a file rather than an inline script, so the page's
 * Content-Security-Policy needs no 'unsafe-inline' for scripts.
 */
export const DOCS_INIT_SCRIPT = 'api-docs-init.js';

/** Where the assets are when DOCS_ASSETS_BASE is not set: the local HTTP server, same origin as the API. */
export const DEFAULT_DOCS_ASSETS_BASE = '/docs-assets/';

/** The document the page renders: same origin as the page, so `connect-src 'self'` covers it and "Try it out". */
export const OPENAPI_PATH = '/v1/openapi.json';

/** The assets base this function serves the page with (DOCS_ASSETS_BASE), always ending in `/`. */
export function docsAssetsBase(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.DOCS_ASSETS_BASE?.trim() || DEFAULT_DOCS_ASSETS_BASE;
  if (!/^(https:\/\/[^\s"'<>;,]+|\/[^\s"'<>;,]*)$/.test(base)) {
    throw new Error(`DOCS_ASSETS_BASE must be an https URL or an absolute path, got "${base}"`);
  }
  return base.endsWith('/') ? base : `${base}/`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The HTML of the page: no inline script or style, every asset from `assetsBase`. */
export function apiDocsPage(assetsBase: string): string {
  const asset = (file: string) => escapeAttribute(`${assetsBase}${file}`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Points mall API reference</title>',
    `<link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}">`,
    `<link rel="stylesheet" href="${asset('swagger-ui.css')}">`,
    '</head>',
    '<body>',
    `<div id="swagger-ui" data-openapi-url="${escapeAttribute(OPENAPI_PATH)}"></div>`,
    `<script src="${asset('swagger-ui-bundle.js')}"></script>`,
    `<script src="${asset('swagger-ui-standalone-preset.js')}"></script>`,
    `<script src="${asset(DOCS_INIT_SCRIPT)}"></script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * The page's Content-Security-Policy: scripts only from the assets base (no inline, no eval), the document and
 * "Try it out" requests to this API only, no frames, no plugins. Styles also allow 'unsafe-inline': Swagger UI
 * writes `style` attributes into the markup it renders (layout and syntax highlighting), which a hash or nonce
 * cannot cover; no script can come in through that.
 */
export function apiDocsSecurityPolicy(assetsBase: string): string {
  // An absolute base is another origin (the console distribution); a path is this server.
  const assets = assetsBase.startsWith('https://') ? assetsBase : "'self'";
  return [
    "default-src 'none'",
    `script-src ${assets}`,
    `style-src ${assets} 'unsafe-inline'`,
    // swagger-ui.css draws its icons as data: SVGs.
    `img-src ${assets} data:`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers of the page besides its content type. */
export function apiDocsHeaders(assetsBase: string): Record<string, string> {
  return {
    'content-security-policy': apiDocsSecurityPolicy(assetsBase),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Static per deployment, but cheap to build: a short cache keeps a redeployed page current.
    'cache-control': 'public, max-age=300',
  };
}
