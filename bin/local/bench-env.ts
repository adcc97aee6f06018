/**
 * What the benchmarks (bin/bench-*.ts) share: the process environment, an
 * in-memory DynamoDB Local with the table, the API served in-process, a
 * recorder of the TransactWriteItems this process sends (for write units),
 * and number formatting.
 *
 * Shared modules read their configuration once, at first use, so every
 * import here that reaches them is dynamic and runs after
 * `startBenchDatabase` has set the environment.
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { DevKeys } from './dev-keys.js';
import type { LocalHttpServer } from './http-server.js';

export const BENCH_TABLE_NAME = 'points-mall-bench';

export interface BenchDatabaseOptions {
  /** Powertools log level of the handlers (default ERROR: a benchmark's refusals are expected). */
  readonly logLevel?: string;
}

export interface BenchDatabase {
  readonly endpoint: string;
  /** Stops DynamoDB Local (once) and exits with `code`. */
  stop(code: number): Promise<never>;
}

/**
 * Sets the environment, starts DynamoDB Local in memory, creates the table
 * from the shared definition and stops DynamoDB Local on SIGINT/SIGTERM.
 */
export async function startBenchDatabase(options: BenchDatabaseOptions = {}): Promise<BenchDatabase> {
  process.env.TABLE_NAME = BENCH_TABLE_NAME;
  // List cursors need a key; a benchmark's cursors live as long as its process.
  process.env.CURSOR_KEY ??= randomBytes(48).toString('base64url');
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.STAGE = 'local';
  process.env.POWERTOOLS_LOG_LEVEL ??= options.logLevel ?? 'ERROR';
  process.env.POWERTOOLS_DEV ??= 'true';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const { startDynamoDbLocal } = await import('./dynamodb-local.js');
  const dynamo = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await dynamo.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  try {
    const { ensureTable, localClient } = await import('./table.js');
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, BENCH_TABLE_NAME);
    client.destroy();
  } catch (error) {
    console.error(error);
    return stop(1);
  }
  return { endpoint: dynamo.endpoint, stop };
}

export interface InProcessApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly server: LocalHttpServer;
  close(): Promise<void>;
}

/** Serves the API in-process on a free port, as `npm start` does (the same HTTP server, gateway, JWT check and handlers), without the request log. */
export async function serveApiInProcess(devKeys: DevKeys): Promise<InProcessApi> {
  const { LocalGateway } = await import('./gateway.js');
  const { LISTEN_BACKLOG, createLocalHttpServer } = await import('./http-server.js');
  const server = createLocalHttpServer(new LocalGateway(devKeys), { logRequests: false });
  await new Promise<void>((resolveListen) => server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  };
}

/** TransactWriteItems of one kind of operation, as sent on the wire. */
export interface TransactTally {
  committed: number;
  /** Write units of the committed transactions, computed from the requests (shared/table/write-units.ts). */
  committedUnits: number;
  cancelled: number;
  cancelledUnits: number;
  /** Why transactions were cancelled: `<code> on <item kind>` (e.g. `ConditionalCheckFailed on STOCK`, see `itemKind`). */
  readonly reasons: Map<string, number>;
  /** A committed transaction with the most items (the first of them), to show what one such operation writes. */
  sample: TransactWriteItem[] | undefined;
}

export interface TransactWriteRecorder {
  /** Off until set; only transactions sent while on are counted. */
  recording: boolean;
  /** Tallies by the label `labelOf` gave each transaction. */
  readonly tallies: Map<string, TransactTally>;
  /** The tally of one label (an empty one when nothing was recorded under it). */
  tally(label: string): TransactTally;
}

/** The item kind of a partition key: `WALLET#m1#points` -> `WALLET`. */
export function keyKind(pk: string): string {
  return pk.replace(/#.*/, '');
}

/**
 * What an item is, from its key: a member's item by its sort key (`WALLET`,
 * `LEDGER`, `SPIN` ...), any other by its partition key, with the sort key's
 * kind when that says more (`POOL/COUNTERS`, `AUCTION/BID`).
 */
export function itemKind(key: { PK: string; SK: string }): string {
  const pk = keyKind(key.PK);
  const sk = keyKind(key.SK);
  if (pk === 'MEMBER') return sk;
  return sk === pk ? pk : `${pk}/${sk}`;
}

/** The key (PK, SK) of one item of a TransactWriteItems request. */
export function transactItemKey(item: TransactWriteItem): { PK: string; SK: string } {
  const key = item.Update?.Key ?? item.Put?.Item ?? item.ConditionCheck?.Key ?? item.Delete?.Key;
  return { PK: key?.PK?.S ?? '', SK: key?.SK?.S ?? '' };
}

/**
 * Counts the TransactWriteItems this process sends through `db()` (the
 * handlers run in-process), with their write units as AWS bills them,
 * computed from each request as marshalled on the wire, under the label
 * `labelOf` gives it.
 */
export async function recordTransactWrites(labelOf: (items: readonly TransactWriteItem[]) => string = () => 'all'): Promise<TransactWriteRecorder> {
  const { db } = await import('../../shared/table/client.js');
  const { transactWriteUnits } = await import('../../shared/table/write-units.js');
  const tallies = new Map<string, TransactTally>();
  const empty = (): TransactTally => ({ committed: 0, committedUnits: 0, cancelled: 0, cancelledUnits: 0, reasons: new Map(), sample: undefined });
  const recorder: TransactWriteRecorder = {
    recording: false,
    tallies,
    tally: (label) => tallies.get(label) ?? empty(),
  };
  db().middlewareStack.add(
    (next, context) => async (buildArgs) => {
      if (!recorder.recording || context.commandName !== 'TransactWriteItemsCommand') return next(buildArgs);
      const body = (buildArgs.request as { body?: unknown }).body;
      const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : String(body);
      const items = (JSON.parse(text) as { TransactItems: TransactWriteItem[] }).TransactItems;
      const units = transactWriteUnits(items).units;
      const label = labelOf(items);
      const tally = tallies.get(label) ?? empty();
      tallies.set(label, tally);
      try {
        const result = await next(buildArgs);
        tally.committed += 1;
        tally.committedUnits += units;
        if (!tally.sample || items.length > tally.sample.length) tally.sample = items;
        return result;
      } catch (error) {
        tally.cancelled += 1;
        tally.cancelledUnits += units;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        reasons.forEach((reason, i) => {
          if (!reason.Code || reason.Code === 'None') return;
          const item = items[i];
          const reasonLabel = `${reason.Code} on ${item ? itemKind(transactItemKey(item)) : '?'}`;
          tally.reasons.set(reasonLabel, (tally.reasons.get(reasonLabel) ?? 0) + 1);
        });
        throw error;
      }
    },
    { step: 'build', name: 'benchTransactWriteUnits' },
  );
  return recorder;
}

/** Bytes each item of a transaction takes in the table now (0 for an item that is not there), for write units by the larger of sent and stored. */
export async function storedItemSizes(items: readonly TransactWriteItem[]): Promise<number[]> {
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { marshall } = await import('@aws-sdk/util-dynamodb');
  const { db, tableName } = await import('../../shared/table/client.js');
  const { itemSize } = await import('../../shared/table/write-units.js');
  return Promise.all(
    items.map(async (item) => {
      const stored = await db().send(new GetCommand({ TableName: tableName(), Key: transactItemKey(item) }));
      return stored.Item ? itemSize(marshall(stored.Item, { removeUndefinedValues: true })) : 0;
    }),
  );
}

/** A positive integer option (`--name`), or an error naming it. */
export function positiveInteger(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return parsed;
}

/** `1,234.5` */
export const fixed = (n: number, digits = 1): string => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** `1,235` */
export const whole = (n: number): string => Math.round(n).toLocaleString('en');
