/**
 * OpenAPI documentation of zod/mini schemas. The contracts attach descriptions, examples and component names
 * (`refId`) to their schemas in zod's global registry; shared/http/openapi.ts hands the schemas to zod-to-openapi,
 * which reads that registry (`meta()`). Nothing here runs per request: one registry entry per documented schema
 * at load. The metadata has zod-to-openapi's shape, so `doc()` and `docExtend()` reproduce what its `.openapi()`
 * and the `.extend()` of a named object did on classic schemas.
 */
import type { ZodOpenAPIMetadata } from '@asteasolutions/zod-to-openapi';
import * as z from '../zod.js';

/** What zod-to-openapi keeps beside the OpenAPI fields: the component name, and the named object one extends. */
interface Internal {
  refId?: string;
  extendedFrom?: { refId: string; schema: z.ZodMiniObject };
}
type Meta = Partial<ZodOpenAPIMetadata>;
/** A registry entry: the OpenAPI fields, `param` for parameters, and zod-to-openapi's `_internal`. */
interface Documentation {
  [field: string]: unknown;
  param?: Record<string, unknown>;
  _internal?: Internal;
}

/**
 * The documentation a schema carries: its registry entry; else, for an optional, nullable, default or transform of
 * a documented schema (a `doc()` result), that schema's, as zod-to-openapi's `.openapi()` copied it onto such
 * modifiers of classic schemas (a nullable of a named object is then the named component, null included).
 */
export function documentation(schema: z.core.$ZodType): Documentation | undefined {
  const own = z.globalRegistry.get(schema) as Documentation | undefined;
  if (own) return own;
  const def = schema._zod.def;
  let inner: z.core.$ZodType | undefined;
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') inner = (def as z.core.$ZodOptionalDef).innerType;
  else if (def.type === 'pipe' && (def as z.core.$ZodPipeDef).out._zod.def.type === 'transform') inner = (def as z.core.$ZodPipeDef).in;
  return inner && z.globalRegistry.has(inner) ? (z.globalRegistry.get(inner) as Documentation) : undefined;
}

/**
 * A copy of `schema` carrying `meta` (and the component name `refId`, when given) on top of what it carried:
 * a copy, so a shared schema (idSchema, say) can be described differently where it is used.
 */
export function doc<T extends z.ZodMiniType>(schema: T, meta: Meta): T;
export function doc<T extends z.ZodMiniType>(schema: T, refId: string, meta?: Meta): T;
export function doc<T extends z.ZodMiniType>(schema: T, refIdOrMeta: string | Meta, more?: Meta): T {
  const [refId, meta] = typeof refIdOrMeta === 'string' ? [refIdOrMeta, more] : [undefined, refIdOrMeta];
  const { param, ...rest } = meta ?? {};
  const current = documentation(schema) ?? {};
  const internal: Internal = { ...current._internal, ...(refId ? { refId } : {}) };
  const merged: Documentation = {
    ...current,
    ...rest,
    ...(current.param || param ? { param: { ...current.param, ...param } } : {}),
    ...(Object.keys(internal).length > 0 ? { _internal: internal } : {}),
  };
  // clone() keeps the definition (and the checks); the copy is what carries the documentation
  const copy = schema.clone();
  z.globalRegistry.add(copy, merged as z.core.GlobalMeta);
  return copy;
}

/**
 * `z.extend`, documented as classic `.extend()` of a documented object was: extending a named object gives
 * `allOf: [{ $ref: parent }, { the added fields }]` and the parent's description.
 */
export function docExtend<T extends z.ZodMiniObject, U extends z.core.$ZodLooseShape>(schema: T, shape: U) {
  const extended = z.extend(schema, shape);
  if (!z.globalRegistry.has(schema)) return extended;
  const { _internal, ...rest } = documentation(schema) ?? {};
  const extendedFrom = _internal?.refId ? { refId: _internal.refId, schema } : _internal?.extendedFrom;
  z.globalRegistry.add(extended, { ...rest, ...(extendedFrom ? { _internal: { extendedFrom } } : {}) } as z.core.GlobalMeta);
  return extended;
}
