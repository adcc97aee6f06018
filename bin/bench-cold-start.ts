/**
 * `npm run bench:cold-start`: what a cold start costs, per function.
 *
 * Builds every function of the route table (lib/routes.ts) and the floor (bin/local/cold-start-floor.ts: a handler
 * that loads only the DynamoDB document client) with the stack's own bundling options
 * (lib/constructs/function-bundling.ts), then prints per function:
 * - the bundle, minified and gzipped, and how much larger than the floor's it is;
 * - the module init (the `import()` of the bundle in a fresh Node process, as Lambda's INIT phase runs it): median and
 *   p90 of `--runs` processes;
 * - the first invocation against DynamoDB Local (init + one request: a read route of the function), median;
 * - whether it holds the budgets: init at most the floor + 40 ms, bundle at most the floor + 250 KB;
 * - the ten largest contributors to its bundle (esbuild's metafile).
 *
 * Options: --runs <n> (default 9), --only <fn,fn>, --sdk bundled|external|both (default: as the stack builds;
 * `both` measures each function with the AWS SDK in the bundle and left to the runtime), --no-invoke (skip DynamoDB
 * Local and the first invocations), --top <n> (contributors listed, default 10, 0 for none).
 * The figures are of this machine; run it on a quiet one, and compare functions with the floor of the same run.
 */
import { build, type Metafile } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parseArgs, promisify } from 'node:util';
import { esbuildOptions, functionBundling } from '../lib/constructs/function-bundling.js';
import { functionNames, functions, routes, type FunctionName, type RouteSpec } from '../lib/routes.js';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FLOOR = 'floor';
const INIT_BUDGET_MS = 40;
const BUNDLE_BUDGET_BYTES = 250 * 1024;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    only: { type: 'string' },
    sdk: { type: 'string' },
    'no-invoke': { type: 'boolean', default: false },
    top: { type: 'string', default: '10' },
  },
});
const runs = Math.max(1, Number(args.runs));
const stackSdk = functionBundling.external.some((e) => e.startsWith('@aws-sdk')) ? 'external' : 'bundled';
const sdkModes = (args.sdk === 'both' ? ['bundled', 'external'] : [args.sdk ?? stackSdk]) as ('bundled' | 'external')[];
if (sdkModes.some((m) => m !== 'bundled' && m !== 'external')) throw new Error('--sdk is bundled, external or both');
const only = args.only ? new Set(args.only.split(',')) : undefined;
const targets: string[] = [FLOOR, ...functionNames.filter((fn) => !only || only.has(fn))];
const top = Number(args.top);

interface Built {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly contributors: [string, number][];
}

/** The package (or project folder) an input of the metafile belongs to. */
function ownerOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage) return inPackage[1] as string;
  return input.split('/').slice(0, 2).join('/');
}

function contributorsOf(metafile: Metafile): [string, number][] {
  const byOwner = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) byOwner.set(ownerOf(input), (byOwner.get(ownerOf(input)) ?? 0) + bytesInOutput);
  }
  return [...byOwner].sort((a, b) => b[1] - a[1]);
}

async function bundle(name: string, sdk: 'bundled' | 'external', outDir: string): Promise<Built> {
  const entry = name === FLOOR ? 'bin/local/cold-start-floor.ts' : functions[name as FunctionName].entry;
  const file = join(outDir, sdk, name, 'index.mjs');
  mkdirSync(join(outDir, sdk, name), { recursive: true });
  const result = await build({
    ...esbuildOptions(sdk === 'external' ? { external: ['@aws-sdk/*'] } : {}),
    entryPoints: [join(ROOT, entry)],
    outfile: file,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  const code = readFileSync(file);
  return { file, bytes: code.length, gzipBytes: gzipSync(code).length, contributors: contributorsOf(result.metafile) };
}

/** The route the first invocation calls: a read of the function's (a GET, member routes first), else its first route. */
function sampleRoute(fn: FunctionName): RouteSpec | undefined {
  const own = routes.filter((r) => r.fn === fn);
  const authOrder = ['member', 'admin', 'pos', 'public'];
  const gets = own.filter((r) => r.method === 'GET').sort((a, b) => authOrder.indexOf(a.auth) - authOrder.indexOf(b.auth));
  return gets[0] ?? own[0];
}

/** The event of the first invocation, as API Gateway (or EventBridge for the bus-only function) would send it. */
function sampleEvent(name: string): unknown {
  if (name === FLOOR) return {};
  const route = sampleRoute(name as FunctionName);
  if (!route) {
    // The fulfilment function serves no route: an order event for an order that does not exist (one read).
    return { 'detail-type': 'OrderPlaced', source: 'points-mall', detail: { orderId: 'cold-start-no-such-order' } };
  }
  const path = route.path.replace(/\{[^}]+\}/g, 'cold-start');
  const claims =
    route.auth === 'admin'
      ? { sub: 'cold-start-operator', 'cognito:groups': '[admin]' }
      : route.auth === 'pos'
        ? { sub: 'cold-start-pos', client_id: 'cold-start-pos', scope: 'points-mall/pos' }
        : { sub: 'cold-start-member' };
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded: false,
    pathParameters: Object.fromEntries([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], 'cold-start'])),
    ...(route.method === 'GET' ? {} : { body: '{}' }),
    requestContext: {
      requestId: 'cold-start',
      routeKey: `${route.method} ${route.path}`,
      http: { method: route.method, path, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', userAgent: 'bench' },
      ...(route.auth === 'public' ? {} : { authorizer: { jwt: { claims, scopes: [] } } }),
    },
  };
}

/**
 * What a fresh process measures: the import of the bundle (init) and, with an event, one invocation after it.
 * Lambda's context is rebuilt here (functions cannot cross the process boundary).
 */
const CHILD = `
const started = performance.now();
const mod = await import(process.env.BENCH_MODULE);
const init = performance.now() - started;
let first = null, status = null;
if (process.env.BENCH_EVENT) {
  const timeoutAt = Date.now() + 10_000;
  const context = { functionName: 'cold-start', awsRequestId: 'cold-start', memoryLimitInMB: '512', getRemainingTimeInMillis: () => timeoutAt - Date.now() };
  try {
    const answer = await mod.handler(JSON.parse(process.env.BENCH_EVENT), context);
    status = answer && typeof answer === 'object' && 'statusCode' in answer ? answer.statusCode : 'ok';
  } catch (error) { status = 'threw: ' + (error && error.name); }
  first = performance.now() - started;
}
process.stdout.write(JSON.stringify({ init, first, status }));
process.exit(0);
`;

interface Sample {
  readonly init: number;
  readonly first: number | null;
  readonly status: unknown;
}

async function measure(file: string, event: unknown, env: NodeJS.ProcessEnv): Promise<Sample> {
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: { ...env, BENCH_MODULE: pathToFileURL(file).href, ...(event === undefined ? {} : { BENCH_EVENT: JSON.stringify(event) }) },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout.slice(stdout.lastIndexOf('{"init"'))) as Sample;
  } catch (error) {
    // A bundle that does not load: its own error, not the minified line it points at.
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    const lines = stderr.split('\n').filter((line) => line.length < 300);
    throw new Error(`${file} failed to load or run:\n${lines.slice(-12).join('\n')}`, { cause: error });
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const pad = (text: string, width: number) => text.padStart(width);

interface Row {
  readonly name: string;
  readonly built: Built;
  readonly initP50: number;
  readonly initP90: number;
  readonly firstP50: number | undefined;
  readonly status: unknown;
}

async function main(): Promise<void> {
  // Inside the project, so a bundle built with the SDK external resolves it from node_modules as Lambda's runtime would.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'bench-cold-start-'));
  let database: { endpoint: string; stop(code: number): Promise<never> } | undefined;
  const invoke = !args['no-invoke'];
  if (invoke) {
    const { startBenchDatabase } = await import('./local/bench-env.js');
    database = await startBenchDatabase();
  }
  // What Lambda sets, plus DynamoDB Local. Metrics stay on as in AWS (EMF lines go to the child's stdout, ignored).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'cold-start',
    TABLE_NAME: process.env.TABLE_NAME ?? 'points-mall-bench',
    EVENT_BUS_NAME: 'points-mall-bench',
    STAGE: 'bench',
    CURSOR_KEY: process.env.CURSOR_KEY ?? 'cold-start-cursor-key-cold-start-cursor-key-cold',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_NAMESPACE: 'PointsMall',
    ...(database ? { DYNAMODB_ENDPOINT: database.endpoint } : {}),
  };

  console.log(
    `cold start: ${targets.length - 1} functions and the floor, ${runs} fresh processes each (Node ${process.version}, ${process.platform}-${process.arch}), ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; bundling: lib/constructs/function-bundling.ts (the stack's SDK: ${stackSdk})`,
  );
  try {
    for (const sdk of sdkModes) {
      const rows: Row[] = [];
      for (const name of targets) {
        const built = await bundle(name, sdk, outDir);
        const event = invoke ? sampleEvent(name) : undefined;
        const samples: Sample[] = [];
        // Interleaving is not needed: each process is fresh, and the order of functions is the same in every run.
        for (let i = 0; i < runs; i += 1) {
          samples.push(await measure(built.file, event, { ...env, POWERTOOLS_SERVICE_NAME: name }));
        }
        const inits = samples.map((s) => s.init).sort((a, b) => a - b);
        const firsts = samples.flatMap((s) => (s.first === null ? [] : [s.first])).sort((a, b) => a - b);
        rows.push({
          name,
          built,
          initP50: percentile(inits, 0.5),
          initP90: percentile(inits, 0.9),
          firstP50: firsts.length > 0 ? percentile(firsts, 0.5) : undefined,
          status: samples[0]?.status,
        });
      }
      report(sdk, rows);
    }
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  if (database) await database.stop(process.exitCode === undefined ? 0 : Number(process.exitCode));
}

function report(sdk: string, rows: Row[]): void {
  const floor = rows.find((r) => r.name === FLOOR) as Row;
  console.log(`\nAWS SDK ${sdk}${sdk === stackSdk ? ' (as deployed)' : ''}`);
  console.log(
    `${'function'.padEnd(11)}${pad('minified', 10)}${pad('gzipped', 9)}${pad('+floor', 9)}${pad('init p50', 11)}${pad('p90', 10)}${pad('+floor', 10)}${pad('first call', 12)}  budgets`,
  );
  let failed = 0;
  for (const row of rows) {
    const isFloor = row.name === FLOOR;
    const extraBytes = row.built.bytes - floor.built.bytes;
    const extraInit = row.initP50 - floor.initP50;
    const holds = isFloor || (extraInit <= INIT_BUDGET_MS && extraBytes <= BUNDLE_BUDGET_BYTES);
    if (!holds) failed += 1;
    const verdict = isFloor
      ? ''
      : holds
        ? 'ok'
        : [extraInit > INIT_BUDGET_MS ? `init +${extraInit.toFixed(0)} ms > ${INIT_BUDGET_MS}` : '', extraBytes > BUNDLE_BUDGET_BYTES ? `bundle +${kb(extraBytes)} > ${kb(BUNDLE_BUDGET_BYTES)}` : '']
            .filter(Boolean)
            .join(', ');
    console.log(
      `${row.name.padEnd(11)}${pad(kb(row.built.bytes), 10)}${pad(kb(row.built.gzipBytes), 9)}${pad(isFloor ? '' : kb(extraBytes), 9)}` +
        `${pad(ms(row.initP50), 11)}${pad(ms(row.initP90), 10)}${pad(isFloor ? '' : `${extraInit >= 0 ? '+' : ''}${extraInit.toFixed(1)}`, 10)}` +
        `${pad(row.firstP50 === undefined ? '-' : ms(row.firstP50), 12)}  ${verdict}${row.status !== undefined && row.status !== null ? ` (first call answered ${String(row.status)})` : ''}`,
    );
  }
  console.log(
    failed === 0
      ? `every function within floor + ${INIT_BUDGET_MS} ms init and floor + ${kb(BUNDLE_BUDGET_BYTES)} bundle`
      : `${failed} function(s) over a budget (init floor + ${INIT_BUDGET_MS} ms, bundle floor + ${kb(BUNDLE_BUDGET_BYTES)})`,
  );
  if (top > 0) {
    console.log(`\nlargest contributors (minified bytes in the bundle, esbuild metafile), SDK ${sdk}:`);
    for (const row of rows) {
      console.log(`  ${row.name}: ${row.built.contributors.slice(0, top).map(([owner, bytes]) => `${owner} ${kb(bytes)}`).join(', ')}`);
    }
  }
}

await main();
