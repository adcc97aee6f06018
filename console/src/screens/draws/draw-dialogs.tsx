import { useQueryClient } from '@tanstack/react-query';
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, useProblemHandler } from '../../api/use-problem';
import { fromProgrammeInput, programmeTime, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage } from '../../i18n/locale';
import { keepEnterInPicker } from '../campaigns/campaign-values';
import { DialogFooter, useOpenings } from '../members/dialog-footer';
import type { DrawI18n } from './draws-page';
import type { DrawAdmin } from './draw-values';

type DrawPatch = components['schemas']['DrawPatch'];

/** Sends one change of a draw (optimistic on the version shown) and refreshes what shows it. */
function useDrawChange(draw: DrawAdmin, i18n: DrawI18n, open: boolean) {
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(open);
  const [busy, setBusy] = useState(false);
  const send = async (change: Omit<DrawPatch, 'expectedVersion'>, form?: Parameters<typeof showProblem>[1]): Promise<boolean> => {
    setBusy(true);
    try {
      const saved = await unwrap(
        api.PATCH('/v1/admin/draws/{drawId}', {
          params: { path: { drawId: draw.drawId } },
          headers: { 'Idempotency-Key': idempotency.key },
          body: { expectedVersion: draw.version, ...change } as DrawPatch,
        }),
      );
      idempotency.succeeded();
      void message.success(i18n.t('page.changed', { name: saved.name, version: saved.version }));
      queryClient.setQueryData(['draw', draw.drawId], saved);
      await queryClient.invalidateQueries({ queryKey: ['draws'] });
      await queryClient.invalidateQueries({ queryKey: ['draw', draw.drawId] });
      return true;
    } catch (error) {
      showProblem(error, form);
      // A 409 (someone changed it meanwhile): show the draw as it is now, so the next try is on its version.
      await queryClient.invalidateQueries({ queryKey: ['draw', draw.drawId] });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { send, busy };
}

export type StatusAction = 'PAUSED' | 'ACTIVE' | 'ENDED';

/** Pause, resume or end: a confirmation, then one PATCH of the status. */
export function StatusDialog({ open, action, draw, i18n, onClose }: { readonly open: boolean; readonly action: StatusAction; readonly draw: DrawAdmin; readonly i18n: DrawI18n; readonly onClose: () => void }) {
  const { t } = i18n;
  const { send, busy } = useDrawChange(draw, i18n, open);
  const opening = useOpenings(open);
  const title = action === 'PAUSED' ? t('page.pause') : action === 'ACTIVE' ? t('page.resume') : t('page.end');
  const text = action === 'PAUSED' ? t('page.confirmPause', { name: draw.name }) : action === 'ACTIVE' ? t('page.confirmResume', { name: draw.name }) : t('page.confirmEnd', { name: draw.name });
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <DialogFooter
          opening={opening}
          busy={busy}
          okText={title}
          cancelText={t('form.cancel')}
          danger={action === 'ENDED'}
          onCancel={onClose}
          onOk={() => void send({ status: action }).then((ok) => ok && onClose())}
        />
      }
    >
      <Typography.Paragraph>{text}</Typography.Paragraph>
    </Modal>
  );
}

interface EditValues {
  name: string;
  description: string;
  endsAt: ReturnType<typeof programmeTime> | null;
}

/** Name, description and end: the settings of a draw that can change. */
export function EditDialog({ open, draw, i18n, onClose }: { readonly open: boolean; readonly draw: DrawAdmin; readonly i18n: DrawI18n; readonly onClose: () => void }) {
  const { t } = i18n;
  const [form] = Form.useForm<EditValues>();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const { send, busy } = useDrawChange(draw, i18n, open);
  const opening = useOpenings(open);
  const save = async () => {
    try {
      const values = await form.validateFields();
      const change: Omit<DrawPatch, 'expectedVersion'> = {};
      if (values.name.trim() !== draw.name) change.name = values.name.trim();
      if ((values.description ?? '') !== draw.description) change.description = values.description ?? '';
      const endsAt = values.endsAt ? fromProgrammeInput(values.endsAt) : undefined;
      if (endsAt && Date.parse(endsAt) !== Date.parse(draw.endsAt)) change.endsAt = endsAt;
      if (Object.keys(change).length === 0) {
        void message.info(t('edit.noChanges'));
        return;
      }
      if (await send(change, form)) onClose();
    } catch (error) {
      if (!isFormValidationError(error)) showProblem(error);
    }
  };
  return (
    <Modal
      open={open}
      title={t('edit.title', { name: draw.name })}
      onCancel={onClose}
      destroyOnHidden
      footer={<DialogFooter opening={opening} busy={busy} okText={t('edit.save')} cancelText={t('form.cancel')} onCancel={onClose} onOk={() => void save()} />}
    >
      <Alert type="info" showIcon title={t('edit.note')} style={{ marginBottom: 16 }} />
      <Form<EditValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ name: draw.name, description: draw.description, endsAt: programmeTime(draw.endsAt) }}
      >
        <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, min: 3, message: t('form.name.required') }]}>
          <Input maxLength={120} />
        </Form.Item>
        <Form.Item name="description" label={t('form.description')}>
          <Input.TextArea maxLength={2000} rows={2} />
        </Form.Item>
        <Form.Item
          name="endsAt"
          label={t('form.endsAt', { zone: PROGRAMME_TIME_ZONE })}
          rules={[
            { required: true, message: t('form.time.required') },
            {
              validator: (_, value: EditValues['endsAt']) =>
                !value || Date.parse(fromProgrammeInput(value)) > Date.now() ? Promise.resolve() : Promise.reject(new Error(t('edit.endsAt.future'))),
            },
          ]}
        >
          <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Top up (or take back) the stock of limited prizes. */
export function TopUpDialog({ open, draw, i18n, onClose }: { readonly open: boolean; readonly draw: DrawAdmin; readonly i18n: DrawI18n; readonly onClose: () => void }) {
  const { t } = i18n;
  const [form] = Form.useForm<Record<string, number | null>>();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const { send, busy } = useDrawChange(draw, i18n, open);
  const opening = useOpenings(open);
  const limited = draw.prizes.filter((p) => p.stock !== null);
  const save = async () => {
    try {
      const values = await form.validateFields();
      const stockTopUps = limited.flatMap((p) => {
        const add = values[p.prizeId];
        return add ? [{ prizeId: p.prizeId, add }] : [];
      });
      if (stockTopUps.length === 0) {
        void message.info(t('topUp.nothing'));
        return;
      }
      if (await send({ stockTopUps })) onClose();
    } catch (error) {
      if (!isFormValidationError(error)) showProblem(error);
    }
  };
  return (
    <Modal
      open={open}
      title={t('topUp.title', { name: draw.name })}
      onCancel={onClose}
      destroyOnHidden
      footer={<DialogFooter opening={opening} busy={busy} okText={t('topUp.save')} cancelText={t('form.cancel')} onCancel={onClose} onOk={() => void save()} />}
    >
      <Typography.Paragraph type="secondary">{t('topUp.note')}</Typography.Paragraph>
      {limited.length === 0 ? <Alert type="info" title={t('topUp.noLimited')} /> : null}
      <Form form={form} layout="vertical">
        {limited.map((p) => (
          <Form.Item
            key={p.prizeId}
            name={p.prizeId}
            label={t('topUp.add', { prize: p.name, stock: i18n.points(p.stock ?? 0), left: i18n.points(p.stockLeft ?? 0) })}
            rules={[{ type: 'integer', min: -(p.stockLeft ?? 0), max: 10_000_000, message: t('form.wholeNumber') }]}
          >
            <InputNumber precision={0} style={{ width: 200 }} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}
