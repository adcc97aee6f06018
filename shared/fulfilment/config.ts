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
 *
 * The payment providers' refund APIs (shared/payments/) are configured the
 * same way under `PAYMENT_ENDPOINTS`, `PAYMENT_CREDENTIALS` and
 * `PAYMENT_SECRET_ARNS`: one `PartnerConfig` each.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '../zod.js';
import { awsClientOptions } from '../config/aws-clients.js';
import { ownValue } from '../domain/own-keys.js';

const endpointsSchema = z.record(z.string(), z.object({ baseUrl: z.url(), callbackDeadlineMinutes: z.optional(z.number().check(z.int(), z.gte(1), z.lte(43_200))) }));
const secretArnsSchema = z.record(z.string(), z.string().check(z.minLength(1)));

export interface SupplierEndpoint {
  readonly baseUrl: string;
  /** Minutes after a submission the first callback is due (else the adapter's default); suppliers only. */
  readonly callbackDeadlineMinutes?: number | undefined;
}

function parsedJson(name: string, source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    throw new Error(`environment variable ${name} is not valid JSON`);
  }
}

let secretsClient: SecretsManagerClient | undefined;

/** The partners we call (suppliers, payment providers): where they are and our credentials for them. */
export class PartnerConfig {
  private endpoints: { source: string; value: Record<string, SupplierEndpoint> } | undefined;
  /** Per cold start, per partner: the raw credentials JSON (a promise, so concurrent callers share one read). */
  private readonly secretReads = new Map<string, Promise<unknown>>();

  constructor(
    /** `supplier`, `payment provider`: names the partner in errors. */
    private readonly label: string,
    private readonly vars: { readonly endpoints: string; readonly credentials: string; readonly secretArns: string },
  ) {}

  /** The partner's endpoint; throws naming the variable when it is missing or malformed. */
  endpoint(id: string): SupplierEndpoint {
    const name = this.vars.endpoints;
    const source = process.env[name];
    if (!source) throw new Error(`missing required environment variable ${name}`);
    if (this.endpoints?.source !== source) {
      const checked = endpointsSchema.safeParse(parsedJson(name, source));
      if (!checked.success) throw new Error(`${name} must be { "<${this.label.replace(/ /g, '-')}>": { "baseUrl": "<url>", "callbackDeadlineMinutes"?: <1-43200> } }`);
      this.endpoints = { source, value: checked.data };
    }
    // Own keys only: an id such as "constructor" must not find Object.prototype's member.
    const endpoint = ownValue(this.endpoints.value, id);
    if (!endpoint) throw new Error(`${name} has no entry for ${this.label} ${id}`);
    // A trailing slash would double the one in each adapter's path.
    return { baseUrl: endpoint.baseUrl.replace(/\/+$/, ''), callbackDeadlineMinutes: endpoint.callbackDeadlineMinutes };
  }

  private async readSecret(id: string, arn: string): Promise<unknown> {
    secretsClient ??= new SecretsManagerClient(awsClientOptions());
    const answer = await secretsClient.send(new GetSecretValueCommand({ SecretId: arn }));
    if (answer.SecretString === undefined) throw new Error(`the credentials secret of ${this.label} ${id} has no string value`);
    try {
      return JSON.parse(answer.SecretString) as unknown;
    } catch {
      throw new Error(`the credentials secret of ${this.label} ${id} is not JSON`);
    }
  }

  private async rawCredentials(id: string): Promise<unknown> {
    const local = process.env[this.vars.credentials];
    if (local) {
      const all = parsedJson(this.vars.credentials, local) as Record<string, unknown> | null;
      const own = typeof all === 'object' && all !== null ? ownValue(all, id) : undefined;
      if (own === undefined) throw new Error(`${this.vars.credentials} has no entry for ${this.label} ${id}`);
      return own;
    }
    const arnsSource = process.env[this.vars.secretArns];
    if (!arnsSource) throw new Error(`missing required environment variable ${this.vars.secretArns} (or ${this.vars.credentials} locally)`);
    const arns = secretArnsSchema.safeParse(parsedJson(this.vars.secretArns, arnsSource));
    if (!arns.success) throw new Error(`${this.vars.secretArns} must be { "<${this.label.replace(/ /g, '-')}>": "<secret arn>" }`);
    const arn = ownValue(arns.data, id);
    if (!arn) throw new Error(`${this.vars.secretArns} has no entry for ${this.label} ${id}`);
    let read = this.secretReads.get(id);
    if (!read) {
      read = this.readSecret(id, arn);
      this.secretReads.set(id, read);
      // A failed read is not cached: the next invocation tries again.
      read.catch(() => this.secretReads.delete(id));
    }
    return read;
  }

  /** A partner's credentials, checked against its schema. The schema's error paths are reported, never the values. */
  async credentials<S extends z.ZodMiniType>(id: string, schema: S): Promise<z.output<S>> {
    const checked = schema.safeParse(await this.rawCredentials(id));
    if (!checked.success) {
      const fields = checked.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
      throw new Error(`the credentials of ${this.label} ${id} are incomplete or malformed (${fields})`);
    }
    return checked.data;
  }

  reset(): void {
    this.endpoints = undefined;
    this.secretReads.clear();
  }
}

const suppliers = new PartnerConfig('supplier', { endpoints: 'SUPPLIER_ENDPOINTS', credentials: 'SUPPLIER_CREDENTIALS', secretArns: 'SUPPLIER_SECRET_ARNS' });

/** The payment providers' refund APIs (shared/payments/). */
export const paymentProviders = new PartnerConfig('payment provider', {
  endpoints: 'PAYMENT_ENDPOINTS',
  credentials: 'PAYMENT_CREDENTIALS',
  secretArns: 'PAYMENT_SECRET_ARNS',
});

/** The supplier's endpoint; throws naming SUPPLIER_ENDPOINTS when it is missing or malformed. */
export function supplierEndpoint(supplierId: string): SupplierEndpoint {
  return suppliers.endpoint(supplierId);
}

/**
 * A supplier's credentials, checked against its schema. The schema's error
 * paths are reported, never the values.
 */
export async function supplierCredentials<S extends z.ZodMiniType>(supplierId: string, schema: S): Promise<z.output<S>> {
  return suppliers.credentials(supplierId, schema);
}

/** Tests and the local runtime change the environment between uses. */
export function resetSupplierConfigForTests(): void {
  suppliers.reset();
  paymentProviders.reset();
}
