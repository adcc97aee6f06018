import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Col, DatePicker, Divider, Flex, Form, Input, InputNumber, Modal, Radio, Row, Select, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { formatProgrammeTime, fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import type { CampaignI18n } from './campaign-columns';
import {
  changesOf,
  inputOfValues,
  keepEnterInPicker,
  newCampaignValues,
  TIERS,
  valuesOfCampaign,
  WEEKDAYS,
  WEEKEND,
  type Campaign,
  type CampaignFormValues,
  type CampaignInput,
} from './campaign-values';
import { campaignMessages } from './messages';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const zone = PROGRAMME_TIME_ZONE;

export interface CampaignFormDialogProps {
  readonly open: boolean;
  /** The campaign to edit; none: a new one. */
  readonly campaign?: Campaign | undefined;
  readonly onClose: () => void;
  readonly onSaved?: (campaign: Campaign) => void;
}

/**
 * "New campaign" and "Edit campaign": one dialog. Its Idempotency-Key lives as long as the dialog's opening (kept
 * across a failed save and a reopening after one); the form is made fresh at each opening.
 */
export function CampaignFormDialog({ open, campaign, onClose, onSaved }: CampaignFormDialogProps) {
  const i18n = useMessages(campaignMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal
      open={open}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      width={800}
      title={campaign ? i18n.t('form.editTitle', { name: campaign.name }) : i18n.t('form.newTitle')}
    >
      <CampaignForm campaign={campaign} idempotency={idempotency} onClose={onClose} onSaved={onSaved} i18n={i18n} />
    </Modal>
  );
}

function positiveOrEmpty(i18n: CampaignI18n): Rule {
  return { type: 'integer', min: 1, message: i18n.t('form.positive') };
}

/** Compares the wall-clock times the pickers hold, as the programme-zone instants they stand for. */
function instant(value: CampaignFormValues['schedule']['startsAt']): number | undefined {
  return value ? Date.parse(fromProgrammeInput(value)) : undefined;
}

function CampaignForm({
  campaign,
  idempotency,
  onClose,
  onSaved,
  i18n,
}: {
  readonly campaign: Campaign | undefined;
  readonly idempotency: IdempotencyKey;
  readonly onClose: () => void;
  readonly onSaved: ((campaign: Campaign) => void) | undefined;
  readonly i18n: CampaignI18n;
}) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<CampaignFormValues>();
  const [initialValues] = useState(() => (campaign ? valuesOfCampaign(campaign) : newCampaignValues()));
  // The edit's starting point: what the operator changed is measured against it (and it moves on "load their version").
  const [baseline, setBaseline] = useState<{ campaign: Campaign; input: CampaignInput } | undefined>(() =>
    campaign ? { campaign, input: inputOfValues(valuesOfCampaign(campaign), campaign) } : undefined,
  );
  // After a 409: the version saved meanwhile; the next save goes on top of it.
  const [latest, setLatest] = useState<Campaign | undefined>();
  const [saving, setSaving] = useState(false);

  const recurringOn = Form.useWatch('recurringOn', form);
  const audienceKind = Form.useWatch(['audience', 'kind'], form);
  const spendOn = Form.useWatch('spendOn', form);
  const periodKind = Form.useWatch(['audience', 'spend', 'period', 'kind'], form);
  const effectKind = Form.useWatch(['effect', 'kind'], form);

  const saved = async (result: Campaign, created: boolean) => {
    idempotency.succeeded();
    void message.success(created ? t('form.created', { name: result.name }) : t('form.saved', { name: result.name, version: result.version }));
    queryClient.setQueryData(['campaign', result.campaignId], result);
    await queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    await queryClient.invalidateQueries({ queryKey: ['campaign', result.campaignId] });
    await queryClient.invalidateQueries({ queryKey: ['audit'] });
    onSaved?.(result);
    onClose();
  };

  const submit = async (values: CampaignFormValues) => {
    const headers = { 'Idempotency-Key': idempotency.key };
    setSaving(true);
    try {
      if (!baseline) {
        const body = inputOfValues(values);
        await saved(await unwrap(api.POST('/v1/admin/campaigns', { headers, body })), true);
        return;
      }
      const current = latest ?? baseline.campaign;
      const changes = changesOf(baseline.input, inputOfValues(values, current));
      if (Object.keys(changes).length === 0) {
        void message.info(t('form.noChanges'));
        return;
      }
      const result = await unwrap(
        api.PATCH('/v1/admin/campaigns/{campaignId}', {
          params: { path: { campaignId: current.campaignId } },
          headers,
          body: { expectedVersion: current.version, ...changes },
        }),
      );
      await saved(result, false);
    } catch (error) {
      showProblem(error, form);
      if (baseline && error instanceof ProblemError && error.problem.code === 'CONFLICT') {
        try {
          setLatest(await unwrap(api.GET('/v1/admin/campaigns/{campaignId}', { params: { path: { campaignId: baseline.campaign.campaignId } } })));
        } catch (reloadError) {
          showProblem(reloadError);
        }
      }
    } finally {
      setSaving(false);
    }
  };

  const loadLatest = () => {
    if (!latest) return;
    form.resetFields();
    form.setFieldsValue(valuesOfCampaign(latest));
    setBaseline({ campaign: latest, input: inputOfValues(valuesOfCampaign(latest), latest) });
    setLatest(undefined);
  };

  const weekend = () => {
    form.setFieldValue(['schedule', 'recurring'], { daysOfWeek: [...WEEKEND], from: '00:00', to: '23:59' });
  };

  return (
    <Form<CampaignFormValues> form={form} layout="vertical" initialValues={initialValues} onFinish={(values) => void submit(values)} requiredMark={false}>
      {latest ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('form.conflict', { version: latest.version, at: formatProgrammeTime(latest.updatedAt) })}
          action={
            <Button size="small" onClick={loadLatest}>
              {t('form.loadLatest')}
            </Button>
          }
        />
      ) : null}
      <Row gutter={16}>
        <Col span={16}>
          <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, min: 3, message: t('form.name.required') }]}>
            <Input maxLength={120} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="status" label={t('form.status')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'ACTIVE', label: t('campaigns.status.ACTIVE') },
                { value: 'PAUSED', label: t('campaigns.status.PAUSED') },
              ]}
            />
          </Form.Item>
        </Col>
      </Row>

      <Divider titlePlacement="start">{t('form.section.schedule')}</Divider>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name={['schedule', 'startsAt']} label={t('form.startsAt', { zone })} rules={[{ required: true, message: t('form.startsAt.required') }]}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name={['schedule', 'endsAt']}
            label={t('form.endsAt', { zone })}
            dependencies={[['schedule', 'startsAt']]}
            rules={[
              { required: true, message: t('form.endsAt.required') },
              ({ getFieldValue }) => ({
                validator: (_, value: CampaignFormValues['schedule']['endsAt']) => {
                  const start = instant(getFieldValue(['schedule', 'startsAt']) as CampaignFormValues['schedule']['startsAt']);
                  const end = instant(value);
                  return start === undefined || end === undefined || end > start ? Promise.resolve() : Promise.reject(new Error(t('form.endsAt.afterStart')));
                },
              }),
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="recurringOn" valuePropName="checked" style={{ marginBottom: recurringOn ? 8 : undefined }}>
        <Checkbox>{t('form.recurringOn')}</Checkbox>
      </Form.Item>
      {recurringOn ? (
        <>
          <Flex align="center" gap="middle" wrap>
            <Form.Item
              name={['schedule', 'recurring', 'daysOfWeek']}
              label={t('form.recurring.days')}
              rules={[{ required: true, type: 'array', min: 1, message: t('form.recurring.days.required') }]}
            >
              <Checkbox.Group options={WEEKDAYS.map((day) => ({ value: day, label: t(`weekday.${day}`) }))} />
            </Form.Item>
            <Button size="small" onClick={weekend}>
              {t('form.recurring.weekend')}
            </Button>
          </Flex>
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item
                name={['schedule', 'recurring', 'from']}
                label={t('form.recurring.from')}
                rules={[{ required: true, pattern: HHMM, message: t('form.recurring.time') }]}
              >
                <Input placeholder="00:00" maxLength={5} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item
                name={['schedule', 'recurring', 'to']}
                label={t('form.recurring.to')}
                dependencies={[['schedule', 'recurring', 'from']]}
                rules={[
                  { required: true, pattern: HHMM, message: t('form.recurring.time') },
                  ({ getFieldValue }) => ({
                    validator: (_, value: string | undefined) => {
                      const from = getFieldValue(['schedule', 'recurring', 'from']) as string | undefined;
                      return !value || !from || !HHMM.test(value) || !HHMM.test(from) || from <= value
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('form.recurring.toAfterFrom')));
                    },
                  }),
                ]}
              >
                <Input placeholder="23:59" maxLength={5} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Typography.Paragraph type="secondary" style={{ marginTop: 34 }}>
                {t('form.recurring.zone', { zone: campaign?.schedule.timezone ?? zone })}
              </Typography.Paragraph>
            </Col>
          </Row>
        </>
      ) : null}

      <Divider titlePlacement="start">{t('form.section.audience')}</Divider>
      <Form.Item name={['audience', 'kind']} label={t('form.audience')}>
        <Radio.Group
          options={[
            { value: 'all', label: t('form.audience.all') },
            { value: 'tiers', label: t('form.audience.tiers') },
            { value: 'segment', label: t('form.audience.segment') },
          ]}
        />
      </Form.Item>
      {audienceKind === 'tiers' ? (
        <Form.Item name={['audience', 'tiers']} label={t('form.tiers')} rules={[{ required: true, type: 'array', min: 1, message: t('form.tiers.required') }]}>
          <Checkbox.Group options={TIERS.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))} />
        </Form.Item>
      ) : null}
      {audienceKind === 'segment' ? (
        <SegmentFields i18n={i18n} spendOn={spendOn === true} periodKind={periodKind} />
      ) : null}
      <Form.Item name={['targets', 'categories']} label={t('form.categories')}>
        <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
      </Form.Item>

      <Divider titlePlacement="start">{t('form.section.effect')}</Divider>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name={['effect', 'kind']} label={t('form.effect')}>
            <Radio.Group
              options={[
                { value: 'multiplier', label: t('form.effect.multiplier') },
                { value: 'bonus', label: t('form.effect.bonus') },
              ]}
            />
          </Form.Item>
        </Col>
        {effectKind === 'bonus' ? (
          <>
            <Col span={8}>
              <Form.Item
                name={['effect', 'points']}
                label={t('form.bonusPoints')}
                rules={[{ required: true, type: 'integer', min: 1, max: 1_000_000, message: t('form.bonusPoints.required') }]}
              >
                <InputNumber precision={0} min={1} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name={['effect', 'minSpendCents']} label={t('form.minSpend')}>
                <InputNumber precision={2} min={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </>
        ) : (
          <Col span={8}>
            <Form.Item
              name={['effect', 'multiplier']}
              label={t('form.multiplier')}
              rules={[
                { required: true, message: t('form.multiplier.range') },
                { validator: (_, value: number | null | undefined) => (value === null || value === undefined || (value > 1 && value <= 100) ? Promise.resolve() : Promise.reject(new Error(t('form.multiplier.range')))) },
              ]}
            >
              <InputNumber step={0.5} min={1} max={100} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        )}
      </Row>

      <Divider titlePlacement="start">{t('form.section.limits')}</Divider>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="budgetPoints" label={t('form.budgetPoints')} rules={[positiveOrEmpty(i18n)]}>
            <InputNumber precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="perMemberCap" label={t('form.perMemberCap')} rules={[positiveOrEmpty(i18n)]}>
            <InputNumber precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>

      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('form.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {baseline ? t('form.save') : t('form.create')}
        </Button>
      </Flex>
    </Form>
  );
}

function SegmentFields({ i18n, spendOn, periodKind }: { readonly i18n: CampaignI18n; readonly spendOn: boolean; readonly periodKind: string | undefined }) {
  const { t } = i18n;
  return (
    <>
      <Form.Item name={['audience', 'tags']} label={t('form.tags')}>
        <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name={['audience', 'registeredFrom']} label={t('form.registeredFrom', { zone })}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name={['audience', 'registeredTo']} label={t('form.registeredTo', { zone })}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="spendOn" valuePropName="checked" style={{ marginBottom: spendOn ? 8 : undefined }}>
        <Checkbox>{t('form.spendOn')}</Checkbox>
      </Form.Item>
      {spendOn ? (
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name={['audience', 'spend', 'period', 'kind']} label={t('form.spend.periodKind')}>
              <Radio.Group
                options={[
                  { value: 'last-months', label: t('form.spend.lastMonths') },
                  { value: 'months', label: t('form.spend.months') },
                ]}
              />
            </Form.Item>
          </Col>
          {periodKind === 'months' ? (
            <>
              <Col span={8}>
                <Form.Item name={['audience', 'spend', 'period', 'from']} label={t('form.spend.from')} rules={[{ required: true, message: t('form.spend.from') }]}>
                  <DatePicker onKeyDown={keepEnterInPicker} picker="month" style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name={['audience', 'spend', 'period', 'to']} label={t('form.spend.to')} rules={[{ required: true, message: t('form.spend.to') }]}>
                  <DatePicker onKeyDown={keepEnterInPicker} picker="month" style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </>
          ) : (
            <Col span={8}>
              <Form.Item name={['audience', 'spend', 'period', 'months']} label={t('form.spend.monthsCount')} rules={[{ required: true, type: 'integer', min: 1, max: 36 }]}>
                <InputNumber precision={0} min={1} max={36} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          )}
          <Col span={12}>
            <Form.Item
              name={['audience', 'spend', 'atLeastCents']}
              label={t('form.spend.atLeast')}
              dependencies={[['audience', 'spend', 'belowCents']]}
              rules={[
                ({ getFieldValue }) => ({
                  validator: (_, value: number | null | undefined) =>
                    value === null || value === undefined ? (getFieldValue(['audience', 'spend', 'belowCents']) == null ? Promise.reject(new Error(t('form.spend.bound'))) : Promise.resolve()) : Promise.resolve(),
                }),
              ]}
            >
              <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={['audience', 'spend', 'belowCents']} label={t('form.spend.below')}>
              <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
    </>
  );
}
