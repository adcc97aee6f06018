import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Flex, Modal, Typography, type FormInstance } from 'antd';
import { useMemo, useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { useMessage } from '../../i18n/locale';
import { DiffTable } from './diff-table';
import { diffDocuments, documentOf, draftOf, formValuesOf, type Change, type EarningRules, type RulesFormValues } from './rules-document';
import { RulesForm, type RulesI18n } from './rules-form';

/** The version someone else saved meanwhile (409 CONFLICT), when the API says which. */
function conflictVersion(error: ProblemError): number | undefined {
  const currentVersion = (error.problem as Record<string, unknown>).currentVersion;
  return typeof currentVersion === 'number' ? currentVersion : undefined;
}

/**
 * The Rules tab: the form over the loaded version, the number of unsaved changes, and "Review and save": a dialog with
 * the diff against the version in force, which saves the whole draft with expectedVersion. A 409 (someone saved
 * meanwhile) says so and offers to reload.
 */
export function RulesEditor({
  base,
  form,
  i18n,
  canWrite,
  changes,
  onValuesChange,
  onSaved,
  onReload,
  reloading,
}: {
  readonly base: EarningRules;
  readonly form: FormInstance<RulesFormValues>;
  readonly i18n: RulesI18n;
  readonly canWrite: boolean;
  readonly changes: readonly Change[];
  readonly onValuesChange: () => void;
  readonly onSaved: (saved: EarningRules) => void;
  readonly onReload: () => Promise<unknown>;
  readonly reloading: boolean;
}) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [review, setReview] = useState<readonly Change[] | null>(null);
  const [conflict, setConflict] = useState<{ version?: number } | null>(null);
  const idempotency = useIdempotencyKey(review !== null);
  // Stable between renders: the form (memo) renders again only for a new version, not at every keystroke's count.
  const initialValues = useMemo(() => formValuesOf(documentOf(base)), [base]);

  const save = useMutation({
    mutationFn: () => {
      const draft = draftOf(documentOf(base), form.getFieldsValue(true));
      return unwrap(
        api.PUT('/v1/admin/earning-rules', {
          body: { ...draft, expectedVersion: base.version },
          // An operator write: audited with its key, and a retry with the same key answers the first save.
          headers: { 'Idempotency-Key': idempotency.key },
        }),
      );
    },
    onSuccess: (saved) => {
      idempotency.succeeded();
      setReview(null);
      setConflict(null);
      void message.success(t('rules.saved', { version: saved.version }));
      onSaved(saved);
    },
    onError: (error) => {
      setReview(null);
      if (error instanceof ProblemError && error.problem.code === 'CONFLICT') {
        const version = conflictVersion(error);
        setConflict(version === undefined ? {} : { version });
        return;
      }
      showProblem(error, form);
    },
  });

  const openReview = () => {
    const draft = draftOf(documentOf(base), form.getFieldsValue(true));
    setReview(diffDocuments(documentOf(base), draft));
  };

  return (
    <>
      {conflict ? (
        <Alert
          type="warning"
          showIcon
          data-testid="rules-conflict"
          style={{ marginBottom: 16 }}
          title={t('rules.conflict.title')}
          description={conflict.version === undefined ? t('rules.conflict.detail') : t('rules.conflict.detailVersion', { version: conflict.version })}
          action={
            <Button onClick={() => void onReload().then(() => setConflict(null))} loading={reloading}>
              {t('rules.conflict.reload')}
            </Button>
          }
        />
      ) : null}
      <RulesForm form={form} initialValues={initialValues} i18n={i18n} onValuesChange={onValuesChange} />
      <Flex
        gap="middle"
        align="center"
        justify="flex-end"
        style={{ position: 'sticky', bottom: 0, padding: '12px 0', background: 'var(--ant-color-bg-layout, #f5f5f5)', zIndex: 2 }}
      >
        <Typography.Text type="secondary" data-testid="rules-change-count">
          {changes.length === 0 ? t('rules.changes.none') : t('rules.changes.count', { count: changes.length })}
        </Typography.Text>
        <Button
          disabled={changes.length === 0}
          onClick={() => {
            form.resetFields();
            onValuesChange();
          }}
        >
          {t('rules.discard')}
        </Button>
        {canWrite ? (
          <Button type="primary" disabled={changes.length === 0} onClick={openReview}>
            {t('rules.review')}
          </Button>
        ) : null}
      </Flex>
      <Modal
        open={review !== null}
        title={t('rules.review.title', { version: base.version })}
        width={760}
        okText={t('rules.review.save')}
        cancelText={t('rules.review.cancel')}
        okButtonProps={{ disabled: (review?.length ?? 0) === 0 }}
        confirmLoading={save.isPending}
        onOk={() => save.mutate()}
        onCancel={() => setReview(null)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('rules.review.intro')}</Typography.Paragraph>
        <DiffTable changes={review ?? []} i18n={i18n} testId="rules-review-diff" />
      </Modal>
    </>
  );
}
