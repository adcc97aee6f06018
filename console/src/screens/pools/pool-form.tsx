import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Col, Flex, Form, Input, InputNumber, Modal, Row } from 'antd';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { useMessage, useMessages } from '../../i18n/locale';
import { poolMessages } from './messages';
import type { PoolI18n } from './pool-table';

type PoolInput = components['schemas']['PoolInput'];

const ACTIVITY = /^[a-z][a-z0-9-]{1,31}$/;

interface PoolFormValues {
  name: string;
  budgetPoints?: number | null;
  activities: { activity?: string; weight?: number | null; dailyCapPerMember?: number | null }[];
  counterShards?: number | null;
}

export function poolInputOf(values: PoolFormValues): PoolInput {
  return {
    name: values.name.trim(),
    budgetPoints: values.budgetPoints ?? 0,
    activities: values.activities.map((a) => ({ activity: (a.activity ?? '').trim(), weight: a.weight ?? 0, dailyCapPerMember: a.dailyCapPerMember ?? null })),
    ...(values.counterShards ? { counterShards: values.counterShards } : {}),
  };
}

/** "New pool": name, budget, activities with weights and daily caps (pools cannot change once created). */
export function PoolFormDialog({ open, onClose }: { readonly open: boolean; readonly onClose: () => void }) {
  const i18n = useMessages(poolMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal open={open} onCancel={onClose} footer={null} destroyOnHidden width={720} title={i18n.t('poolForm.title')}>
      <PoolForm idempotency={idempotency} onClose={onClose} i18n={i18n} />
    </Modal>
  );
}

function PoolForm({ idempotency, onClose, i18n }: { readonly idempotency: IdempotencyKey; readonly onClose: () => void; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<PoolFormValues>();
  const [saving, setSaving] = useState(false);

  const submit = async (values: PoolFormValues) => {
    setSaving(true);
    try {
      const pool = await unwrap(api.POST('/v1/admin/pools', { headers: { 'Idempotency-Key': idempotency.key }, body: poolInputOf(values) }));
      idempotency.succeeded();
      void message.success(t('poolForm.created', { name: pool.name }));
      await queryClient.invalidateQueries({ queryKey: ['pools'] });
      onClose();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<PoolFormValues>
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ name: '', activities: [{ activity: 'sign-in', weight: 50, dailyCapPerMember: null }] }}
      onFinish={(values) => void submit(values)}
    >
      <Alert type="info" showIcon title={t('poolForm.fixed')} style={{ marginBottom: 16 }} />
      <Row gutter={16}>
        <Col span={14}>
          <Form.Item name="name" label={t('poolForm.name')} rules={[{ required: true, whitespace: true, min: 3, message: t('poolForm.name.required') }]}>
            <Input maxLength={120} />
          </Form.Item>
        </Col>
        <Col span={10}>
          <Form.Item name="budgetPoints" label={t('poolForm.budget')} rules={[{ required: true, type: 'integer', min: 1, message: t('poolForm.budget.required') }]}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Form.List
        name="activities"
        rules={[
          {
            validator: async (_, activities: PoolFormValues['activities'] | undefined) => {
              if (!activities || activities.length === 0) throw new Error(t('poolForm.activities.required'));
              const names = activities.map((a) => a?.activity?.trim());
              if (new Set(names).size !== names.length) throw new Error(t('poolForm.activities.unique'));
            },
          },
        ]}
      >
        {(fields, { add, remove }, { errors }) => (
          <>
            {fields.map((field, index) => (
              <Row gutter={8} key={field.key} align="bottom">
                <Col span={8}>
                  <Form.Item
                    name={[field.name, 'activity']}
                    label={index === 0 ? t('poolForm.activity') : undefined}
                    rules={[{ required: true, pattern: ACTIVITY, message: t('poolForm.activity.pattern') }]}
                  >
                    <Input placeholder="sign-in" aria-label={`${t('poolForm.activity')} ${index + 1}`} />
                  </Form.Item>
                </Col>
                <Col span={5}>
                  <Form.Item
                    name={[field.name, 'weight']}
                    label={index === 0 ? t('poolForm.weight') : undefined}
                    rules={[{ required: true, type: 'integer', min: 1, message: t('poolForm.weight.required') }]}
                  >
                    <InputNumber precision={0} min={1} style={{ width: '100%' }} aria-label={`${t('poolForm.weight')} ${index + 1}`} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name={[field.name, 'dailyCapPerMember']} label={index === 0 ? t('poolForm.dailyCap') : undefined}>
                    <InputNumber precision={0} min={1} style={{ width: '100%' }} aria-label={`${t('poolForm.dailyCap')} ${index + 1}`} />
                  </Form.Item>
                </Col>
                <Col span={3}>
                  <Form.Item>
                    <Button onClick={() => remove(field.name)} disabled={fields.length === 1}>
                      {t('poolForm.remove')}
                    </Button>
                  </Form.Item>
                </Col>
              </Row>
            ))}
            <Form.Item>
              <Button type="dashed" onClick={() => add({ weight: 10, dailyCapPerMember: null })}>
                {t('poolForm.addActivity')}
              </Button>
              <Form.ErrorList errors={errors} />
            </Form.Item>
          </>
        )}
      </Form.List>
      <Form.Item name="counterShards" label={t('poolForm.counterShards')} rules={[{ type: 'integer', min: 1, max: 32 }]}>
        <InputNumber precision={0} min={1} max={32} style={{ width: 160 }} />
      </Form.Item>
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('taskForm.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('taskForm.create')}
        </Button>
      </Flex>
    </Form>
  );
}
