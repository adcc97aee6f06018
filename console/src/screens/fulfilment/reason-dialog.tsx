import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useRef, useState, type ReactNode } from 'react';
import { ProblemError } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler, type DescribedError } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from '../members/dialog-footer';
import { fulfilmentMessages } from './messages';

export interface ReasonDialogProps<T> {
  readonly open: boolean;
  readonly title: string;
  readonly subject: ReactNode;
  readonly effect: string;
  readonly okText: string;
  readonly danger?: boolean;
  /** Discard and redrive-all need a reason; a single redrive takes one optionally. */
  readonly reasonRequired: boolean;
  /** Sends with the dialog's Idempotency-Key; rejects with the API's problem. */
  readonly send: (reason: string | undefined, idempotencyKey: string) => Promise<T>;
  readonly onDone: (result: T) => void;
  readonly onCancel: () => void;
}

interface ReasonValues {
  readonly reason?: string;
}

/**
 * Redrive or discard with a reason (audited). One Idempotency-Key per opening; the API's refusal (409 discarded or
 * redriven meanwhile, 403) is shown in the dialog, field errors on the reason.
 */
export function ReasonDialog<T>({ open, title, subject, effect, okText, danger = false, reasonRequired, send, onDone, onCancel }: ReasonDialogProps<T>) {
  const { t } = useMessages(fulfilmentMessages);
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<ReasonValues>();
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
      const reason = (values.reason ?? '').trim();
      const result = await send(reason === '' ? undefined : reason, idempotency.key);
      idempotency.succeeded();
      setRefusal(null);
      form.resetFields();
      onDone(result);
    } catch (error) {
      if (isFormValidationError(error)) return;
      if (error instanceof ProblemError && error.problem.code === 'IDEMPOTENCY_KEY_REUSED') idempotency.succeeded();
      const described = showProblem(error, form);
      setRefusal({ title: t('dialog.refused'), detail: described.detail ? `${described.title}: ${described.detail}` : described.title });
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
      footer={<DialogFooter opening={opening} busy={busy} danger={danger} okText={okText} cancelText={t('dialog.cancel')} onOk={() => void submit()} onCancel={cancel} />}
      forceRender
    >
      <Typography.Paragraph>{subject}</Typography.Paragraph>
      <Typography.Paragraph type="secondary">{effect}</Typography.Paragraph>
      <Form<ReasonValues> form={form} layout="vertical" name="dead-letter-reason">
        <Form.Item
          name="reason"
          label={reasonRequired ? t('dialog.reason') : t('dialog.reasonOptional')}
          rules={[
            ...(reasonRequired ? [{ required: true, whitespace: true, message: t('dialog.reasonRequired') }] : []),
            {
              validator: (_: unknown, value: string | undefined) =>
                (value ?? '').trim().length > 0 && (value ?? '').trim().length < 3 ? Promise.reject(new Error(t('dialog.reasonRequired'))) : Promise.resolve(),
            },
            { max: 500, message: t('dialog.reasonTooLong') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
      {refusal ? <Alert type="error" showIcon title={refusal.title} description={refusal.detail} data-testid="dead-letter-refusal" /> : null}
    </Modal>
  );
}
