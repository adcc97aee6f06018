import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DomainError } from '../errors.js';
import type { ClientScope, RouteAuth } from '../../lib/routes.js';
import { operatorRule, OPERATOR_ROLES, roleAdmitting, type OperatorRole } from './roles.js';

/** Who is calling, as read from the JWT claims the authorizer verified. */
export interface Caller {
  /** Token subject: the member id for member tokens. */
  readonly subject: string | undefined;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  /** The app client the token was issued to; for POS tokens the store registry maps it to a store (shared/stores/pos-store.ts). */
  readonly clientId: string | undefined;
}

/** The scope POS client-credentials tokens carry (`<resource-server>/pos` in Cognito). */
export const POS_SCOPE = 'pos';
/**
 * The scope the inventory system's client-credentials tokens carry (`<resource-server>/inventory` in Cognito):
 * admitted on the routes that name it (`clientScope` in lib/routes.ts, the stock feeds) and nowhere else.
 */
export const INVENTORY_SCOPE: ClientScope = 'inventory';
export const ADMIN_GROUP = 'admin';
/**
 * Groups that make a token an operator's. Operators act on members only through
 * the admin routes (role-checked and audited), never as a member.
 */
export const OPERATOR_GROUPS: readonly string[] = OPERATOR_ROLES;

/** API Gateway flattens array claims to strings like "[a b]"; accept both forms. */
function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function callerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller | undefined {
  const jwt = event.requestContext.authorizer?.jwt;
  if (!jwt) return undefined;
  const claims = jwt.claims ?? {};
  const scopes = [...(jwt.scopes ?? []), ...claimList(claims.scope)];
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : undefined,
    groups: claimList(claims['cognito:groups']),
    scopes: [...new Set(scopes)],
    clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
  };
}

function hasScope(caller: Caller, scope: string): boolean {
  return caller.scopes.some((s) => s === scope || s.endsWith(`/${scope}`));
}

function hasPosScope(caller: Caller): boolean {
  return hasScope(caller, POS_SCOPE);
}

/**
 * The machine client a caller is admitted as on a route with `clientScope`: a token with that scope and no
 * operator group (a client-credentials token). Undefined for operators and for routes without a client scope.
 */
export function admittedClient(clientScope: ClientScope | undefined, caller: Caller | undefined): ClientScope | undefined {
  if (clientScope === undefined || caller === undefined) return undefined;
  if (caller.groups.some((g) => OPERATOR_GROUPS.includes(g))) return undefined;
  return hasScope(caller, clientScope) ? clientScope : undefined;
}

/**
 * Checks the caller against a route's auth level (defence in depth: the API
 * Gateway authorizer has already verified the token's signature and expiry).
 */
export function authorize(auth: RouteAuth, caller: Caller | undefined, operation?: string, clientScope?: ClientScope): Caller | undefined {
  if (auth === 'public') return caller;
  if (!caller) throw new DomainError('UNAUTHORIZED', 'send a valid bearer token in the Authorization header');
  switch (auth) {
    case 'member':
      // Machine tokens (POS, inventory) have a subject too (their client id): never a member.
      if (!caller.subject || hasPosScope(caller) || hasScope(caller, INVENTORY_SCOPE)) throw new DomainError('FORBIDDEN', 'this route needs a member token');
      if (caller.groups.some((g) => OPERATOR_GROUPS.includes(g))) {
        throw new DomainError(
          'FORBIDDEN',
          'this is a member route and the token is an operator\'s; operators act on members through the /v1/admin routes (e.g. GET /v1/admin/members/{memberId})',
        );
      }
      return caller;
    case 'admin': {
      if (admittedClient(clientScope, caller)) return caller;
      const rule = operation === undefined ? undefined : operatorRule(operation);
      const roles: readonly OperatorRole[] = rule?.roles ?? [ADMIN_GROUP];
      const held = caller.groups.filter((g) => OPERATOR_GROUPS.includes(g));
      if (!roleAdmitting(operation ?? '', caller.groups) && !(rule === undefined && caller.groups.includes(ADMIN_GROUP))) {
        throw new DomainError(
          'FORBIDDEN',
          held.length === 0
            ? `this route needs an operator token with role ${roles.join(' or ')}${clientScope ? ` or a client token with scope ${clientScope}` : ''}`
            : `this route needs role ${roles.join(' or ')}; the token's role is ${held.join(', ')}`,
          { requiredRoles: roles },
        );
      }
      return caller;
    }
    case 'pos':
      if (!hasPosScope(caller)) throw new DomainError('FORBIDDEN', 'this route needs a POS token (scope pos)');
      return caller;
  }
}
