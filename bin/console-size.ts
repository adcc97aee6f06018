/**
 * `npm run build:console` (after `vite build`): the JavaScript each page of the console loads, gzipped, against the
 * budgets. A page loads the app's entry, then its lazily loaded route chunks, each with every chunk it imports
 * statically (read from Vite's manifest, console/dist/.vite/manifest.json). Exits 1 when a page is over budget.
 *   sign-in page                   at most 250 kB gzipped
 *   dashboard (shell + its charts) at most 500 kB gzipped
 * Every other screen is listed (loaded lazily; no budget of its own yet).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  readonly file: string;
  readonly src?: string;
  readonly isEntry?: boolean;
  readonly isDynamicEntry?: boolean;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
}
type Manifest = Record<string, ManifestChunk>;

/** kB of 1,000 bytes, as Vite prints them. */
const KB = 1000;

const distDir = fileURLToPath(new URL('../console/dist/', import.meta.url));

interface PageSpec {
  readonly name: string;
  /** Sources (as the manifest names them, relative to console/) of the lazy chunks the page loads after the entry. */
  readonly routes: readonly string[];
  readonly budgetKb?: number;
}

const pages: readonly PageSpec[] = [
  { name: 'sign-in', routes: ['src/auth/sign-in-page.tsx'], budgetKb: 250 },
  { name: 'dashboard', routes: ['src/shell/shell-layout.tsx', 'src/screens/dashboard/dashboard-page.tsx'], budgetKb: 500 },
];

/** The chunk and every chunk it imports statically, transitively (what the browser fetches before it runs). */
function staticClosure(manifest: Manifest, key: string, into = new Set<string>()): Set<string> {
  if (into.has(key)) return into;
  const chunk = manifest[key];
  if (!chunk) throw new Error(`the manifest has no chunk ${key}`);
  into.add(key);
  for (const imported of chunk.imports ?? []) staticClosure(manifest, imported, into);
  return into;
}

function keyOfSource(manifest: Manifest, src: string): string {
  const key = Object.keys(manifest).find((k) => manifest[k]?.src === src);
  if (!key) throw new Error(`the manifest has no chunk for ${src} (renamed? update bin/console-size.ts)`);
  return key;
}

const gzipCache = new Map<string, number>();
function gzippedBytes(file: string): number {
  let size = gzipCache.get(file);
  if (size === undefined) {
    size = gzipSync(readFileSync(join(distDir, file))).length;
    gzipCache.set(file, size);
  }
  return size;
}

function jsBytes(manifest: Manifest, keys: Iterable<string>): number {
  let total = 0;
  for (const key of keys) {
    const file = manifest[key]?.file;
    if (file?.endsWith('.js')) total += gzippedBytes(file);
  }
  return total;
}

const format = (bytes: number) => `${(bytes / KB).toFixed(1).padStart(7)} kB`;

const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
const entryKey = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
if (!entryKey) throw new Error('the manifest has no entry (index.html)');
const entry = staticClosure(manifest, entryKey);
const shell = staticClosure(manifest, keyOfSource(manifest, 'src/shell/shell-layout.tsx'), new Set(entry));

console.log('\nJavaScript each page loads (gzipped, with everything it imports statically):');
let over = 0;
for (const page of pages) {
  const keys = new Set(entry);
  for (const route of page.routes) staticClosure(manifest, keyOfSource(manifest, route), keys);
  const bytes = jsBytes(manifest, keys);
  const verdict = page.budgetKb === undefined ? '' : bytes <= page.budgetKb * KB ? `  within ${page.budgetKb} kB` : `  OVER the ${page.budgetKb} kB budget`;
  if (page.budgetKb !== undefined && bytes > page.budgetKb * KB) over += 1;
  console.log(`  ${page.name.padEnd(28)}${format(bytes)}${verdict}`);
}
console.log('Each other screen (entry + shell + screen, loaded lazily when opened):');
for (const [key, chunk] of Object.entries(manifest)) {
  if (!chunk.isDynamicEntry || !chunk.src?.startsWith('src/screens/')) continue;
  const keys = staticClosure(manifest, key, new Set(shell));
  console.log(`  ${chunk.src.replace(/^src\/screens\//, '').padEnd(28)}${format(jsBytes(manifest, keys))}  (+${format(jsBytes(manifest, [...keys].filter((k) => !shell.has(k)))).trim()} over the shell)`);
}
if (over > 0) {
  console.error(`\n${over} page(s) over budget: split or trim what they load (docs/console.md, "Size budgets").`);
  process.exit(1);
}
