import { Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PointsMallFunction } from './points-mall-function.js';

export interface SupplierEndpointConfig {
  readonly baseUrl: string;
  /** Minutes after a submission the supplier's first callback is due; past it the order is listed as stuck. @default the adapter's */
  readonly callbackDeadlineMinutes?: number;
}

export interface SupplierCredentialsProps {
  /** Supplier ids (`jd`, `tmall`): one secret each. */
  readonly suppliers: readonly string[];
  readonly stage: string;
  /** Base URL of each supplier's order API, passed to the functions as SUPPLIER_ENDPOINTS. */
  readonly endpoints: Readonly<Record<string, SupplierEndpointConfig>>;
  /**
   * Whose credentials: the suppliers' order APIs (SUPPLIER_ENDPOINTS, SUPPLIER_SECRET_ARNS) or the payment
   * providers' refund APIs (PAYMENT_ENDPOINTS, PAYMENT_SECRET_ARNS; shared/payments/). @default 'suppliers'
   */
  readonly kind?: 'suppliers' | 'payments';
}

const partners = {
  suppliers: { api: 'order API', env: 'SUPPLIER', who: 'supplier' },
  payments: { api: 'refund API', env: 'PAYMENT', who: 'payment provider' },
} as const;

/**
 * One Secrets Manager secret per supplier, holding the credentials of its
 * order API (JSON, shape per adapter: `{ appKey, appSecret }` for JD,
 * `{ apiToken }` for Tmall). The stack creates each with a generated
 * placeholder value; operators put the real credentials in
 * (`aws secretsmanager put-secret-value`, see docs/operations.md). Until they
 * do, the adapter refuses to submit, naming the missing fields, never values.
 */
export class SupplierCredentials extends Construct {
  readonly secrets: Readonly<Record<string, Secret>>;
  private readonly endpoints: Readonly<Record<string, SupplierEndpointConfig>>;
  private readonly kind: 'suppliers' | 'payments';

  constructor(scope: Construct, id: string, props: SupplierCredentialsProps) {
    super(scope, id);
    this.endpoints = props.endpoints;
    this.kind = props.kind ?? 'suppliers';
    const partner = partners[this.kind];
    const secrets: Record<string, Secret> = {};
    for (const supplier of props.suppliers) {
      const secret = new Secret(this, `${supplier}Secret`, {
        secretName: `points-mall-${props.stage}/${this.kind}/${supplier}`,
        description: `Credentials of the ${supplier} ${partner.api} (JSON). Created with a placeholder: put the real credentials in before the first ${this.kind === 'suppliers' ? 'supplier order' : 'cash refund'}.`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ placeholder: `replace this secret value with the ${partner.who} credentials` }),
          generateStringKey: 'generated',
        },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The ${supplier} API credentials are issued by the ${partner.who}, not by us: no rotation Lambda can mint new ones. Operators rotate them by hand when the supplier reissues them (docs/operations.md).`,
      });
      secrets[supplier] = secret;
    }
    this.secrets = secrets;
  }

  /**
   * Lets a function call the suppliers: SUPPLIER_ENDPOINTS and
   * SUPPLIER_SECRET_ARNS in its environment, and read access to each secret
   * (secretsmanager:GetSecretValue and DescribeSecret on those secrets only).
   */
  grantTo(fn: PointsMallFunction): void {
    const env = partners[this.kind].env;
    fn.addEnvironment(`${env}_ENDPOINTS`, JSON.stringify(this.endpoints));
    // The ARNs are tokens until deploy time: toJsonString renders them into the JSON correctly.
    const arns = Object.fromEntries(Object.entries(this.secrets).map(([supplier, secret]) => [supplier, secret.secretArn]));
    fn.addEnvironment(`${env}_SECRET_ARNS`, Stack.of(this).toJsonString(arns));
    for (const secret of Object.values(this.secrets)) secret.grantRead(fn);
  }
}
