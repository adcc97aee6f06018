import { Alert, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { en, type MessageKey } from '../i18n/en';
import { useI18n, useMessage, type I18n } from '../i18n/locale';
import { placeFieldErrors, ProblemError, type FieldError } from './problem';

export interface DescribedError {
  readonly title: string;
  readonly detail?: string;
}

function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/**
 * What to tell the operator about a failed call: the problem's title (in their language when the code is a known
 * one) and detail; with a form, its `errors[]` go on the fields they name and the detail says so, and only the
 * errors no field shows are listed.
 */
export function describeError(error: unknown, t: I18n['t'], form?: FormInstance): DescribedError {
  if (error instanceof ProblemError) {
    const { problem } = error;
    const codeKey = `problem.${problem.code}`;
    const title = isMessageKey(codeKey) ? t(codeKey) : problem.title;
    const unplaced: FieldError[] = form ? placeFieldErrors(problem, form) : [...(problem.errors ?? [])];
    const placedAll = (problem.errors?.length ?? 0) > 0 && unplaced.length === 0;
    const detail = placedAll
      ? t('problem.seeFields')
      : unplaced.length > 0
        ? unplaced.map((e) => `${e.path}: ${e.message}`).join('\n')
        : problem.detail;
    return { title, detail };
  }
  // fetch rejects with a TypeError when the network or CORS fails: no answer at all.
  if (error instanceof TypeError) return { title: t('problem.network') };
  return { title: error instanceof Error ? error.message : String(error) };
}

function Described({ described }: { readonly described: DescribedError }) {
  return (
    <span>
      <strong>{described.title}</strong>
      {described.detail ? <span style={{ display: 'block', whiteSpace: 'pre-line' }}>{described.detail}</span> : null}
    </span>
  );
}

/**
 * The one way the console reports a failed write: an antd message with the problem's title and detail, and with a
 * form, its field errors on the fields (form.setFields). Returns what the message said.
 */
/** antd's validateFields rejects with `{ errorFields }` when a rule fails: antd already shows it on the fields. */
export function isFormValidationError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'errorFields' in error;
}

export function useProblemHandler(): (error: unknown, form?: FormInstance) => DescribedError {
  const message = useMessage();
  const { t } = useI18n();
  return useCallback(
    (error: unknown, form?: FormInstance) => {
      const described = describeError(error, t, form);
      void message.error({ content: <Described described={described} />, duration: 6 });
      return described;
    },
    [message, t],
  );
}

/** A failed read, shown where its data would be (a list that could not load). */
export function ProblemAlert({ error }: { readonly error: unknown }) {
  const { t } = useI18n();
  const described = describeError(error, t);
  return <Alert type="error" showIcon title={described.title} description={described.detail} style={{ marginBottom: 16 }} />;
}
