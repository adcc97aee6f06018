import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ADMIN_GROUP, INVENTORY_SCOPE, OPERATOR_GROUPS, POS_SCOPE } from '../../shared/http/auth.js';
import { pascal } from './logical-id.js';

/** What each operator group may do: the API enforces it (shared/http/roles.ts, the role x route table in docs/api.md). */
const OPERATOR_GROUP_DESCRIPTIONS: Record<string, string> = {
  marketer: 'Operators: earning rules, campaigns, pools, tasks, mall, coupons, auctions, draws; no point adjustments',
  support: 'Operators: member lookup, adjustments within limits, tier changes, order cancellations, purchase reviews, approvals',
  analyst: 'Operators: read only (reports, stats, lists, previews)',
};

/** Scopes of the console's tokens: OpenID sign-in with the operator's email and name. */
const CONSOLE_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE];

export interface ConsoleClientProps {
  /** Where the hosted UI sends the operator back with the code (https://<distribution>/console/callback). */
  readonly callbackUrls: string[];
  /** Where Cognito's logout endpoint may send the browser (https://<distribution>/console/). */
  readonly logoutUrls: string[];
}

/** Identifier of the resource server whose scopes POS tokens carry. */
export const RESOURCE_SERVER_ID = 'points-mall';
/** The scope as it appears in a POS access token and in a route's authorizationScopes. */
export const POS_OAUTH_SCOPE = `${RESOURCE_SERVER_ID}/${POS_SCOPE}`;
/** The scope of the inventory system's tokens: admitted on the stock-feed routes only (by the handler, lib/routes.ts `clientScope`). */
export const INVENTORY_OAUTH_SCOPE = `${RESOURCE_SERVER_ID}/${INVENTORY_SCOPE}`;

export interface PointsMallAuthProps {
  /**
   * Prefix of the Cognito domain that serves the OAuth token endpoint POS
   * terminals call (client credentials). Unique per region across all accounts.
   */
  readonly domainPrefix: string;
  /**
   * Stores that get a POS app client of their own (client credentials, scope `points-mall/pos`). An operator
   * binds each client id to its store in the registry (POST or PATCH /v1/admin/stores): the API takes a POS
   * request's store from its token's `client_id`. @default none (only the shared POS client)
   */
  readonly posStores?: readonly string[];
}

/**
 * One user pool for members (self sign-up from the app) and operators (groups
 * `admin`, `marketer`, `support`, `analyst`, created by an administrator). The
 * mobile app signs in with SRP; the operator console with the hosted UI
 * (authorization code with PKCE, `addConsoleClient`); POS terminals get machine
 * tokens with scope `points-mall/pos` through the client credentials flow, and
 * the inventory system tokens with scope `points-mall/inventory` (stock feeds).
 * Group and scope checks happen again in the handlers (shared/http/auth.ts).
 */
export class PointsMallAuth extends Construct {
  readonly userPool: UserPool;
  readonly mobileClient: UserPoolClient;
  readonly posClient: UserPoolClient;
  /** The POS app client of each store in `posStores`. */
  readonly storePosClients = new Map<string, UserPoolClient>();
  /** The inventory system's app client (client credentials, scope `points-mall/inventory`): stock feeds only. */
  readonly inventoryClient: UserPoolClient;
  /** The Cognito domain: the POS token endpoint and the console's hosted UI. */
  readonly domain: UserPoolDomain;
  /** The `iss` of every token of this pool. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: PointsMallAuthProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      deletionProtection: true,
      // Member identities: losing the pool orphans every account in the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is OPTIONAL (TOTP) rather than REQUIRED: members of a consumer loyalty programme sign up from the mobile app and forced MFA would block most of them; operators are expected to enrol TOTP.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Essentials tier: Plus is billed per monthly active user and a points programme has many low-value members; points-changing calls are protected by idempotency keys, conditional writes and the admin group check instead.',
      },
    );

    this.userPool.addGroup('AdminGroup', {
      groupName: ADMIN_GROUP,
      description: 'Operators: may call /v1/admin/* routes',
    });
    for (const group of OPERATOR_GROUPS.filter((g) => g !== ADMIN_GROUP)) {
      this.userPool.addGroup(`${pascal(group)}Group`, {
        groupName: group,
        description: OPERATOR_GROUP_DESCRIPTIONS[group] ?? `Operators: role ${group}`,
      });
    }

    const posScope = new ResourceServerScope({ scopeName: POS_SCOPE, scopeDescription: 'Point-of-sale terminals' });
    const inventoryScope = new ResourceServerScope({ scopeName: INVENTORY_SCOPE, scopeDescription: 'The inventory system: stock feeds' });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Points mall API',
      scopes: [posScope, inventoryScope],
    });

    this.mobileClient = this.userPool.addClient('MobileAppClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    const posClient = (id: string): UserPoolClient =>
      this.userPool.addClient(id, {
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          scopes: [OAuthScope.resourceServer(resourceServer, posScope)],
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        accessTokenValidity: Duration.hours(1),
      });
    this.posClient = posClient('PosClient');
    // One client per store: its tokens name the store through client_id once an operator binds it in the registry.
    for (const storeId of props.posStores ?? []) this.storePosClients.set(storeId, posClient(`PosClient-${storeId}`));
    // Its own client and scope, so its secret reaches nothing but the stock feeds (and a POS secret never reaches them).
    this.inventoryClient = this.userPool.addClient('InventoryClient', {
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(resourceServer, inventoryScope)],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
    });

    // Client credentials need the OAuth token endpoint, which lives on a domain; the console's hosted UI too.
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    this.issuer = `https://cognito-idp.${Stack.of(this).region}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
  }

  /** The operator console's app client, once `addConsoleClient` made it. */
  get consoleClient(): UserPoolClient {
    if (!this.console) throw new Error('the console client is made by addConsoleClient');
    return this.console;
  }

  private console: UserPoolClient | undefined;

  /**
   * The operator console's app client: the hosted UI's authorization code grant for a public client (no
   * secret, so the console sends a PKCE challenge with every sign-in; oidc-client-ts always does), scopes
   * openid, email and profile, sending operators back to the console only. No password or SRP flow: operators
   * sign in on the hosted UI, where Cognito asks for a new password at first sign-in and for TOTP when enrolled.
   */
  addConsoleClient(props: ConsoleClientProps): UserPoolClient {
    if (this.console) throw new Error('the console client exists already');
    this.console = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'operator-console',
      generateSecret: false,
      // Refresh only (CDK adds ALLOW_REFRESH_TOKEN_AUTH): no InitiateAuth with a password or SRP for this client.
      // Left empty, Cognito would allow SRP and custom auth by default.
      authFlows: { userPassword: false, adminUserPassword: false, userSrp: false, custom: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: CONSOLE_SCOPES,
        callbackUrls: props.callbackUrls,
        logoutUrls: props.logoutUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // About a working day: then the operator signs in again.
      refreshTokenValidity: Duration.hours(12),
    });
    return this.console;
  }

  /** The OAuth token endpoint POS terminals post their client credentials to. */
  get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }
}
