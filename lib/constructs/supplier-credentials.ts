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
}

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

  constructor(scope: Construct, id: string, props: SupplierCredentialsProps) {
    super(scope, id);
    this.endpoints = props.endpoints;
    const secrets: Record<string, Secret> = {};
    for (const supplier of props.suppliers) {
      const secret = new Secret(this, `${supplier}Secret`, {
        secretName: `points-mall-${props.stage}/suppliers/${supplier}`,
        description: `Credentials of the ${supplier} order API (JSON). Created with a placeholder: put the real credentials in before the first supplier order.`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ placeholder: 'replace this secret value with the supplier credentials' }),
          generateStringKey: 'generated',
        },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `The ${supplier} API credentials are issued by the supplier, not by us: no rotation Lambda can mint new ones. Operators rotate them by hand when the supplier reissues them (docs/operations.md).`,
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
    fn.addEnvironment('SUPPLIER_ENDPOINTS', JSON.stringify(this.endpoints));
    // The ARNs are tokens until deploy time: toJsonString renders them into the JSON correctly.
    const arns = Object.fromEntries(Object.entries(this.secrets).map(([supplier, secret]) => [supplier, secret.secretArn]));
    fn.addEnvironment('SUPPLIER_SECRET_ARNS', Stack.of(this).toJsonString(arns));
    for (const secret of Object.values(this.secrets)) secret.grantRead(fn);
  }
}
