/**
 * Where the suppliers are and how we authenticate to them.
 *
 * - `SUPPLIER_ENDPOINTS` (JSON, required): `{ "jd": { "baseUrl": "https://...", "callbackDeadlineMinutes": 120 }, "tmall": { ... } }`
 *   (`callbackDeadlineMinutes` optional: when a submitted order without a callback counts as stuck).
 * - Credentials, per supplier: locally `SUPPLIER_CREDENTIALS` (JSON:
 *   `{ "jd": { "appKey", "appSecret" }, "tmall": { "apiToken" } }`); on AWS
 *   `SUPPLIER_SECRET_ARNS` (JSON: `{ "jd": "<secret arn>", ... }`), each
 *   secret's value being that supplier's credentials JSON, read from Secrets
 *   Manager once per cold start.
 *
 * Credentials are never logged, and errors about them name the supplier and
 * the variable, never a value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { awsClientOptions } from '../config/aws-clients.js';
import { ownValue } from '../domain/own-keys.js';

const endpointsSchema = z.record(z.string(), z.object({ baseUrl: z.url(), callbackDeadlineMinutes: z.number().int().min(1).max(43_200).optional() }));
const secretArnsSchema = z.record(z.string(), z.string().min(1));

export interface SupplierEndpoint {
  readonly baseUrl: string;
  /** Minutes after a submission the first callback is due (else the adapter's default). */
  readonly callbackDeadlineMinutes?: number | undefined;
}

function parsedJson(name: string, source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    throw new Error(`environment variable ${name} is not valid JSON`);
  }
}

let endpoints: { source: string; value: Record<string, SupplierEndpoint> } | undefined;

/** The supplier's endpoint; throws naming SUPPLIER_ENDPOINTS when it is missing or malformed. */
export function supplierEndpoint(supplierId: string): SupplierEndpoint {
  const source = process.env.SUPPLIER_ENDPOINTS;
  if (!source) throw new Error('missing required environment variable SUPPLIER_ENDPOINTS');
  if (endpoints?.source !== source) {
    const checked = endpointsSchema.safeParse(parsedJson('SUPPLIER_ENDPOINTS', source));
    if (!checked.success) throw new Error(`SUPPLIER_ENDPOINTS must be { "<supplier>": { "baseUrl": "<url>", "callbackDeadlineMinutes"?: <1-43200> } }`);
    endpoints = { source, value: checked.data };
  }
  // Own keys only: a supplier id such as "constructor" must not find Object.prototype's member.
  const endpoint = ownValue(endpoints.value, supplierId);
  if (!endpoint) throw new Error(`SUPPLIER_ENDPOINTS has no entry for supplier ${supplierId}`);
  // A trailing slash would double the one in each adapter's path.
  return { baseUrl: endpoint.baseUrl.replace(/\/+$/, ''), callbackDeadlineMinutes: endpoint.callbackDeadlineMinutes };
}

let secretsClient: SecretsManagerClient | undefined;
/** Per cold start, per supplier: the raw credentials JSON (a promise, so concurrent callers share one read). */
const secretReads = new Map<string, Promise<unknown>>();

async function readSecret(supplierId: string, arn: string): Promise<unknown> {
  secretsClient ??= new SecretsManagerClient(awsClientOptions());
  const answer = await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }));
  if (answer.SecretString === undefined) throw new Error(`the credentials secret of supplier ${supplierId} has no string value`);
  try {
    return JSON.parse(answer.SecretString) as unknown;
  } catch {
    throw new Error(`the credentials secret of supplier ${supplierId} is not JSON`);
  }
}

async function rawCredentials(supplierId: string): Promise<unknown> {
  const local = process.env.SUPPLIER_CREDENTIALS;
  if (local) {
    const all = parsedJson('SUPPLIER_CREDENTIALS', local) as Record<string, unknown> | null;
    const own = typeof all === 'object' && all !== null ? ownValue(all, supplierId) : undefined;
    if (own === undefined) throw new Error(`SUPPLIER_CREDENTIALS has no entry for supplier ${supplierId}`);
    return own;
  }
  const arnsSource = process.env.SUPPLIER_SECRET_ARNS;
  if (!arnsSource) throw new Error('missing required environment variable SUPPLIER_SECRET_ARNS (or SUPPLIER_CREDENTIALS locally)');
  const arns = secretArnsSchema.safeParse(parsedJson('SUPPLIER_SECRET_ARNS', arnsSource));
  if (!arns.success) throw new Error('SUPPLIER_SECRET_ARNS must be { "<supplier>": "<secret arn>" }');
  const arn = ownValue(arns.data, supplierId);
  if (!arn) throw new Error(`SUPPLIER_SECRET_ARNS has no entry for supplier ${supplierId}`);
  let read = secretReads.get(supplierId);
  if (!read) {
    read = readSecret(supplierId, arn);
    secretReads.set(supplierId, read);
    // A failed read is not cached: the next invocation tries again.
    read.catch(() => secretReads.delete(supplierId));
  }
  return read;
}

/**
 * A supplier's credentials, checked against its schema. The schema's error
 * paths are reported, never the values.
 */
export async function supplierCredentials<S extends z.ZodType>(supplierId: string, schema: S): Promise<z.output<S>> {
  const checked = schema.safeParse(await rawCredentials(supplierId));
  if (!checked.success) {
    const fields = checked.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new Error(`the credentials of supplier ${supplierId} are incomplete or malformed (${fields})`);
  }
  return checked.data;
}

/** Tests and the local runtime change the environment between uses. */
export function resetSupplierConfigForTests(): void {
  endpoints = undefined;
  secretReads.clear();
}
