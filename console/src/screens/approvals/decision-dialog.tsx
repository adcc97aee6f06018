import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useRef, useState, type ReactNode } from 'react';
import { ProblemError } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler, type DescribedError } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from '../members/dialog-footer';
import { approvalMessages } from './messages';

export type Decision = 'approve' | 'reject';

export interface DecisionDialogProps<T> {
  readonly open: boolean;
  readonly decision: Decision;
  readonly title: string;
  /** What is decided on (the request or purchase, in a sentence). */
  readonly subject: ReactNode;
  /** What the decision does. */
  readonly effect: string;
  /** Shown above the form, e.g. that the requester cannot decide their own request. */
  readonly warning?: string;
  /** Sends the decision with the dialog's Idempotency-Key; rejects with the API's problem. */
  readonly send: (reason: string, idempotencyKey: string) => Promise<T>;
  readonly onDone: (result: T) => void;
  readonly onCancel: () => void;
}

interface DecisionValues {
  readonly reason?: string;
}

/**
 * Approve or reject with a reason (both audited). One Idempotency-Key per opening; the API's refusal (e.g. 403
 * "another operator must decide", 409 decided meanwhile) is shown in the dialog and as a message, field errors on
 * the reason.
 */
export function DecisionDialog<T>({ open, decision, title, subject, effect, warning, send, onDone, onCancel }: DecisionDialogProps<T>) {
  const { t } = useMessages(approvalMessages);
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<DecisionValues>();
  const idempotency = useIdempotencyKey(open);
  const opening = useOpenings(open);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<DescribedError | null>(null);
  const submitting = useRef(false);

  const submit = async () => {
    if (submitting.current) return;
    submitting.current = true;
    setBusy(true);
    try {
      const values = await form.validateFields();
      const result = await send((values.reason ?? '').trim(), idempotency.key);
      idempotency.succeeded();
      setRefusal(null);
      form.resetFields();
      onDone(result);
    } catch (error) {
      if (isFormValidationError(error)) return;
      if (error instanceof ProblemError && error.problem.code === 'IDEMPOTENCY_KEY_REUSED') idempotency.succeeded();
      // In the dialog: the API's own words (e.g. 403 "another operator must approve"), under "Not decided".
      const described = showProblem(error, form);
      setRefusal({ title: t('decision.refused'), detail: described.detail ? `${described.title}: ${described.detail}` : described.title });
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };

  const cancel = () => {
    setRefusal(null);
    onCancel();
  };

  return (
    <Modal
      open={open}
      title={title}
      onCancel={cancel}
      footer={
        <DialogFooter
          opening={opening}
          busy={busy}
          danger={decision === 'reject'}
          okText={decision === 'approve' ? t('approvals.approve') : t('approvals.reject')}
          cancelText={t('decision.cancel')}
          onOk={() => void submit()}
          onCancel={cancel}
        />
      }
      forceRender
    >
      <Typography.Paragraph>{subject}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{effect}</Typography.Paragraph>
      {warning ? <Alert type="warning" showIcon title={warning} style={{ marginBottom: 16 }} /> : null}
      <Form<DecisionValues> form={form} layout="vertical" name={`decision-${decision}`}>
        <Form.Item
          name="reason"
          label={t('decision.reason')}
          rules={[
            { required: true, whitespace: true, message: t('decision.reasonRequired') },
            {
              validator: (_, value: string | undefined) =>
                (value ?? '').trim().length > 0 && (value ?? '').trim().length < 3 ? Promise.reject(new Error(t('decision.reasonRequired'))) : Promise.resolve(),
            },
            { max: 500, message: t('decision.reasonTooLong') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
      {refusal ? (
        <Alert type="error" showIcon title={refusal.title} description={refusal.detail} data-testid="decision-refusal" />
      ) : null}
    </Modal>
  );
}
