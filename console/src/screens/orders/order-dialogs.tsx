import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from '../members/dialog-footer';
import { orderMessages } from './messages';
import type { Order } from './order-format';

interface DialogProps {
  readonly order: Order;
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onDone: (order: Order) => void;
}

/**
 * Runs a dialog's write once at a time: a second click before React re-renders starts nothing. One Idempotency-Key
 * per opening (useIdempotencyKey): a double submit, a retry after a lost answer and a reopening after a failure all
 * send the same key, so the API applies the write once.
 */
function useDialogWrite(open: boolean) {
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(open);
  const opening = useOpenings(open);
  const [busy, setBusy] = useState(false);
  const submitting = useRef(false);
  const run = async (work: (key: string) => Promise<void>, form?: Parameters<typeof showProblem>[1]) => {
    if (submitting.current) return;
    submitting.current = true;
    setBusy(true);
    try {
      await work(idempotency.key);
      idempotency.succeeded();
    } catch (error) {
      if (isFormValidationError(error)) return;
      if (error instanceof ProblemError && error.problem.code === 'IDEMPOTENCY_KEY_REUSED') idempotency.succeeded();
      showProblem(error, form);
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };
  return { run, busy, opening };
}

/** Cancels an order not yet fulfilled (POST /v1/admin/orders/{orderId}/cancel): points and stock come back. */
export function CancelOrderDialog({ order, open, onClose, onDone }: DialogProps) {
  const api = useApi();
  const { t } = useMessages(orderMessages);
  const { run, busy, opening } = useDialogWrite(open);
  const submit = () =>
    run(async (key) => {
      const answer = await unwrap(
        api.POST('/v1/admin/orders/{orderId}/cancel', { params: { path: { orderId: order.orderId }, header: { 'Idempotency-Key': key } } }),
      );
      onDone(answer);
    });
  return (
    <Modal
      open={open}
      title={t('cancel.title', { orderId: order.orderId })}
      onCancel={onClose}
      footer={<DialogFooter opening={opening} busy={busy} danger okText={t('cancel.submit')} cancelText={t('cancel.close')} onOk={() => void submit()} onCancel={onClose} />}
    >
      <Typography.Paragraph>{t('cancel.body', { memberId: order.memberId })}</Typography.Paragraph>
    </Modal>
  );
}

interface RefundValues {
  readonly reason?: string;
}

/**
 * Refunds a delivered, fulfilled or failed order (POST /v1/admin/orders/{orderId}/refund) with a reason: the
 * points back through the ledger, a paid cash part asked back from the payment provider.
 */
export function RefundOrderDialog({ order, open, onClose, onDone }: DialogProps) {
  const api = useApi();
  const i18n = useMessages(orderMessages);
  const { t } = i18n;
  const [form] = Form.useForm<RefundValues>();
  const { run, busy, opening } = useDialogWrite(open);
  const failed = order.status === 'FAILED';
  const paidCash = order.cashCents > 0 && order.history.some((h) => h.status === 'PAID');
  const submit = () =>
    run(async (key) => {
      const values = await form.validateFields();
      const answer = await unwrap(
        api.POST('/v1/admin/orders/{orderId}/refund', {
          params: { path: { orderId: order.orderId }, header: { 'Idempotency-Key': key } },
          body: { reason: (values.reason ?? '').trim() },
        }),
      );
      form.resetFields();
      onDone(answer);
    }, form);
  return (
    <Modal
      open={open}
      title={t('refund.title', { orderId: order.orderId })}
      onCancel={onClose}
      footer={<DialogFooter opening={opening} busy={busy} danger okText={t('refund.submit')} cancelText={t('refund.close')} onOk={() => void submit()} onCancel={onClose} />}
      forceRender
    >
      {failed ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('refund.failed')} />
      ) : (
        <>
          <Typography.Paragraph>{t('refund.body', { points: i18n.points(order.points), memberId: order.memberId })}</Typography.Paragraph>
          {paidCash ? <Typography.Paragraph>{t('refund.cash', { amount: i18n.money(order.cashCents) })}</Typography.Paragraph> : null}
        </>
      )}
      <Form<RefundValues> form={form} layout="vertical" name="refund" onFinish={() => void submit()}>
        <Form.Item
          name="reason"
          label={t('refund.reason')}
          rules={[
            { required: true, whitespace: true, message: t('refund.reasonRequired') },
            { max: 200, message: t('refund.reasonTooLong') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={200} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
