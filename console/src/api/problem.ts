import type { FormInstance } from 'antd';
import type { components } from './schema';

/** The API's error answer (application/problem+json). */
export type Problem = components['schemas']['Problem'];
export type FieldError = NonNullable<Problem['errors']>[number];

/** A call the API answered with a problem: what TanStack Query and the error helper receive. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.name = 'ProblemError';
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.title === 'string' && typeof v.status === 'number' && typeof v.code === 'string';
}

/**
 * The data of an openapi-fetch answer, or a thrown ProblemError. An error answer that is not problem+json (a proxy's
 * 502 page, say) becomes a problem with its status and text, so every failure reaches the same helper.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw new ProblemError(
      isProblem(error)
        ? error
        : {
            type: 'about:blank',
            title: response.statusText || `HTTP ${response.status}`,
            status: response.status,
            detail: typeof error === 'string' ? error.slice(0, 300) : '',
            code: `HTTP_${response.status}`,
          },
    );
  }
  return data as T;
}

/** The parts of a request a field error's path may start with (shared/http/handler.ts names them). */
const REQUEST_PARTS = new Set(['body', 'query', 'path', 'params', 'headers', 'request']);

/** `body.schedule.endsAt` → `['schedule', 'endsAt']`; `body.tiers.1` → `['tiers', 1]` (antd's NamePath). */
export function fieldNameOfPath(path: string): (string | number)[] {
  const segments = path.split('.').filter((s) => s !== '');
  if (segments.length > 0 && REQUEST_PARTS.has(segments[0] ?? '')) segments.shift();
  return segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const nameKey = (name: readonly (string | number)[]) => JSON.stringify(name);

/**
 * Puts each of the problem's field errors on the form field its path names (form.setFields), or on the nearest
 * enclosing field the form has (an error at `schedule.recurring.to` on a `schedule.recurring` input). Returns the
 * errors no field of the form could show, for the message.
 */
export function placeFieldErrors(problem: Problem, form: FormInstance): FieldError[] {
  const registered = new Set(form.getFieldsError().map((field) => nameKey(field.name)));
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  const unplaced: FieldError[] = [];
  for (const error of problem.errors ?? []) {
    const full = fieldNameOfPath(error.path);
    let name: (string | number)[] | undefined;
    for (let length = full.length; length > 0 && !name; length -= 1) {
      const candidate = full.slice(0, length);
      if (registered.has(nameKey(candidate))) name = candidate;
    }
    if (!name) {
      unplaced.push(error);
      continue;
    }
    const key = nameKey(name);
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(error.message);
    byField.set(key, entry);
  }
  if (byField.size > 0) form.setFields([...byField.values()]);
  return unplaced;
}
