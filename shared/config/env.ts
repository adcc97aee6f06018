/**
 * Environment configuration, read once per process. A missing required value
 * throws with its name so a misconfigured function fails at cold start, not
 * half-way through a request.
 */
function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`missing required environment variable ${name}`);
  return value;
}

export interface RuntimeConfig {
  readonly tableName: string;
  /** Set locally (DynamoDB Local); absent on AWS. */
  readonly dynamodbEndpoint: string | undefined;
  readonly region: string;
  readonly eventBusName: string;
  readonly stage: string;
}

let cached: RuntimeConfig | undefined;

export function config(): RuntimeConfig {
  cached ??= {
    tableName: required('TABLE_NAME'),
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    region: process.env.AWS_REGION ?? 'us-east-1',
    eventBusName: process.env.EVENT_BUS_NAME ?? 'points-mall',
    stage: process.env.STAGE ?? 'local',
  };
  return cached;
}

/** For tests and the local runtime, which set the environment before first use. */
export function resetConfigForTests(): void {
  cached = undefined;
}

/**
 * Where the list-cursor key comes from (shared/config/cursor-keys.ts): on AWS
 * the Secrets Manager secret named by CURSOR_KEY_SECRET_ARN; locally and in
 * tests the key text itself in CURSOR_KEY (and CURSOR_KEY_PREVIOUS while a
 * rotation settles). Read when a cursor is first sealed or opened, so only
 * functions that page need it.
 */
export type CursorKeySource =
  | { readonly kind: 'text'; readonly current: string; readonly previous: string | undefined }
  | { readonly kind: 'secret'; readonly secretArn: string };

export function cursorKeySource(): CursorKeySource {
  const current = process.env.CURSOR_KEY;
  if (current) return { kind: 'text', current, previous: process.env.CURSOR_KEY_PREVIOUS || undefined };
  const secretArn = process.env.CURSOR_KEY_SECRET_ARN;
  if (!secretArn) throw new Error('missing required environment variable CURSOR_KEY_SECRET_ARN (or CURSOR_KEY locally)');
  return { kind: 'secret', secretArn };
}
