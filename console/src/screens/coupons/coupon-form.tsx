import { useQueryClient } from '@tanstack/react-query';
import { Button, Col, DatePicker, Flex, Form, Input, InputNumber, Modal, Radio, Row } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import type { CouponI18n } from './coupons-page';
import { couponMessages } from './messages';

type CouponTemplateInput = components['schemas']['CouponTemplateInput'];
type DiscountKind = CouponTemplateInput['discount']['kind'];
type ValidityKind = CouponTemplateInput['validity']['kind'];

/** The form's values: the API's names (so `errors[]` paths land on the fields), money in yuan, times as pickers hold them. */
interface CouponFormValues {
  couponTemplateId?: string;
  name: string;
  description?: string;
  discount: { kind: DiscountKind; amountOffCents?: number | null; thresholdCents?: number | null; percent?: number | null; maxOffCents?: number | null };
  validity: { kind: ValidityKind; days?: number | null; from?: Dayjs | null; to?: Dayjs | null };
  issueLimit?: number | null;
}

const zone = PROGRAMME_TIME_ZONE;
const cents = (yuan: number | null | undefined) => Math.round((yuan ?? 0) * 100);

function inputOf(values: CouponFormValues): CouponTemplateInput {
  const d = values.discount;
  const discount: CouponTemplateInput['discount'] =
    d.kind === 'AMOUNT_OFF'
      ? { kind: 'AMOUNT_OFF', amountOffCents: cents(d.amountOffCents), thresholdCents: cents(d.thresholdCents) }
      : d.kind === 'PERCENT_OFF'
        ? { kind: 'PERCENT_OFF', percent: d.percent ?? 0, maxOffCents: d.maxOffCents ? cents(d.maxOffCents) : null, thresholdCents: cents(d.thresholdCents) }
        : { kind: 'NO_THRESHOLD', amountOffCents: cents(d.amountOffCents) };
  const v = values.validity;
  const validity: CouponTemplateInput['validity'] =
    v.kind === 'DAYS_AFTER_ISSUE'
      ? { kind: 'DAYS_AFTER_ISSUE', days: v.days ?? 0 }
      : { kind: 'WINDOW', from: v.from ? fromProgrammeInput(v.from) : '', to: v.to ? fromProgrammeInput(v.to) : '' };
  return {
    ...(values.couponTemplateId?.trim() ? { couponTemplateId: values.couponTemplateId.trim() } : {}),
    name: values.name.trim(),
    description: values.description ?? '',
    discount,
    validity,
    issueLimit: values.issueLimit ?? null,
  };
}

/** Enter in a picker's text box takes the typed time, not the form's submit. */
function keepEnterInPicker(event: { readonly key: string; preventDefault(): void }): void {
  if (event.key === 'Enter') event.preventDefault();
}

/** "New coupon template" (templates never change once created). */
export function CouponTemplateDialog({ open, onClose }: { readonly open: boolean; readonly onClose: () => void }) {
  const i18n = useMessages(couponMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal open={open} onCancel={onClose} footer={null} destroyOnHidden width={720} title={i18n.t('form.title')}>
      <CouponForm idempotency={idempotency} onClose={onClose} i18n={i18n} />
    </Modal>
  );
}

function CouponForm({ idempotency, onClose, i18n }: { readonly idempotency: IdempotencyKey; readonly onClose: () => void; readonly i18n: CouponI18n }) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<CouponFormValues>();
  const [saving, setSaving] = useState(false);
  const kind = (Form.useWatch(['discount', 'kind'], form) ?? 'AMOUNT_OFF') as DiscountKind;
  const validityKind = (Form.useWatch(['validity', 'kind'], form) ?? 'DAYS_AFTER_ISSUE') as ValidityKind;
  const submit = async (values: CouponFormValues) => {
    setSaving(true);
    try {
      const created = await unwrap(api.POST('/v1/admin/coupons', { headers: { 'Idempotency-Key': idempotency.key }, body: inputOf(values) }));
      idempotency.succeeded();
      void message.success(t('form.created', { name: created.name }));
      await queryClient.invalidateQueries({ queryKey: ['coupon-templates'] });
      onClose();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };
  const money = [{ required: true, type: 'number' as const, min: 0.01, message: t('form.money.required') }];
  return (
    <Form<CouponFormValues>
      form={form}
      layout="vertical"
      requiredMark={false}
      initialValues={{ name: '', discount: { kind: 'AMOUNT_OFF' }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 } }}
      onFinish={(values) => void submit(values)}
    >
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, min: 2, message: t('form.name.required') }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="couponTemplateId" label={t('form.couponTemplateId')} rules={[{ pattern: /^[A-Za-z0-9._:-]{1,64}$/, message: t('form.couponTemplateId') }]}>
            <Input maxLength={64} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('form.description')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Form.Item name={['discount', 'kind']} label={t('form.kind')}>
        <Radio.Group optionType="button" options={(['AMOUNT_OFF', 'PERCENT_OFF', 'NO_THRESHOLD'] as const).map((value) => ({ value, label: t(`form.kind.${value}`) }))} />
      </Form.Item>
      <Row gutter={16}>
        {kind === 'PERCENT_OFF' ? (
          <>
            <Col span={8}>
              <Form.Item name={['discount', 'percent']} label={t('form.percent')} rules={[{ required: true, type: 'integer', min: 1, max: 99, message: t('form.percent') }]}>
                <InputNumber precision={0} min={1} max={99} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['discount', 'maxOffCents']} label={t('form.maxOff')}>
                <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['discount', 'thresholdCents']} label={t('form.threshold')}>
                <InputNumber precision={2} min={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </>
        ) : (
          <>
            <Col span={12}>
              <Form.Item name={['discount', 'amountOffCents']} label={t('form.amountOff')} rules={money}>
                <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            {kind === 'AMOUNT_OFF' ? (
              <Col span={12}>
                <Form.Item
                  name={['discount', 'thresholdCents']}
                  label={t('form.threshold')}
                  dependencies={[['discount', 'amountOffCents']]}
                  rules={[
                    ...money,
                    ({ getFieldValue }) => ({
                      validator: (_, value: number | null | undefined) => {
                        const amount = getFieldValue(['discount', 'amountOffCents']) as number | null | undefined;
                        return value == null || amount == null || value >= amount ? Promise.resolve() : Promise.reject(new Error(t('form.threshold.atLeastAmount')));
                      },
                    }),
                  ]}
                >
                  <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            ) : null}
          </>
        )}
      </Row>
      <Form.Item name={['validity', 'kind']} label={t('form.validity')}>
        <Radio.Group optionType="button" options={(['DAYS_AFTER_ISSUE', 'WINDOW'] as const).map((value) => ({ value, label: t(`form.validity.${value}`) }))} />
      </Form.Item>
      {validityKind === 'DAYS_AFTER_ISSUE' ? (
        <Form.Item name={['validity', 'days']} label={t('form.days')} rules={[{ required: true, type: 'integer', min: 1, max: 3660 }]}>
          <InputNumber precision={0} min={1} max={3660} style={{ width: 200 }} />
        </Form.Item>
      ) : (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={['validity', 'from']} label={t('form.from', { zone })} rules={[{ required: true, message: t('form.time.required') }]}>
              <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name={['validity', 'to']}
              label={t('form.to', { zone })}
              dependencies={[['validity', 'from']]}
              rules={[
                { required: true, message: t('form.time.required') },
                ({ getFieldValue }) => ({
                  validator: (_, value: Dayjs | null | undefined) => {
                    const from = getFieldValue(['validity', 'from']) as Dayjs | null | undefined;
                    return !value || !from || Date.parse(fromProgrammeInput(value)) > Date.parse(fromProgrammeInput(from))
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('form.to.afterFrom')));
                  },
                }),
              ]}
            >
              <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Form.Item name="issueLimit" label={t('form.issueLimit')} rules={[{ type: 'integer', min: 1, message: t('form.positive') }]}>
        <InputNumber precision={0} style={{ width: 200 }} />
      </Form.Item>
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('form.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('form.create')}
        </Button>
      </Flex>
    </Form>
  );
}
