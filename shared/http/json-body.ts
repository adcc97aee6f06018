import { ValidationError } from '../errors.js';

/** The one key JSON.parse turns into an own property that behaves differently everywhere else. */
const PROTO_KEY = '__proto__';

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly key: string;
}

function pathOf(visit: Visit): string[] {
  const path: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) path.unshift(at.key);
  return path;
}

/**
 * Where, if anywhere, a parsed JSON value has a `__proto__` key. Iterative
 * (the body limit allows tens of thousands of nesting levels) and each node
 * keeps only its parent, so deep nesting costs linear memory.
 */
export function prototypeKeyPath(root: unknown): string[] | undefined {
  const stack: Visit[] = [{ value: root, parent: undefined, key: '' }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { value } = visit;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, i) => stack.push({ value: item, parent: visit, key: String(i) }));
      continue;
    }
    if (Object.hasOwn(value, PROTO_KEY)) return [...pathOf(visit), PROTO_KEY];
    for (const [key, item] of Object.entries(value)) stack.push({ value: item, parent: visit, key });
  }
  return undefined;
}

/**
 * A request body parsed from JSON, refused (400) when it is not JSON or has a
 * `__proto__` key at any depth. JSON.parse makes `__proto__` an own property;
 * zod then drops it silently (records, non-strict objects), and a spread or
 * Object.assign of it would copy or set a prototype. No API field is called
 * that, so the clear answer is a refusal naming where it was.
 */
export function parseJsonBody(text: string, where = 'body'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  const protoPath = prototypeKeyPath(value);
  if (protoPath) {
    const path = [where, ...protoPath].join('.');
    const message = `the key "${PROTO_KEY}" is not accepted anywhere in a request`;
    throw new ValidationError(`${path}: ${message}`, { errors: [{ path, message }] });
  }
  return value;
}
