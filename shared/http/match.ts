import type { RouteSpec } from '../../lib/routes.js';

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteSpec; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

/** A route template split once: literal segments, and the names of the `{parameter}` ones. */
interface CompiledRoute {
  readonly route: RouteSpec;
  /** Per segment: the literal text, or undefined for a parameter. */
  readonly literals: readonly (string | undefined)[];
  /** Per segment: the parameter's name, or undefined for a literal. */
  readonly names: readonly (string | undefined)[];
  readonly parameterCount: number;
}

/**
 * Route tables compiled by segment count, cached per table. Every request is matched (the local gateway, the system
 * function's 404/405 answers): splitting every template on every request was a seventh of the local server's CPU
 * under a flash sale's load (docs/flash-sale.md).
 */
const compiledTables = new WeakMap<readonly RouteSpec[], Map<number, CompiledRoute[]>>();

function compile(routes: readonly RouteSpec[]): Map<number, CompiledRoute[]> {
  let table = compiledTables.get(routes);
  if (table) return table;
  table = new Map();
  for (const route of routes) {
    const segments = route.path.split('/');
    const names = segments.map((s) => (s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1) : undefined));
    const compiled: CompiledRoute = {
      route,
      literals: segments.map((s, i) => (names[i] === undefined ? s : undefined)),
      names,
      parameterCount: names.filter((n) => n !== undefined).length,
    };
    const sameLength = table.get(segments.length) ?? [];
    sameLength.push(compiled);
    table.set(segments.length, sameLength);
  }
  compiledTables.set(routes, table);
  return table;
}

function matchSegments(compiled: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  const { literals, names } = compiled;
  // Literal segments first: they rule out nearly every route without decoding anything.
  for (let i = 0; i < parts.length; i += 1) {
    const literal = literals[i];
    if (literal !== undefined && literal !== parts[i]) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 1) {
    const name = names[i];
    if (name === undefined) continue;
    const actual = parts[i] as string;
    if (actual === '') return undefined;
    try {
      params[name] = decodeURIComponent(actual);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Matches a request against route templates as API Gateway does (literal segments beat parameters). */
export function matchRoute(routes: readonly RouteSpec[], method: string, path: string): RouteMatch {
  const parts = path.replace(/\/+$/, '').split('/');
  const candidates: { route: RouteSpec; params: Record<string, string>; parameterCount: number }[] = [];
  for (const compiled of compile(routes).get(parts.length) ?? []) {
    const params = matchSegments(compiled, parts);
    if (params !== undefined) candidates.push({ route: compiled.route, params, parameterCount: compiled.parameterCount });
  }
  // Stable: among equally specific templates the table's order decides, as before.
  candidates.sort((a, b) => a.parameterCount - b.parameterCount);
  if (candidates.length === 0) return { kind: 'not-found' };
  const wanted = method.toUpperCase();
  const hit = candidates.find((c) => c.route.method === wanted);
  if (hit) return { kind: 'found', route: hit.route, params: hit.params };
  return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.route.method))] };
}
