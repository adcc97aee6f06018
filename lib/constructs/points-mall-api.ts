import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routeKey, type FunctionName, type RouteSpec } from '../routes.js';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '../../shared/http/cors.js';

export interface PointsMallApiProps {
  readonly apiName: string;
  /** Every route of lib/routes.ts. */
  readonly routes: readonly RouteSpec[];
  /** The `$default` catch-all and the function that answers it. */
  readonly defaultRoute: RouteSpec;
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  /** JWT issuer (the Cognito user pool). */
  readonly jwtIssuer: string;
  /** Client ids whose tokens the API accepts. */
  readonly jwtAudience: string[];
  /** Scope a POS token must carry (`points-mall/pos`). */
  readonly posScope: string;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly corsAllowOrigins: string[];
  readonly logRetention: RetentionDays;
}

/** Headers browser clients send: the bearer token, JSON bodies, and idempotency keys. */

/** One JSON line per request: enough to find a request in the function logs and see who was refused where. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    subject: '$context.authorizer.claims.sub',
    clientId: '$context.authorizer.claims.client_id',
  }),
);

/**
 * The HTTP API: one route per entry of the route table, each integrated with
 * its capability's function; JWT auth at the gateway for member, admin and POS
 * routes (POS also needs the scope), the group check in the handler.
 */
export class PointsMallApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: PointsMallApiProps) {
    super(scope, id);

    const methods = [...new Set(props.routes.map((r) => r.method))];
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsAllowOrigins,
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: CORS_EXPOSE_HEADERS,
        allowMethods: methods.map((m) => CorsHttpMethod[m]),
        maxAge: Duration.days(1),
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const authorizer = new HttpJwtAuthorizer('CognitoJwt', props.jwtIssuer, { jwtAudience: props.jwtAudience });

    // One integration per function; one invoke permission for the whole API
    // (not one per route), so the function policy stays small as routes grow.
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationOf = (fn: FunctionName) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn}Integration`, props.functions[fn], { scopePermissionToRoute: false });
        integrations.set(fn, integration);
      }
      return integration;
    };

    const addRoute = (route: RouteSpec, key: HttpRouteKey, publicReason: string) => {
      const httpRoute = new HttpRoute(this, `Route ${routeKey(route)}`, {
        httpApi: this.httpApi,
        routeKey: key,
        integration: integrationOf(route.fn),
        ...(route.auth === 'public'
          ? {}
          : { authorizer, ...(route.auth === 'pos' ? { authorizationScopes: [props.posScope] } : {}) }),
      });
      if (route.auth === 'public') Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: publicReason });
    };

    for (const route of props.routes) {
      addRoute(
        route,
        HttpRouteKey.with(route.path, HttpMethod[route.method]),
        `${routeKey(route)} is public by design in lib/routes.ts (${route.operation}): it serves no member data, or, for partner callbacks, the handler verifies the message signature instead of a JWT.`,
      );
    }
    addRoute(
      props.defaultRoute,
      HttpRouteKey.DEFAULT,
      'The $default catch-all only answers problem+json 404/405 for paths and methods the API does not have; it reads no data and changes nothing.',
    );
  }

  /** Base URL of the API (the `$default` stage). */
  get url(): string {
    return this.stage.url;
  }
}
