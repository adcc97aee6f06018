/**
 * The console's run-time configuration, fetched from /console/config.json at start (one build serves every stage):
 * locally `{ "apiBaseUrl": "", "auth": { "kind": "local" } }` from the local runtime, on AWS written beside the
 * app by the stack with the API's URL and the Cognito app client.
 */
export interface ConsoleConfig {
  /** The API's origin, '' for the console's own origin. */
  readonly apiBaseUrl: string;
  readonly auth: LocalAuthConfig | CognitoAuthConfig;
}

/** The local runtime: demo operators, tokens from /local/operator-tokens. */
export interface LocalAuthConfig {
  readonly kind: 'local';
}

/** Cognito's hosted UI: authorization code with PKCE (oidc-client-ts). */
export interface CognitoAuthConfig {
  readonly kind: 'cognito';
  /** The user pool's issuer, e.g. https://cognito-idp.<region>.amazonaws.com/<poolId>. */
  readonly authority: string;
  readonly clientId: string;
  /** This app's /console/callback URL (a callback URL of the app client). */
  readonly redirectUri: string;
  /** Where sign-out sends the browser: the hosted UI's /logout with client_id and logout_uri. */
  readonly logoutUri: string;
  readonly scope: string;
}

export const CONFIG_PATH = `${import.meta.env.BASE_URL}config.json`;

function isConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== 'object' || value === null) return false;
  const { apiBaseUrl, auth } = value as { apiBaseUrl?: unknown; auth?: { kind?: unknown } };
  if (typeof apiBaseUrl !== 'string' || typeof auth !== 'object' || auth === null) return false;
  if (auth.kind === 'local') return true;
  if (auth.kind !== 'cognito') return false;
  const cognito = auth as Record<string, unknown>;
  return ['authority', 'clientId', 'redirectUri', 'logoutUri', 'scope'].every((k) => typeof cognito[k] === 'string');
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(CONFIG_PATH, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${CONFIG_PATH} answered ${response.status}`);
  const config: unknown = await response.json();
  if (!isConfig(config)) throw new Error(`${CONFIG_PATH} is not a console configuration`);
  return { ...config, apiBaseUrl: config.apiBaseUrl.replace(/\/+$/, '') };
}
