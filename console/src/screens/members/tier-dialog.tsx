import { Form, Input, Modal, Select, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from './dialog-footer';
import { TIERS, tierName, TierTag, type Tier } from './member-format';
import { memberMessages } from './messages';

type Member = components['schemas']['Member'];

interface TierValues {
  readonly tier?: Tier;
  readonly reason?: string;
}

export interface TierDialogProps {
  readonly memberId: string;
  /** The tier the page shows: sent as `expectedTier`, so a tier changed meanwhile is refused (409), not overwritten. */
  readonly currentTier: Tier;
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onChanged: (member: Member) => void;
}

/** Sets a member's tier with a reason (POST /v1/admin/members/{memberId}/tier), one Idempotency-Key per opening. */
export function TierDialog({ memberId, currentTier, open, onClose, onChanged }: TierDialogProps) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<TierValues>();
  const idempotency = useIdempotencyKey(open);
  const opening = useOpenings(open);
  const [busy, setBusy] = useState(false);
  const submitting = useRef(false);

  const submit = async () => {
    if (submitting.current) return;
    submitting.current = true;
    setBusy(true);
    try {
      const values = await form.validateFields();
      const member = await unwrap(
        api.POST('/v1/admin/members/{memberId}/tier', {
          params: { path: { memberId }, header: { 'Idempotency-Key': idempotency.key } },
          body: { tier: values.tier ?? currentTier, expectedTier: currentTier, reason: (values.reason ?? '').trim() },
        }),
      );
      idempotency.succeeded();
      form.resetFields();
      onChanged(member);
    } catch (error) {
      if (isFormValidationError(error)) return;
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
      title={t('tierChange.title', { memberId })}
      onCancel={onClose}
      footer={<DialogFooter opening={opening} busy={busy} okText={t('tierChange.submit')} cancelText={t('adjust.cancel')} onOk={() => void submit()} onCancel={onClose} />}
      forceRender
    >
      <Typography.Paragraph>
        {t('tierChange.current')}: <TierTag tier={currentTier} i18n={i18n} />
      </Typography.Paragraph>
      <Form<TierValues> form={form} layout="vertical" name="tier-change">
        <Form.Item
          name="tier"
          label={t('tierChange.tier')}
          rules={[
            { required: true, message: t('tierChange.tierRequired') },
            { validator: (_, value: Tier | undefined) => (value === currentTier ? Promise.reject(new Error(t('tierChange.sameTier'))) : Promise.resolve()) },
          ]}
        >
          <Select options={TIERS.filter((tier) => tier !== currentTier).map((tier) => ({ value: tier, label: tierName(tier, i18n) }))} />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('tierChange.reason')}
          rules={[
            { required: true, whitespace: true, message: t('adjust.reasonRequired') },
            { validator: (_, value: string | undefined) => ((value ?? '').trim().length > 0 && (value ?? '').trim().length < 3 ? Promise.reject(new Error(t('adjust.reasonRequired'))) : Promise.resolve()) },
            { max: 500, message: t('adjust.reasonTooLong') },
          ]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
