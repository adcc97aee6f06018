import type { FormInstance } from 'antd';
import { placeFieldErrors, ProblemError } from '../../api/problem';

/** A form that shows the field errors under one part of a request body (`draftRules` on the rules form). */
export interface ProblemTarget {
  /** The body part, e.g. 'draftRules'; '' for the request's own fields. */
  readonly prefix: string;
  readonly form: FormInstance;
  /** Field names of the form that differ from the API's (amountCents entered as yuan). */
  readonly rename?: Readonly<Record<string, string>>;
}

function pathUnder(path: string, target: ProblemTarget): string | undefined {
  const base = target.prefix === '' ? 'body' : `body.${target.prefix}`;
  if (path !== base && !path.startsWith(`${base}.`)) return undefined;
  const rest = path.slice(base.length + 1).split('.').filter((s) => s !== '');
  return ['body', ...rest.map((segment) => target.rename?.[segment] ?? segment)].join('.');
}

/**
 * A preview or replay request carries the draft rules and the draft campaign, whose inputs are other forms of the
 * screen: each field error goes to the form that shows its part of the body (`body.draftRules.bands.0.rate` on the
 * rules form's `bands[0].rate`). Answers the problem with the errors no form could show, for the message; when every
 * one was placed, its detail is `placedDetail`.
 */
export function routeProblem(error: unknown, targets: readonly ProblemTarget[], placedDetail: string): unknown {
  if (!(error instanceof ProblemError) || !error.problem.errors?.length) return error;
  let left = error.problem.errors;
  // Longest prefix first: `draftRules` before the request's own fields ('').
  for (const target of [...targets].sort((a, b) => b.prefix.length - a.prefix.length)) {
    const mine = left.flatMap((e) => {
      const path = pathUnder(e.path, target);
      return path === undefined ? [] : [{ original: e, mapped: { ...e, path } }];
    });
    if (mine.length === 0) continue;
    const unplaced = new Set(placeFieldErrors({ ...error.problem, errors: mine.map((m) => m.mapped) }, target.form));
    const placed = new Set(mine.filter((m) => !unplaced.has(m.mapped)).map((m) => m.original));
    left = left.filter((e) => !placed.has(e));
  }
  return new ProblemError({ ...error.problem, errors: left, ...(left.length === 0 ? { detail: placedDetail } : {}) });
}
