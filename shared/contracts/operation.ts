import type * as z from '../zod.js';
import type { ErrorCode } from '../errors.js';

/**
 * The contract of one API operation: the zod schemas that validate its
 * request and describe its answer. The HTTP layer validates with them and the
 * OpenAPI document is generated from them, so the two cannot drift.
 */
export interface Operation<
  P extends z.ZodMiniObject = z.ZodMiniObject,
  Q extends z.ZodMiniObject = z.ZodMiniObject,
  B extends z.ZodMiniType = z.ZodMiniType,
  R extends z.ZodMiniType = z.ZodMiniType,
> {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly response: R;
  /** Status of a successful answer (default 200). */
  readonly status?: number;
  /** Other statuses of a successful answer, with the same body (a stock feed: 201 applied at once, 202 queued). */
  readonly otherStatuses?: readonly number[];
  /** Largest request body accepted, in bytes, where the operation takes more than the default (64 KB). */
  readonly maxBodyBytes?: number;
  /** Whether the call takes an `Idempotency-Key` header; `required` refuses calls without one. */
  readonly idempotency?: 'required' | 'optional';
  /** Error codes this operation can answer besides the generic ones. */
  readonly errors?: readonly ErrorCode[];
  /**
   * A body the implementation validates itself, after checking its signature (signed webhooks): documented
   * in OpenAPI like `body`, but the generic handler leaves the raw text alone.
   */
  readonly signedBody?: z.ZodMiniType;
  /** Response content type when not JSON-described by `response` (e.g. the OpenAPI document itself). */
  readonly rawResponse?: boolean;
  /**
   * Media type of a raw response that is not JSON (`text/html; charset=utf-8` for the API reference page):
   * the implementation answers the text itself, sent as is. @default application/json
   */
  readonly contentType?: string;
}

/** Identity helper that keeps each operation's precise schema types. */
export function operation<P extends z.ZodMiniObject, Q extends z.ZodMiniObject, B extends z.ZodMiniType, R extends z.ZodMiniType>(
  op: Operation<P, Q, B, R>,
): Operation<P, Q, B, R> {
  return op;
}

export type ParamsOf<O> = O extends Operation<infer P, z.ZodMiniObject, z.ZodMiniType, z.ZodMiniType> ? z.output<P> : never;
export type QueryOf<O> = O extends Operation<z.ZodMiniObject, infer Q, z.ZodMiniType, z.ZodMiniType> ? z.output<Q> : never;
export type BodyOf<O> = O extends Operation<z.ZodMiniObject, z.ZodMiniObject, infer B, z.ZodMiniType> ? z.output<B> : never;
/** Readonly all the way down, so domain objects with readonly fields satisfy a response schema. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

export type ResponseOf<O> = O extends Operation<z.ZodMiniObject, z.ZodMiniObject, z.ZodMiniType, infer R> ? DeepReadonly<z.input<R>> : never;

/** Whether an operation pages with `?cursor=` (its function then needs the cursor key). */
export function pagesWithCursor(op: Operation): boolean {
  return op.query !== undefined && 'cursor' in op.query.shape;
}
