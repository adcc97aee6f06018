import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PointsMallFunction } from './points-mall-function.js';

export interface CursorKeyProps {
  readonly stage: string;
}

/**
 * The key that seals list cursors (shared/table/cursor.ts): a Secrets Manager
 * secret whose value is 64 generated characters, stretched into an AES-256
 * key by the functions. Only functions that page get its ARN and read access.
 * Rotation is a new value put by an operator (docs/operations.md); the
 * functions keep opening cursors sealed with the AWSPREVIOUS version.
 */
export class CursorKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: CursorKeyProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      secretName: `points-mall-${props.stage}/cursor-key`,
      description: 'Seals list cursors (AES-256-GCM key material). Rotate by putting a new random value: docs/operations.md.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A rotation Lambda would only put a new random value, which an operator does with one put-secret-value (docs/operations.md); the functions read AWSCURRENT and AWSPREVIOUS, so a rotation never breaks a cursor in flight. A cursor lives 24 hours, so a leaked key only ever exposes table keys of pages, not data.',
    });
  }

  /** Lets a function seal and open cursors: CURSOR_KEY_SECRET_ARN in its environment and read access to this secret only. */
  grantTo(fn: PointsMallFunction): void {
    fn.addEnvironment('CURSOR_KEY_SECRET_ARN', this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}
