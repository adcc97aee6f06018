import type { UserManager } from 'oidc-client-ts';
import type { CognitoAuthConfig } from '../config';

let manager: Promise<UserManager> | undefined;

/**
 * oidc-client-ts's UserManager for the Cognito app client: authorization code with PKCE through the hosted UI.
 * Loaded on demand: the local sign-in never downloads it.
 */
function userManager(config: CognitoAuthConfig): Promise<UserManager> {
  manager ??= import('oidc-client-ts').then(
    ({ UserManager, WebStorageStateStore }) =>
      new UserManager({
        authority: config.authority,
        client_id: config.clientId,
        redirect_uri: config.redirectUri,
        scope: config.scope,
        response_type: 'code',
        // The PKCE verifier and state live in this tab only, like the token.
        stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
        userStore: new WebStorageStateStore({ store: window.sessionStorage }),
        automaticSilentRenew: false,
      }),
  );
  return manager;
}

/** Sends the browser to Cognito's hosted UI. */
export async function beginCognitoSignIn(config: CognitoAuthConfig): Promise<void> {
  await (await userManager(config)).signinRedirect();
}

let finishing: Promise<string> | undefined;

/**
 * On /console/callback: exchanges the code (with the PKCE verifier) for tokens and returns the access token, the one
 * the API's JWT authorizer takes. Once per page load (React's development mode renders effects twice; the code can
 * be exchanged only once).
 */
export function finishCognitoSignIn(config: CognitoAuthConfig): Promise<string> {
  finishing ??= userManager(config)
    .then((m) => m.signinRedirectCallback())
    .then((user) => user.access_token);
  return finishing;
}

/**
 * Forgets the tokens here, then ends the hosted UI's session: Cognito's /logout (the configured `logoutUri`, with the
 * client id and the URL to come back to) is not the standard end-session endpoint its discovery document lacks.
 */
export async function cognitoSignOut(config: CognitoAuthConfig): Promise<void> {
  await (await userManager(config)).removeUser();
  window.location.assign(config.logoutUri);
}
