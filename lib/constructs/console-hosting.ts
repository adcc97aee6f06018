import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source, type ISource } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SWAGGER_UI_FILES } from '../../shared/http/api-docs.js';
import { logicalIdOf } from './logical-id.js';

/** Where the console lives in the bucket and on the distribution (Vite `base`). */
export const CONSOLE_PATH = '/console/';
/** Where the API reference's assets live (the system function's DOCS_ASSETS_BASE points here). */
export const DOCS_ASSETS_PATH = '/docs-assets/';

/** Deployed instead of the console when console/dist was not built before the synth. */
export const CONSOLE_PLACEHOLDER_DIR = fileURLToPath(new URL('../console-placeholder/', import.meta.url));
/** Our own files of the API reference (the Swagger UI start script), next to the swagger-ui-dist ones. */
const OWN_DOCS_ASSETS_DIR = fileURLToPath(new URL('../docs-assets/', import.meta.url));
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * The CloudFront Function on viewer request (cloudfront-js-2.0): the console is a single-page app, so a path
 * under /console/ whose last segment has no file extension (`/console/members/m-1`) is one of its routes and
 * answers /console/index.html; a path with an extension is a file and goes to the bucket as asked, so a missing
 * asset is still a 404. `/` and `/console` redirect to `/console/`: nothing else lives at the root.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/') === 0 && uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '/console/index.html';
  }
  return request;
}
`;

/** `/console/config.json`: what the console reads at start to find the API and sign operators in. */
export interface ConsoleConfig {
  readonly apiBaseUrl: string;
  readonly auth: {
    readonly kind: 'cognito';
    /** OIDC issuer: https://cognito-idp.<region>.amazonaws.com/<pool id> */
    readonly authority: string;
    readonly clientId: string;
    readonly redirectUri: string;
    readonly logoutUri: string;
    /** The hosted UI domain (https://<prefix>.auth.<region>.amazoncognito.com): Cognito's logout endpoint is there. */
    readonly domain: string;
    readonly scope: string;
  };
}

export interface ConsoleHostingProps {
  /** The console's build (Vite output, `index.html` and `assets/`); a placeholder page is deployed while it is missing. */
  readonly consoleDist: string;
  /** Origins the console calls besides its own (CSP connect-src): the API, the Cognito domain and the Cognito IdP. */
  readonly connectSources: readonly string[];
  /** Retention of the deployment function's logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The operator console on AWS: a private bucket (console under console/, the API reference's assets under
 * docs-assets/) behind a CloudFront distribution that reads it with origin access control, answers HTTPS only
 * with security headers and a Content-Security-Policy, and sends the console's routes to its index.html.
 * Access logs of the bucket and the distribution go to a logs bucket. `deployConsole` uploads the build with
 * its config.json once the values it names (API, user pool client) exist.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logsBucket: Bucket;
  readonly distribution: Distribution;
  readonly spaFallback: CloudFrontFunction;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** Whether the real console build was found (otherwise the placeholder page is deployed). */
  readonly consoleBuilt: boolean;
  private readonly consoleDir: string;
  private readonly deploymentLogs: LogGroup;
  private deploymentFunctionAcknowledged = false;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);

    this.consoleBuilt = existsSync(join(props.consoleDist, 'index.html'));
    this.consoleDir = this.consoleBuilt ? props.consoleDist : CONSOLE_PLACEHOLDER_DIR;
    if (!this.consoleBuilt) {
      Annotations.of(this).addInfo(
        `console/dist has no build: deploying a placeholder page at ${CONSOLE_PATH} (npm run synth builds the console first)`,
      );
    }

    this.logsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes its files with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket of the console bucket and distribution; logging its own access would log the log deliveries.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/',
      // Everything in it is rebuilt from the repository by a deploy; kept on stack deletion like any bucket with objects.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.spaFallback = new CloudFrontFunction(this, 'SpaFallback', {
      code: FunctionCode.fromInline(SPA_FALLBACK_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Console routes under /console/ answer /console/index.html; / and /console redirect to /console/',
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Operator console: HSTS, nosniff, no framing, referrer policy, Content-Security-Policy',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleSecurityPolicy(props.connectSources), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true }],
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Points mall operator console and API reference assets',
      defaultBehavior: {
        // LIST as well as READ: without s3:ListBucket S3 answers 403 for a missing key, and a missing asset should be
        // a 404. The bucket holds only public web files, and `/` (the one path that would list) never reaches it:
        // the viewer-request function redirects it.
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [AccessLevel.READ, AccessLevel.LIST] }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: this.spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      // Never listed: `/` is redirected by the function first, and would be this file otherwise.
      defaultRootObject: 'console/index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is set, and the viewer-request function redirects / before it reaches the bucket; the bucket holds only public web files.',
    );
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'No geo restriction: operators sign in from wherever they work; the console is static files and every API call needs an operator token.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL: the distribution serves static files only (no API, no sign-in form of its own; Cognito and the API have their own throttling). A CloudFront web ACL must live in us-east-1, which this environment-agnostic stack cannot assume; attach one with webAclId where policy requires it.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate: CloudFront then negotiates TLSv1 and up and the minimum protocol cannot be raised. A custom domain needs an ACM certificate in us-east-1 and a DNS zone this stack does not own; with one, set minimumProtocolVersion TLS_V1_2_2021.',
      },
    );

    this.deploymentLogs = new LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The API reference's files: only the swagger-ui-dist files the page loads, and our start script.
    this.deploy('DocsAssets', {
      sources: [
        Source.asset(SWAGGER_UI_DIR, { exclude: ['*', ...SWAGGER_UI_FILES.map((file) => `!${file}`)] }),
        Source.asset(OWN_DOCS_ASSETS_DIR),
      ],
      prefix: DOCS_ASSETS_PATH,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.hours(1))],
    });
  }

  /** `https://<distribution domain>/console/` */
  get consoleUrl(): string {
    return `https://${this.distribution.distributionDomainName}${CONSOLE_PATH}`;
  }

  /** Where the API reference page loads its assets from (the system function's DOCS_ASSETS_BASE). */
  get docsAssetsBase(): string {
    return `https://${this.distribution.distributionDomainName}${DOCS_ASSETS_PATH}`;
  }

  /**
   * Uploads the console and its config.json. Hashed files (assets/) first, cached for a year and never pruned,
   * so a tab still running the previous build can load its chunks; then index.html, config.json and the rest,
   * never cached, which switch browsers to the new build.
   */
  deployConsole(config: ConsoleConfig): void {
    const hashedDir = join(this.consoleDir, 'assets');
    const hashed = existsSync(hashedDir)
      ? this.deploy('ConsoleHashedFiles', {
          sources: [Source.asset(hashedDir)],
          prefix: `${CONSOLE_PATH}assets/`,
          cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
          prune: false,
        })
      : undefined;
    const pages = this.deploy('ConsoleFiles', {
      sources: [Source.asset(this.consoleDir, { exclude: ['assets'] }), Source.jsonData('config.json', config)],
      prefix: CONSOLE_PATH,
      cacheControl: [CacheControl.noCache()],
      // Leaves the hashed files of this and earlier builds alone.
      exclude: ['assets/*'],
    });
    if (hashed) pages.node.addDependency(hashed);
  }

  private deploy(
    id: string,
    options: { sources: ISource[]; prefix: string; cacheControl: CacheControl[]; prune?: boolean; exclude?: string[] },
  ): BucketDeployment {
    const deployment = new BucketDeployment(this, id, {
      destinationBucket: this.bucket,
      destinationKeyPrefix: options.prefix.replace(/^\//, ''),
      sources: options.sources,
      cacheControl: options.cacheControl,
      prune: options.prune ?? true,
      exclude: options.exclude,
      distribution: this.distribution,
      distributionPaths: [`${options.prefix}*`],
      // Every deployment shares one function (same settings): enough memory for the Swagger UI bundle.
      memoryLimit: 512,
      logGroup: this.deploymentLogs,
      // The function would answer every key it wrote; nothing reads them.
      outputObjectKeys: false,
    });
    if (!this.deploymentFunctionAcknowledged) acknowledgeDeploymentFunction(deployment, logicalIdOf(this.bucket));
    this.deploymentFunctionAcknowledged = true;
    return deployment;
  }
}

/**
 * cdk-nag findings on the function CDK's BucketDeployment brings (one per stack, shared by the deployments):
 * its role and runtime are CDK's, not ours to narrow.
 */
function acknowledgeDeploymentFunction(deployment: BucketDeployment, bucketId: string): void {
  const role = deployment.handlerRole;
  const handler = role.node.scope;
  if (!handler) return;
  const copying = 'BucketDeployment copies the built files from the CDK asset bucket into the console bucket';
  Validations.of(role).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The deployment function (CDK BucketDeployment) logs with the standard Lambda logging policy, nothing else.',
    },
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `${copying}: it reads the assets, writes and prunes objects (and aborts failed uploads) in those two buckets only; CDK grants these action groups.`,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      reason: `${copying}: it reads the asset objects, whose keys are content hashes known only at publish time.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason: `${copying}: it writes every object of the console bucket, whose keys are the build's file names.`,
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation, granted by BucketDeployment on *: the function only invalidates the paths this stack gives it on the console distribution after a deployment.',
    },
  );
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason: "The deployment function's runtime (Python, with the AWS CLI layer) is chosen by aws-cdk-lib's BucketDeployment and moves with CDK upgrades.",
  });
}

/**
 * The console's Content-Security-Policy: its own scripts only, requests to itself, the API and Cognito only,
 * no plugins, no framing.
 */
export function consoleSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Ant Design 6 styles its components with CSS-in-JS: it writes <style> elements at run time whose contents
    // change with theme and props, so no hash can list them, and a nonce needs a server rendering each page
    // (this is a static site). Inline styles cannot run script; scripts stay 'self' only.
    "style-src 'self' 'unsafe-inline'",
    // Ant Design and ECharts draw some images and icons as data: URLs.
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${connectSources.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The Cognito IdP endpoint of the pool's region (OIDC discovery and keys of the `authority`). */
export function cognitoIdpOrigin(scope: Construct): string {
  const stack = Stack.of(scope);
  return `https://cognito-idp.${stack.region}.${stack.urlSuffix}`;
}
