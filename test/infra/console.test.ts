import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPA_FALLBACK_CODE } from '../../lib/constructs/console-hosting.js';
import { logicalIdOf } from '../../lib/constructs/logical-id.js';
import { PointsMallStack } from '../../lib/points-mall-stack.js';
import { OPERATOR_GROUPS } from '../../shared/http/auth.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

// A console build as Vite leaves it: index.html at the top, hashed files under assets/.
const builtDist = mkdtempSync(join(tmpdir(), 'points-mall-console-dist-'));
writeFileSync(join(builtDist, 'index.html'), '<!doctype html><title>console</title>');
mkdirSync(join(builtDist, 'assets'));
writeFileSync(join(builtDist, 'assets', 'index-3f2a1b.js'), 'console.log("console");');

let stack: PointsMallStack;
let template: Template;
let resources: Record<string, Resource>;

function synth(id: string, consoleDist: string): { stack: PointsMallStack; template: Template } {
  // No bundling and no CloudFormation schema validation (stack.test.ts says why).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const made = new PointsMallStack(app, id, { stage: 'test', eventBusName: 'points-mall-test', consoleDist });
  return { stack: made, template: Template.fromStack(made) };
}

beforeAll(() => {
  ({ stack, template } = synth('PointsMallConsole', builtDist));
  resources = template.toJSON().Resources as Record<string, Resource>;
});

afterAll(() => {
  rmSync(builtDist, { recursive: true, force: true });
});

const distributionId = () => logicalIdOf(stack.operatorConsole.distribution);
const domainName = () => ({ 'Fn::GetAtt': [distributionId(), 'DomainName'] });

function distributionConfig(): {
  DefaultCacheBehavior: Record<string, unknown>;
  Origins: Record<string, unknown>[];
  CustomErrorResponses?: unknown;
  Logging?: unknown;
} {
  return resources[distributionId()]!.Properties.DistributionConfig as never;
}

/** Runs the CloudFront Function's code on a viewer request for `uri`. */
function viewerRequest(uri: string): { uri?: string; statusCode?: number; headers?: { location?: { value: string } } } {
  const handler = new Function(`${SPA_FALLBACK_CODE}\nreturn handler;`)() as (event: unknown) => never;
  return handler({ request: { uri, method: 'GET', headers: {}, querystring: {}, cookies: {} } });
}

describe('console bucket', () => {
  it('blocks every kind of public access', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(stack.operatorConsole.logsBucket) } },
    });
    expect(resources[logicalIdOf(stack.operatorConsole.bucket)]!.Properties).toHaveProperty('PublicAccessBlockConfiguration.RestrictPublicBuckets', true);
  });

  it('lets only this distribution read it, and refuses plain HTTP', () => {
    // Prepare
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy', {
      Properties: { Bucket: { Ref: logicalIdOf(stack.operatorConsole.bucket) } },
    }))[0] as Resource;
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;

    // Assess
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['s3:GetObject', 's3:ListBucket'],
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allows[0]!.Condition)).toContain(distributionId());
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('console distribution', () => {
  it('reads the bucket through origin access control (signed requests, no OAI)', () => {
    // Prepare
    const [origin] = distributionConfig().Origins;
    const oacId = (origin!.OriginAccessControlId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

    // Assess
    expect(origin).toMatchObject({ S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(resources[oacId]).toMatchObject({
      Type: 'AWS::CloudFront::OriginAccessControl',
      Properties: { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } },
    });
  });

  it('redirects HTTP to HTTPS and serves only GET and HEAD', () => {
    // Assess
    expect(distributionConfig().DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
  });

  it('sends HSTS, nosniff, DENY framing, a referrer policy and a CSP allowing the API and Cognito', () => {
    // Prepare
    const policyId = (distributionConfig().DefaultCacheBehavior.ResponseHeadersPolicyId as { Ref: string }).Ref;
    const config = resources[policyId]!.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> };
    const headers = config.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy!.ContentSecurityPolicy);

    // Assess
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true });
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self' 'unsafe-inline';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' ");
    expect(csp).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stack.api.httpApi), 'ApiEndpoint'] }));
    expect(csp).toContain(JSON.stringify({ Ref: logicalIdOf(stack.auth.domain) }));
    expect(csp).toContain('https://cognito-idp.');
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('runs the SPA fallback on viewer request instead of mapping error codes', () => {
    // Assess
    expect(distributionConfig().DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [logicalIdOf(stack.operatorConsole.spaFallback), 'FunctionARN'] } },
    ]);
    expect(distributionConfig().CustomErrorResponses).toBeUndefined();
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }), AutoPublish: true });
  });

  it.each([
    ['/console/', '/console/index.html'],
    ['/console/members/m-1', '/console/index.html'],
    ['/console/callback', '/console/index.html'],
    ['/console/assets/index-3f2a1b.js', '/console/assets/index-3f2a1b.js'],
    ['/console/assets/missing.js', '/console/assets/missing.js'],
    ['/console/config.json', '/console/config.json'],
    ['/docs-assets/swagger-ui-bundle.js', '/docs-assets/swagger-ui-bundle.js'],
    ['/docs-assets/missing', '/docs-assets/missing'],
  ])('SPA fallback: %s goes to %s', (uri, expected) => {
    // Act
    const result = viewerRequest(uri);

    // Assess
    expect(result.statusCode).toBeUndefined();
    expect(result.uri).toBe(expected);
  });

  it.each(['/', '/console'])('SPA fallback: %s redirects to /console/', (uri) => {
    // Act
    const result = viewerRequest(uri);

    // Assess
    expect(result).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
  });

  it('logs requests to the access log bucket', () => {
    // Assess
    expect(distributionConfig().Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalIdOf(stack.operatorConsole.logsBucket), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });
});

describe('console deployment', () => {
  const deployments = () => Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[];
  const deploymentTo = (prefix: string) => deployments().find((d) => d.Properties.DestinationBucketKeyPrefix === prefix);

  it('uploads the hashed files for a year, never pruned, and the pages uncached with config.json', () => {
    // Assess
    expect(deploymentTo('console/assets/')?.Properties).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(deploymentTo('console/')?.Properties).toMatchObject({
      Prune: true,
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionPaths: ['/console/*'],
    });
  });

  it('writes config.json with the API, the pool, the console client and the callback on the distribution', () => {
    // Prepare
    const markers = JSON.stringify(deploymentTo('console/')?.Properties.SourceMarkers);

    // Assess
    for (const value of [
      { 'Fn::GetAtt': [logicalIdOf(stack.api.httpApi), 'ApiEndpoint'] },
      { Ref: logicalIdOf(stack.auth.userPool) },
      { Ref: logicalIdOf(stack.auth.consoleClient) },
      { Ref: logicalIdOf(stack.auth.domain) },
      domainName(),
    ]) {
      expect(markers).toContain(JSON.stringify(value));
    }
  });

  it('deploys the API reference assets and points the system function at them', () => {
    // Assess
    expect(deploymentTo('docs-assets/')?.Properties).toMatchObject({ DistributionPaths: ['/docs-assets/*'] });
    const env = (resources[logicalIdOf(stack.functions.system)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.DOCS_ASSETS_BASE).toEqual({ 'Fn::Join': ['', ['https://', domainName(), '/docs-assets/']] });
  });

  it('outputs the console URL and the API reference URL', () => {
    // Assess
    template.hasOutput('ConsoleUrl', { Value: { 'Fn::Join': ['', ['https://', domainName(), '/console/']] } });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.ApiDocsUrl?.Value)).toMatch(/"\/?v1\/docs"\]\]}$/);
  });

  it('deploys a placeholder page, and says so, when the console was not built', () => {
    // Act
    const missing = synth('PointsMallConsolePlaceholder', join(builtDist, 'not-built'));

    // Assess
    expect(missing.stack.operatorConsole.consoleBuilt).toBe(false);
    expect(Annotations.fromStack(missing.stack).findInfo('*', Match.stringLikeRegexp('placeholder'))).toHaveLength(1);
    const prefixes = Object.values(missing.template.findResources('Custom::CDKBucketDeployment')).map(
      (d) => (d as Resource).Properties.DestinationBucketKeyPrefix,
    );
    expect(prefixes.sort()).toEqual(['console/', 'docs-assets/']);
    expect(stack.operatorConsole.consoleBuilt).toBe(true);
  });
});

describe('operators in Cognito', () => {
  it.each([...OPERATOR_GROUPS])('has the operator group %s', (group) => {
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group, UserPoolId: { Ref: logicalIdOf(stack.auth.userPool) } });
  });

  it('gives the console a public client with the code flow (PKCE), OpenID scopes and the distribution as callback', () => {
    // Assess
    const callback = { 'Fn::Join': ['', ['https://', domainName(), '/console/callback']] };
    const logout = { 'Fn::Join': ['', ['https://', domainName(), '/console/']] };
    expect(resources[logicalIdOf(stack.auth.consoleClient)]!.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [callback],
      LogoutURLs: [logout],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it("lets the API's JWT authorizer accept the console's tokens", () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: Match.objectLike({ Audience: Match.arrayWith([{ Ref: logicalIdOf(stack.auth.consoleClient) }]) }),
    });
  });
});
