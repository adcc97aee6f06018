import { useQuery } from '@tanstack/react-query';
import { Alert, Form, Input, InputNumber, Modal, Select } from 'antd';
import { useRef, useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from './dialog-footer';
import { signedPoints } from './member-format';
import { memberMessages } from './messages';

export type AdjustmentEntry = components['schemas']['AdjustmentResult']['entry'];
export type ApprovalRequest = components['schemas']['ApprovalRequest'];

interface AdjustmentValues {
  readonly points?: number | null;
  readonly currency: string;
  readonly reason?: string;
}

export interface AdjustmentDialogProps {
  readonly memberId: string;
  /** The currencies the member holds (`points` first); the dialog offers these. */
  readonly currencies: readonly string[];
  readonly open: boolean;
  readonly onClose: () => void;
  /** 201: the entry was written. */
  readonly onApplied: (entry: AdjustmentEntry) => void;
  /** 202: above the approval threshold, an approval request waits for a second operator. */
  readonly onPending: (approval: ApprovalRequest) => void;
}

const MAX_POINTS = 100_000_000;

/**
 * Credits or debits a member's points with a reason (POST /v1/admin/members/{memberId}/adjustments). One
 * Idempotency-Key per opening: a double click, a retry after a lost answer and a reopening after a failure all send
 * the same key, so the API pays once. The form keeps its values until a success, so a retry sends the same request.
 */
export function AdjustmentDialog({ memberId, currencies, open, onClose, onApplied, onPending }: AdjustmentDialogProps) {
  const api = useApi();
  const { t, points } = useMessages(memberMessages);
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<AdjustmentValues>();
  const idempotency = useIdempotencyKey(open);
  const opening = useOpenings(open);
  const [busy, setBusy] = useState(false);
  // Set synchronously: a second click before React re-renders must not start a second submit.
  const submitting = useRef(false);
  const settings = useQuery({
    queryKey: ['operator-settings'],
    queryFn: () => unwrap(api.GET('/v1/admin/settings')),
    enabled: open,
  });

  const submit = async () => {
    if (submitting.current) return;
    submitting.current = true;
    setBusy(true);
    try {
      const values = await form.validateFields();
      const answer = await unwrap(
        api.POST('/v1/admin/members/{memberId}/adjustments', {
          params: { path: { memberId }, header: { 'Idempotency-Key': idempotency.key } },
          body: { points: values.points ?? 0, currency: values.currency, reason: (values.reason ?? '').trim() },
        }),
      );
      idempotency.succeeded();
      form.resetFields();
      if ('approvalId' in answer) onPending(answer);
      else onApplied(answer.entry);
    } catch (error) {
      // Validation of the form itself: antd shows it on the fields already.
      if (isFormValidationError(error)) return;
      // The key already carried another request (values changed after a failure): the next opening gets a new key.
      if (error instanceof ProblemError && error.problem.code === 'IDEMPOTENCY_KEY_REUSED') idempotency.succeeded();
      showProblem(error, form);
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('adjust.title', { memberId })}
      onCancel={onClose}
      footer={<DialogFooter opening={opening} busy={busy} okText={t('adjust.submit')} cancelText={t('adjust.cancel')} onOk={() => void submit()} onCancel={onClose} />}
      forceRender
    >
      <Form<AdjustmentValues> form={form} layout="vertical" name="adjustment" initialValues={{ currency: currencies[0] ?? 'points' }} onFinish={() => void submit()}>
        <Form.Item
          name="points"
          label={t('adjust.points')}
          extra={t('adjust.pointsHelp')}
          rules={[
            { required: true, message: t('adjust.pointsRequired') },
            {
              validator: (_, value: number | null | undefined) => {
                if (value === null || value === undefined) return Promise.resolve();
                if (value === 0) return Promise.reject(new Error(t('adjust.pointsZero')));
                if (Math.abs(value) > MAX_POINTS) return Promise.reject(new Error(t('adjust.pointsRange')));
                return Promise.resolve();
              },
            },
          ]}
        >
          <InputNumber<number> precision={0} style={{ width: '100%' }} placeholder="1000" />
        </Form.Item>
        <Form.Item name="currency" label={t('adjust.currency')} rules={[{ required: true }]}>
          <Select options={currencies.map((currency) => ({ value: currency, label: currency }))} />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('adjust.reason')}
          rules={[
            { required: true, whitespace: true, message: t('adjust.reasonRequired') },
            { validator: (_, value: string | undefined) => ((value ?? '').trim().length > 0 && (value ?? '').trim().length < 3 ? Promise.reject(new Error(t('adjust.reasonRequired'))) : Promise.resolve()) },
            { max: 500, message: t('adjust.reasonTooLong') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
      {settings.data ? <Alert type="info" showIcon title={t('adjust.threshold', { threshold: points(settings.data.approvalThresholdPoints) })} /> : null}
    </Modal>
  );
}

/** "+1,000 points" for the success message. */
export function adjustmentText(entry: { readonly points: number; readonly currency: string }, i18n: { points(value: number): string }): { points: string; currency: string } {
  return { points: signedPoints(entry.points, i18n), currency: entry.currency };
}
