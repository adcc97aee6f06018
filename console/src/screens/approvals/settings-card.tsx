import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, InputNumber, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useProblemHandler, ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { approvalMessages } from './messages';

type Settings = components['schemas']['OperatorSettings'];

interface SettingsValues {
  readonly approvalThresholdPoints?: number | null;
  readonly supportMaxPointsPerAdjustment?: number | null;
  readonly supportMaxPointsPerDay?: number | null;
}

/** `PUT /v1/admin/settings` is the administrators' alone (shared/http/roles.ts `putOperatorSettings`). */
const SETTINGS_WRITERS = ['admin'] as const;

/**
 * The programme's operator settings (GET /v1/admin/settings): the approval threshold and the support limits.
 * Administrators edit them (PUT, optimistic on the version read: 409 when someone saved meanwhile).
 */
export function SettingsCard() {
  const api = useApi();
  const { t } = useMessages(approvalMessages);
  const message = useMessage();
  const showProblem = useProblemHandler();
  const queryClient = useQueryClient();
  const session = useSession();
  const mayEdit = (session?.roles ?? []).some((role) => (SETTINGS_WRITERS as readonly string[]).includes(role));
  const [form] = Form.useForm<SettingsValues>();
  const [busy, setBusy] = useState(false);
  const submitting = useRef(false);
  // One Idempotency-Key per save: a resubmit after a lost answer is the same write; a new one after a success.
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());
  const settings = useQuery({ queryKey: ['operator-settings'], queryFn: () => unwrap(api.GET('/v1/admin/settings')) });

  // The form follows what was read (after a save or a refetch).
  useEffect(() => {
    if (settings.data) form.setFieldsValue(valuesOf(settings.data));
  }, [settings.data, form]);

  const save = async (values: SettingsValues) => {
    if (submitting.current || !settings.data) return;
    submitting.current = true;
    setBusy(true);
    try {
      const saved = await unwrap(
        api.PUT('/v1/admin/settings', {
          params: { header: { 'Idempotency-Key': idempotencyKey } },
          body: {
            approvalThresholdPoints: values.approvalThresholdPoints ?? 0,
            supportMaxPointsPerAdjustment: values.supportMaxPointsPerAdjustment ?? 0,
            supportMaxPointsPerDay: values.supportMaxPointsPerDay ?? 0,
            expectedVersion: settings.data.version,
          },
        }),
      );
      setIdempotencyKey(crypto.randomUUID());
      queryClient.setQueryData(['operator-settings'], saved);
      void message.success(t('settings.saved'));
    } catch (error) {
      showProblem(error, form);
      // Saved by someone else meanwhile: read theirs, so the next save is against it.
      // A definite refusal applied nothing: the next save is a new write with a new key.
      if (error instanceof ProblemError && error.problem.status < 500 && error.problem.code !== 'OUTCOME_UNKNOWN') setIdempotencyKey(crypto.randomUUID());
      if (error instanceof ProblemError && error.problem.code === 'CONFLICT') void settings.refetch();
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };

  const number = (name: keyof SettingsValues, label: string, max: number, extra?: string) => (
    <Form.Item name={name} label={label} extra={extra} rules={[{ required: true, message: t('settings.required') }]}>
      <InputNumber<number> min={0} max={max} precision={0} disabled={!mayEdit} style={{ width: 220 }} />
    </Form.Item>
  );

  return (
    <Card title={t('settings.title')} size="small" data-testid="operator-settings">
      {settings.error ? <ProblemAlert error={settings.error} /> : null}
      {settings.data ? (
        <Typography.Paragraph type="secondary">
          {settings.data.updatedAt
            ? t('settings.updated', { version: settings.data.version, at: formatProgrammeTime(settings.data.updatedAt), by: settings.data.updatedBy ?? '' })
            : t('settings.defaults')}
        </Typography.Paragraph>
      ) : null}
      <Form<SettingsValues> form={form} layout="vertical" name="operator-settings" onFinish={(values) => void save(values)}>
        {number('approvalThresholdPoints', t('settings.approvalThresholdPoints'), 100_000_000, t('settings.approvalThresholdHelp'))}
        {number('supportMaxPointsPerAdjustment', t('settings.supportMaxPointsPerAdjustment'), 100_000_000)}
        {number('supportMaxPointsPerDay', t('settings.supportMaxPointsPerDay'), 1_000_000_000)}
        {mayEdit ? (
          <Button type="primary" htmlType="submit" loading={busy} disabled={!settings.data}>
            {t('settings.save')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('settings.adminOnly')}</Typography.Text>
        )}
      </Form>
    </Card>
  );
}

function valuesOf(settings: Settings): SettingsValues {
  return {
    approvalThresholdPoints: settings.approvalThresholdPoints,
    supportMaxPointsPerAdjustment: settings.supportMaxPointsPerAdjustment,
    supportMaxPointsPerDay: settings.supportMaxPointsPerDay,
  };
}
