/**
 * The CDK app (cdk.json: `npx tsx bin/app.ts`). Environment-agnostic: no
 * account or region, no lookups, so `cdk synth` runs offline. Settings come
 * from context, e.g. `cdk deploy -c stage=prod -c alarmTopicArn=arn:...`.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PointsMallStack } from '../lib/points-mall-stack.js';

const app = new App();

function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberContext(name: string): number | undefined {
  const value = context(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`context ${name} must be a positive number, got "${value}"`);
  return parsed;
}

const stage = context('stage') ?? 'dev';

new PointsMallStack(app, `PointsMall-${stage}`, {
  description: `Points mall backend (${stage})`,
  stage,
  eventBusName: context('eventBusName'),
  apiRateLimit: numberContext('apiRateLimit'),
  apiBurstLimit: numberContext('apiBurstLimit'),
  corsAllowOrigins: context('corsAllowOrigins')?.split(','),
  authDomainPrefix: context('authDomainPrefix'),
  alarmTopicArn: context('alarmTopicArn'),
  reserveConcurrency: context('reserveConcurrency') !== 'false',
});

Tags.of(app).add('project', 'points-mall');
Tags.of(app).add('stage', stage);

// cdk-nag 3 runs as a policy-validation plugin (no longer an Aspect): any
// finding not acknowledged in the stack fails the synth with a report.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
