import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { logicalIdOf } from '../../lib/constructs/logical-id.js';
import { PointsMallStack } from '../../lib/points-mall-stack.js';

let stack: PointsMallStack;
let template: Template;

beforeAll(() => {
  // Prepare: stores from context, as `cdk deploy -c posStores=store1,store2` passes them
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], posStores: 'store1,store2' }, builtinCloudFormationValidation: false });
  stack = new PointsMallStack(app, 'PointsMallPosClients', { stage: 'test', eventBusName: 'points-mall-test' });
  template = Template.fromStack(stack);
});

describe('POS app clients per store', () => {
  it('creates one client-credentials client with a secret per store, besides the shared one (and the inventory system\'s)', () => {
    const machineClients = template.findResources('AWS::Cognito::UserPoolClient', {
      Properties: { GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthFlowsUserPoolClient: true },
    });
    expect([...stack.auth.storePosClients.keys()]).toEqual(['store1', 'store2']);
    expect(Object.keys(machineClients).sort()).toEqual(
      [stack.auth.posClient, ...stack.auth.storePosClients.values(), stack.auth.inventoryClient].map((c) => logicalIdOf(c)).sort(),
    );
  });

  it('lets the JWT authorizer accept their tokens and outputs their ids for binding', () => {
    const audience = [stack.auth.mobileClient, stack.auth.posClient, ...stack.auth.storePosClients.values(), stack.auth.consoleClient, stack.auth.inventoryClient].map((c) => ({
      Ref: logicalIdOf(c),
    }));
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { JwtConfiguration: Match.objectLike({ Audience: audience }) });
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs.filter((o) => o.startsWith('PosClientId'))).toEqual(['PosClientId', 'PosClientIdstore1', 'PosClientIdstore2']);
  });
});
