import type { RouteSpec } from '../../lib/routes.js';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteSpec; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.replace(/\/+$/, '').split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i += 1) {
    const part = t[i] as string;
    const actual = p[i] as string;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (actual === '') return undefined;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (part !== actual) {
      return undefined;
    }
  }
  return params;
}

/** Matches a request against route templates as API Gateway does (literal segments beat parameters). */
export function matchRoute(routes: readonly RouteSpec[], method: string, path: string): RouteMatch {
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route.path, path) }))
    .filter((c): c is { route: RouteSpec; params: Record<string, string> } => c.params !== undefined)
    .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  if (candidates.length === 0) return { kind: 'not-found' };
  const hit = candidates.find((c) => c.route.method === method.toUpperCase());
  if (hit) return { kind: 'found', route: hit.route, params: hit.params };
  return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.route.method))] };
}
