import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Col, DatePicker, Divider, Flex, Form, Input, InputNumber, Modal, Row, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { formatNumber, fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { keepEnterInPicker } from '../campaigns/campaign-values';
import type { DrawI18n } from './draws-page';
import {
  drawInputOf,
  expectedPointsPerSpin,
  newDrawValues,
  oddsComplete,
  PRIZE_KINDS,
  totalPercent,
  valuesFromDraw,
  type DrawAdmin,
  type DrawFormValues,
  type PrizeFormValues,
} from './draw-values';
import { drawMessages } from './messages';

const zone = PROGRAMME_TIME_ZONE;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export interface DrawFormDialogProps {
  readonly open: boolean;
  /** A draw to start from (its prizes, odds and rules, in a new draw); none: a new draw from scratch. */
  readonly from?: DrawAdmin | undefined;
  /** `edit`: replace the prizes and odds of `from` itself (an upcoming draw); else a new draw. */
  readonly mode?: 'new' | 'edit';
  readonly onClose: () => void;
}

/**
 * "New draw", "New draw from this one" and "Prizes and odds" (an upcoming draw's, before it opens): one dialog, its
 * Idempotency-Key kept for the dialog's opening.
 */
export function DrawFormDialog({ open, from, mode = 'new', onClose }: DrawFormDialogProps) {
  const i18n = useMessages(drawMessages);
  const idempotency = useIdempotencyKey(open);
  const editing = mode === 'edit' && from !== undefined;
  const title = editing ? i18n.t('form.editTitle', { name: from.name }) : from ? i18n.t('form.copyTitle', { name: from.name }) : i18n.t('form.newTitle');
  return (
    <Modal open={open} onCancel={onClose} footer={null} destroyOnHidden width={1000} title={title}>
      <DrawForm from={from} editing={editing} idempotency={idempotency} onClose={onClose} i18n={i18n} />
    </Modal>
  );
}

function DrawForm({
  from,
  editing,
  idempotency,
  onClose,
  i18n,
}: {
  readonly from: DrawAdmin | undefined;
  readonly editing: boolean;
  readonly idempotency: IdempotencyKey;
  readonly onClose: () => void;
  readonly i18n: DrawI18n;
}) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<DrawFormValues>();
  const [initialValues] = useState(() => (from ? valuesFromDraw(from, undefined, editing) : newDrawValues()));
  const [saving, setSaving] = useState(false);
  // Why the last Create was refused on the odds (shown beside the total until the odds add up again).
  const [oddsRefused, setOddsRefused] = useState<string | undefined>();
  const prizes = (Form.useWatch('prizes', form) ?? initialValues.prizes) as (PrizeFormValues | undefined)[];
  const spinCost = (Form.useWatch('spinCostPoints', form) ?? initialValues.spinCostPoints) as number | null;
  const total = totalPercent(prizes);
  const complete = oddsComplete(prizes);
  const consolationOptions = prizes
    .filter((p): p is PrizeFormValues => Boolean(p?.prizeId))
    .map((p) => ({ value: p.prizeId as string, label: `${p.prizeId} — ${p.name ?? ''}` }));

  const submit = async (values: DrawFormValues) => {
    if (!oddsComplete(values.prizes)) {
      // The odds are what members are promised: a total other than 100 % is never sent; every odds field says why.
      const sum = formatNumber(totalPercent(values.prizes), i18n.locale, 2);
      form.setFields(values.prizes.map((_, i) => ({ name: ['prizes', i, 'percent'], errors: [t('form.oddsField', { total: sum })] })));
      setOddsRefused(t('form.oddsNot100', { total: sum }));
      return;
    }
    setOddsRefused(undefined);
    setSaving(true);
    const headers = { 'Idempotency-Key': idempotency.key };
    try {
      if (editing && from) {
        const { prizes, consolationPrizeId, poolId, activity } = drawInputOf(values);
        const draw = await unwrap(
          api.PUT('/v1/admin/draws/{drawId}/prizes', {
            params: { path: { drawId: from.drawId } },
            headers,
            body: { expectedVersion: from.version, prizes, consolationPrizeId, poolId, activity },
          }),
        );
        idempotency.succeeded();
        void message.success(t('form.saved', { name: draw.name, version: draw.version }));
        queryClient.setQueryData(['draw', draw.drawId], draw);
        await queryClient.invalidateQueries({ queryKey: ['draws'] });
        onClose();
        return;
      }
      const draw = await unwrap(api.POST('/v1/admin/draws', { headers, body: drawInputOf(values) }));
      idempotency.succeeded();
      void message.success(t('form.created', { name: draw.name }));
      queryClient.setQueryData(['draw', draw.drawId], draw);
      await queryClient.invalidateQueries({ queryKey: ['draws'] });
      onClose();
      void navigate(`/draws/${encodeURIComponent(draw.drawId)}`);
    } catch (error) {
      showProblem(error, form);
      // A 409 (changed meanwhile, or too close to opening): the page shows the draw as it is now.
      if (editing && from) await queryClient.invalidateQueries({ queryKey: ['draw', from.drawId] });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<DrawFormValues> form={form} layout="vertical" requiredMark={false} initialValues={initialValues} onFinish={(values) => void submit(values)}>
      {from ? <Alert type="info" showIcon title={t(editing ? 'form.editNote' : 'form.copyNote')} style={{ marginBottom: 16 }} /> : null}
      {/* Editing an upcoming draw's prizes: the rest is changed with "Edit" or fixed; shown for reference. */}
      <fieldset disabled={editing} style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}>
      <Row gutter={16}>
        <Col span={10}>
          <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, min: 3, message: t('form.name.required') }]}>
            <Input maxLength={120} />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="drawId" label={t('form.drawId')} rules={[{ pattern: ID, message: t('form.required') }]}>
            <Input maxLength={64} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="description" label={t('form.description')}>
            <Input maxLength={2000} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="startsAt" label={t('form.startsAt', { zone })} rules={[{ required: true, message: t('form.time.required') }]}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="endsAt"
            label={t('form.endsAt', { zone })}
            dependencies={['startsAt']}
            rules={[
              { required: true, message: t('form.time.required') },
              ({ getFieldValue }) => ({
                validator: (_, value: DrawFormValues['endsAt']) => {
                  const start = getFieldValue('startsAt') as DrawFormValues['startsAt'];
                  return !start || !value || Date.parse(fromProgrammeInput(value)) > Date.parse(fromProgrammeInput(start))
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('form.endsAt.afterStart')));
                },
              }),
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>

      <Divider titlePlacement="start">{t('form.section.spins')}</Divider>
      <Row gutter={16}>
        <Col span={5}>
          <Form.Item name="freeSpinsPerDay" label={t('form.freeSpinsPerDay')} rules={[{ required: true, type: 'integer', min: 0, max: 100, message: t('form.wholeNumber') }]}>
            <InputNumber precision={0} min={0} max={100} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={5}>
          <Form.Item name="spinCostPoints" label={t('form.spinCostPoints')} rules={[{ required: true, type: 'integer', min: 1, max: 1_000_000, message: t('form.wholeNumber') }]}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item
            name="maxSpinsPerDay"
            label={t('form.maxSpinsPerDay')}
            dependencies={['freeSpinsPerDay']}
            rules={[
              { required: true, type: 'integer', min: 1, max: 1000, message: t('form.wholeNumber') },
              ({ getFieldValue }) => ({
                validator: (_, value: number | null) =>
                  value === null || value === undefined || value >= Number(getFieldValue('freeSpinsPerDay') ?? 0)
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('form.maxBelowFree'))),
              }),
            ]}
          >
            <InputNumber precision={0} min={1} max={1000} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      </fieldset>
      <Row gutter={16}>
        <Col span={4}>
          <Form.Item name="poolId" label={t('form.poolId')}>
            <Input maxLength={64} />
          </Form.Item>
        </Col>
        <Col span={4}>
          <Form.Item name="activity" label={t('form.activity')}>
            <Input maxLength={32} />
          </Form.Item>
        </Col>
      </Row>

      <Divider titlePlacement="start">{t('form.section.prizes')}</Divider>
      <Typography.Paragraph type="secondary">{t('form.prizesNote')}</Typography.Paragraph>
      <Form.List name="prizes">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => {
              const kind = prizes[field.name]?.kind;
              const label = (key: Parameters<DrawI18n['t']>[0]) => (index === 0 ? t(key) : undefined);
              const aria = (key: Parameters<DrawI18n['t']>[0]) => `${t(key)} ${index + 1}`;
              return (
                <Row gutter={8} key={field.key} align="top">
                  <Col span={3}>
                    <Form.Item name={[field.name, 'prizeId']} label={label('form.prizeId')} rules={[{ required: true, pattern: ID, message: t('form.required') }]}>
                      <Input aria-label={aria('form.prizeId')} maxLength={64} />
                    </Form.Item>
                  </Col>
                  <Col span={5}>
                    <Form.Item name={[field.name, 'name']} label={label('form.prizeName')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                      <Input aria-label={aria('form.prizeName')} maxLength={120} />
                    </Form.Item>
                  </Col>
                  <Col span={3}>
                    <Form.Item name={[field.name, 'kind']} label={label('form.kind')} rules={[{ required: true, message: t('form.required') }]}>
                      <Select aria-label={aria('form.kind')} options={PRIZE_KINDS.map((k) => ({ value: k, label: t(`form.kind.${k}`) }))} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    {kind === 'POINTS' ? (
                      <Form.Item name={[field.name, 'points']} label={label('form.prizeValue')} rules={[{ required: true, type: 'integer', min: 1, max: 1_000_000, message: t('form.wholeNumber') }]}>
                        <InputNumber aria-label={aria('form.points')} precision={0} min={1} style={{ width: '100%' }} />
                      </Form.Item>
                    ) : kind === 'COUPON' ? (
                      <Form.Item name={[field.name, 'couponTemplateId']} label={label('form.prizeValue')} rules={[{ required: true, pattern: ID, message: t('form.required') }]}>
                        <Input aria-label={aria('form.couponTemplateId')} />
                      </Form.Item>
                    ) : kind === 'GOODS' ? (
                      <Form.Item name={[field.name, 'productId']} label={label('form.prizeValue')} rules={[{ required: true, pattern: ID, message: t('form.required') }]}>
                        <Input aria-label={aria('form.productId')} />
                      </Form.Item>
                    ) : (
                      <Form.Item label={label('form.prizeValue')}>
                        <Input disabled value="—" aria-hidden />
                      </Form.Item>
                    )}
                  </Col>
                  <Col span={3}>
                    <Form.Item
                      name={[field.name, 'percent']}
                      label={label('form.percent')}
                      rules={[{ required: true, type: 'number', min: 0.01, max: 100, message: t('form.percent.range') }]}
                    >
                      <InputNumber aria-label={aria('form.percent')} precision={2} min={0.01} max={100} step={1} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={4}>
                    <Form.Item name={[field.name, 'stock']} label={label('form.stock')} rules={[{ type: 'integer', min: 1, max: 10_000_000, message: t('form.wholeNumber') }]}>
                      <InputNumber aria-label={aria('form.stock')} precision={0} min={1} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col span={2}>
                    <Form.Item label={index === 0 ? ' ' : undefined}>
                      <Button onClick={() => remove(field.name)} disabled={fields.length <= 2}>
                        {t('form.remove')}
                      </Button>
                    </Form.Item>
                  </Col>
                </Row>
              );
            })}
            <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
              <Button type="dashed" onClick={() => add({ kind: 'NOTHING', percent: null, stock: null })} disabled={fields.length >= 24}>
                {t('form.addPrize')}
              </Button>
              <Space orientation="vertical" align="end" size={0}>
                <Typography.Text strong type={complete ? 'success' : 'danger'} data-testid="odds-total">
                  {t('form.oddsTotal', { total: formatNumber(total, i18n.locale, 2) })}
                </Typography.Text>
                {oddsRefused && !complete ? (
                  <Typography.Text type="danger" role="alert" data-testid="odds-refusal">
                    {oddsRefused}
                  </Typography.Text>
                ) : null}
              </Space>
            </Flex>
          </>
        )}
      </Form.List>
      <Typography.Paragraph data-testid="expected-points">
        {t('form.expected', { points: formatNumber(expectedPointsPerSpin(prizes), i18n.locale, 2), cost: i18n.points(spinCost ?? 0) })}
        <br />
        <Typography.Text type="secondary">{t('form.expectedNote')}</Typography.Text>
      </Typography.Paragraph>
      <Form.Item name="consolationPrizeId" label={t('form.consolation')} rules={[{ required: true, message: t('form.consolation.required') }]}>
        <Select options={consolationOptions} style={{ maxWidth: 400 }} />
      </Form.Item>
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('form.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {editing ? t('form.save') : t('form.create')}
        </Button>
      </Flex>
    </Form>
  );
}
