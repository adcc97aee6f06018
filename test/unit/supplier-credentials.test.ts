import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSupplierConfigForTests, supplierCredentials } from '../../shared/fulfilment/config.js';
import { jdCredentialsSchema } from '../../shared/fulfilment/jd.js';

// Secrets Manager has no local peer: the one place this project mocks an AWS client for it.
const secrets = mockClient(SecretsManagerClient);
const JD_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:points-mall-test/suppliers/jd-AbCdEf';

beforeEach(() => {
  secrets.reset();
  delete process.env.SUPPLIER_CREDENTIALS;
  process.env.SUPPLIER_SECRET_ARNS = JSON.stringify({ jd: JD_ARN });
  resetSupplierConfigForTests();
});
afterEach(() => {
  delete process.env.SUPPLIER_SECRET_ARNS;
});

describe('supplier credentials on AWS', () => {
  it('reads the secret once per cold start, however many submissions follow', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: JD_ARN }).resolves({ SecretString: JSON.stringify({ appKey: 'k', appSecret: 's' }) });
    // Act
    const [first, second] = await Promise.all([supplierCredentials('jd', jdCredentialsSchema), supplierCredentials('jd', jdCredentialsSchema)]);
    const third = await supplierCredentials('jd', jdCredentialsSchema);
    // Assess
    expect(first).toEqual({ appKey: 'k', appSecret: 's' });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads again after a failed read', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: JSON.stringify({ appKey: 'k', appSecret: 's' }) });
    // Act
    const failed = supplierCredentials('jd', jdCredentialsSchema);
    await expect(failed).rejects.toThrow('throttled');
    const retried = await supplierCredentials('jd', jdCredentialsSchema);
    // Assess
    expect(retried.appKey).toBe('k');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses the placeholder value the stack creates, naming fields but no values', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ placeholder: 'replace me', generated: 'x9!secret' }) });
    // Act
    const attempt = supplierCredentials('jd', jdCredentialsSchema);
    // Assess
    await expect(attempt).rejects.toThrow('the credentials of supplier jd are incomplete or malformed (appKey, appSecret)');
    await expect(attempt).rejects.not.toThrow('x9!secret');
  });

  it('names a supplier without a secret', async () => {
    // Act / Assess
    await expect(supplierCredentials('tmall', jdCredentialsSchema)).rejects.toThrow('SUPPLIER_SECRET_ARNS has no entry for supplier tmall');
  });
});
