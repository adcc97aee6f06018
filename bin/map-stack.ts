/**
 * `npm run map-stack -- <index.mjs.map> < trace.txt`: maps a stack trace logged by a deployed function (minified,
 * run without --enable-source-maps: lib/constructs/function-bundling.ts) back to the source. Reads the trace on
 * stdin and prints it with every `index.mjs:<line>:<column>` frame followed by its source file, line and column.
 * Uses Node's own source-map reader (node:module SourceMap); nothing is sent anywhere.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

const mapFile = process.argv[2];
if (!mapFile) {
  console.error('usage: npm run map-stack -- <index.mjs.map> < trace.txt (the map is in the function code zip, beside index.mjs)');
  process.exit(2);
}
const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
const trace = readFileSync(0, 'utf8');

// A frame of the bundle: `.../index.mjs:12:3456` (lines and columns 1-based in V8 traces, 0-based in the map).
const frame = /index\.mjs:(\d+):(\d+)/g;
for (const line of trace.split('\n')) {
  const mapped = [...line.matchAll(frame)].map((m) => {
    const entry = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    return entry.originalSource === undefined ? undefined : `${entry.originalSource.replace(/^.*?(?=(shared|functions|lib|node_modules)\/)/, '')}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
  console.log(mapped.some(Boolean) ? `${line}  <- ${mapped.filter(Boolean).join(', ')}` : line);
}
