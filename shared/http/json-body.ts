import { ValidationError } from '../errors.js';

/** The one key JSON.parse turns into an own property that behaves differently everywhere else. */
const PROTO_KEY = '__proto__';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one (`\ud800` in JSON). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly key: string;
}

export interface BodyProblem {
  /** Where in the body, e.g. `['lines', '0', '__proto__']`. */
  readonly path: readonly string[];
  readonly message: string;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) path.unshift(at.key);
  return path;
}

/**
 * The first thing in a parsed JSON value that no request may carry: a
 * `__proto__` key, or a key or string with a lone UTF-16 surrogate (JSON
 * allows `"\ud800"`; UTF-8, which DynamoDB stores strings as, has no way to
 * write it). Iterative (the body limit allows tens of thousands of nesting
 * levels) and each node keeps only its parent, so deep nesting costs linear
 * memory.
 */
export function bodyProblem(root: unknown): BodyProblem | undefined {
  const stack: Visit[] = [{ value: root, parent: undefined, key: '' }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return { path: pathOf(visit), message: 'a string with a lone UTF-16 surrogate is not text' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => stack.push({ value: item, parent: visit, key: String(i) }));
      continue;
    }
    if (Object.hasOwn(value, PROTO_KEY)) return { path: [...pathOf(visit), PROTO_KEY], message: `the key "${PROTO_KEY}" is not accepted anywhere in a request` };
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return { path: pathOf(visit), message: 'a key with a lone UTF-16 surrogate is not text' };
      stack.push({ value: item, parent: visit, key });
    }
  }
  return undefined;
}

/**
 * A request body parsed from JSON, refused (400) when it is not JSON or
 * carries what `bodyProblem` finds. JSON.parse makes `__proto__` an own
 * property; zod then drops it silently (records, non-strict objects), and a
 * spread or Object.assign of it would copy or set a prototype. No API field
 * is called that, so the clear answer is a refusal naming where it was.
 */
export function parseJsonBody(text: string, where = 'body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  const problem = bodyProblem(value);
  if (problem) {
    const path = [where, ...problem.path].join('.');
    throw new ValidationError(`${path}: ${problem.message}`, { errors: [{ path, message: problem.message }] });
  }
  return value;
}
