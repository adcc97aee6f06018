/**
 * Starts `npm start -- --in-memory` (bin/local.ts) as a child process on a
 * free port, for the browser tests and `npm run screenshots`: the real local
 * stack, as a developer runs it, with its own temp data directory (dev keys)
 * and a throwaway database. The child leads its own process group, so stopping
 * it also ends what it started (DynamoDB Local's java, a console build).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './dynamodb-local.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface LocalStackOptions {
  /** Simulated suppliers' delay per callback step (default 200 ms: fulfilment completes within a test). */
  readonly supplierDelayMs?: number;
  /** How long to wait for /v1/health (DynamoDB Local start and the demo seed). */
  readonly healthTimeoutMs?: number;
  /**
   * How long to wait for /console/ once the API answers: `npm start` builds the console on a first start.
   * Only waited for when the repository has the console (console/index.html).
   */
  readonly consoleTimeoutMs?: number;
  /** Prints the child's output as it comes (default: kept, and shown only if the start fails). */
  readonly echo?: boolean;
  /**
   * Whether to build (when stale) and wait for the operator console (default true). Without it the stack starts
   * with `--no-console-build` and is ready once the API answers: for tests of the API alone.
   */
  readonly console?: boolean;
}

export interface LocalStack {
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly baseUrl: string;
  /** The stack's DATA_DIR: its dev JWT keys are in `keys/`. */
  readonly dataDir: string;
  /** Whether /console/ answered with a page. */
  readonly consoleServed: boolean;
  /** The last lines the stack printed. */
  output(): string;
  /** Stops the stack and everything it started, and removes its data directory. */
  stop(): Promise<void>;
}

const OUTPUT_KEEP_CHARS = 64 * 1024;

/** Whether this checkout has the operator console (then `npm start` serves it at /console/). */
export function repositoryHasConsole(): boolean {
  return existsSync(join(root, 'console', 'index.html'));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

function exited(child: ChildProcess, withinMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

async function answers(url: string, accept: (res: Response) => boolean): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return accept(res);
  } catch {
    return false;
  }
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'points-mall-stack-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    TABLE_NAME: 'points-mall',
    SUPPLIER_DELAY_MS: String(options.supplierDelayMs ?? 200),
  };
  // What a test runner may have set for its own DynamoDB Local must not redirect the stack's.
  delete env.DYNAMODB_ENDPOINT;
  delete env.CURSOR_KEY;
  // vitest sets NODE_ENV=test: the stack's console build would inherit it and ship React's and antd's test-mode
  // code (antd's ids all "test-id", so dialogs lose their accessible names). The stack runs as `npm start` does.
  delete env.NODE_ENV;

  const withConsole = options.console ?? true;
  const flags = ['--in-memory', '--no-schedules', ...(withConsole ? [] : ['--no-console-build'])];
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', ...flags], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (options.echo) process.stdout.write(text);
    output = (output + text).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // If this process ends without stopping the stack (a crash, Ctrl-C), the stack must not outlive it.
  const killOnExit = () => {
    killGroup(child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Ctrl-C as a developer would: the stack stops its servers and DynamoDB Local; then nothing of the group may remain.
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, 'SIGINT');
      } catch {
        // already gone
      }
      await exited(child, 10_000);
    }
    killGroup(child, 'SIGKILL');
    process.removeListener('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const fail = async (why: string): Promise<never> => {
    const printed = output;
    await stop();
    throw new Error(`the local stack (npm start -- --in-memory on ${baseUrl}) ${why}\n--- its output ---\n${printed}`);
  };

  const waitFor = async (what: string, url: string, accept: (res: Response) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) await fail(`exited (${child.exitCode ?? child.signalCode}) before ${what} answered`);
      if (await answers(url, accept)) return;
      if (Date.now() > deadline) await fail(`did not answer ${what} within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  await waitFor('/v1/health', `${baseUrl}/v1/health`, (res) => res.ok, options.healthTimeoutMs ?? 180_000);
  let consoleServed = false;
  if (withConsole && repositoryHasConsole()) {
    const isPage = (res: Response) => res.ok && (res.headers.get('content-type') ?? '').startsWith('text/html');
    await waitFor('/console/', `${baseUrl}/console/`, isPage, options.consoleTimeoutMs ?? 180_000);
    consoleServed = true;
  }
  return { baseUrl, dataDir, consoleServed, output: () => output, stop };
}
