import { DatePicker, Flex, Form, Input, InputNumber, Select, type FormInstance } from 'antd';
import type { Dayjs } from 'dayjs';
import type { components } from '../../api/schema';
import { fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { TIERS, type RulesI18n } from './rules-form';

type CampaignInput = components['schemas']['CampaignInput'];
type Tier = (typeof TIERS)[number];

/** The draft campaign's inputs; names follow CampaignInput so `body.draftCampaign.schedule.endsAt` lands on its picker. */
export interface CampaignFormValues {
  name?: string;
  effect?: { kind: 'multiplier' | 'bonus'; multiplier?: number | null; points?: number | null; minSpendYuan?: number | null };
  /** Wall-clock times meant in the programme's zone (fromProgrammeInput). */
  schedule?: { startsAt?: Dayjs | null; endsAt?: Dayjs | null };
  audience?: { kind: 'all' | 'tiers'; tiers?: Tier[] };
  targets?: { categories?: string[] };
  budgetPoints?: number | null;
  perMemberCap?: number | null;
}

/** What the API takes: the campaign as POST /v1/admin/campaigns would, a window always in the programme's zone. */
export function campaignOf(values: CampaignFormValues): CampaignInput {
  const effect = values.effect ?? { kind: 'multiplier' };
  const time = (picked: Dayjs | null | undefined) => (picked ? fromProgrammeInput(picked) : '');
  const categories = values.targets?.categories?.filter((c) => c.trim() !== '') ?? [];
  return {
    name: values.name?.trim() ?? '',
    status: 'ACTIVE',
    // A missing number goes as NaN → null in JSON: the API answers the field error on the input.
    effect:
      effect.kind === 'multiplier'
        ? { kind: 'multiplier', multiplier: effect.multiplier ?? Number.NaN }
        : {
            kind: 'bonus',
            points: effect.points ?? Number.NaN,
            ...(effect.minSpendYuan ? { minSpendCents: Math.round(effect.minSpendYuan * 100) } : {}),
          },
    schedule: { startsAt: time(values.schedule?.startsAt), endsAt: time(values.schedule?.endsAt), timezone: PROGRAMME_TIME_ZONE, recurring: null },
    audience: values.audience?.kind === 'tiers' ? { kind: 'tiers', tiers: values.audience.tiers ?? [] } : { kind: 'all' },
    targets: categories.length > 0 ? { categories } : {},
    budgetPoints: values.budgetPoints ?? null,
    perMemberCap: values.perMemberCap ?? null,
  };
}

/** A draft campaign (name, window, multiplier or bonus, audience, categories, budget) for previews and what-if replays. */
export function DraftCampaignForm({
  form,
  i18n,
  initialValues,
  disabled,
}: {
  readonly form: FormInstance<CampaignFormValues>;
  readonly i18n: RulesI18n;
  readonly initialValues: CampaignFormValues;
  readonly disabled: boolean;
}) {
  const { t } = i18n;
  const zone = ` (${PROGRAMME_TIME_ZONE})`;
  const required = [{ required: true, message: t('preview.required') }];
  return (
    <Form form={form} layout="vertical" initialValues={initialValues} disabled={disabled} data-testid="draft-campaign-form">
      <Flex wrap gap="0 24px" align="flex-start">
        <Form.Item name="name" label={t('campaign.name')} rules={required} style={{ width: 300 }}>
          <Input aria-label={t('campaign.name')} />
        </Form.Item>
        <Form.Item name={['schedule', 'startsAt']} label={t('campaign.startsAt') + zone} rules={required} style={{ width: 240 }}>
          <DatePicker showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name={['schedule', 'endsAt']} label={t('campaign.endsAt') + zone} rules={required} style={{ width: 240 }}>
          <DatePicker showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
        </Form.Item>
      </Flex>
      <Flex wrap gap="0 24px" align="flex-start">
        <Form.Item name={['effect', 'kind']} label={t('campaign.effect')} style={{ width: 200 }}>
          <Select
            aria-label={t('campaign.effect')}
            options={[
              { value: 'multiplier', label: t('campaign.effect.multiplier') },
              { value: 'bonus', label: t('campaign.effect.bonus') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle dependencies={[['effect', 'kind']]}>
          {() =>
            form.getFieldValue(['effect', 'kind']) === 'bonus' ? (
              <>
                <Form.Item name={['effect', 'points']} label={t('campaign.bonusPoints')} style={{ width: 200 }}>
                  <InputNumber aria-label={t('campaign.bonusPoints')} min={1} style={{ width: '100%' }} />
                </Form.Item>
                <Form.Item name={['effect', 'minSpendYuan']} label={t('campaign.minSpend')} style={{ width: 200 }}>
                  <InputNumber aria-label={t('campaign.minSpend')} min={0} precision={2} prefix="¥" style={{ width: '100%' }} />
                </Form.Item>
              </>
            ) : (
              <Form.Item name={['effect', 'multiplier']} label={t('campaign.multiplier')} style={{ width: 200 }}>
                <InputNumber aria-label={t('campaign.multiplier')} min={1} step={0.5} style={{ width: '100%' }} />
              </Form.Item>
            )
          }
        </Form.Item>
        <Form.Item name={['audience', 'kind']} label={t('campaign.audience')} style={{ width: 200 }}>
          <Select
            aria-label={t('campaign.audience')}
            options={[
              { value: 'all', label: t('campaign.audience.all') },
              { value: 'tiers', label: t('campaign.audience.tiers') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle dependencies={[['audience', 'kind']]}>
          {() =>
            form.getFieldValue(['audience', 'kind']) === 'tiers' ? (
              <Form.Item name={['audience', 'tiers']} label={t('campaign.tiers')} style={{ width: 300 }}>
                <Select aria-label={t('campaign.tiers')} mode="multiple" options={TIERS.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))} />
              </Form.Item>
            ) : null
          }
        </Form.Item>
      </Flex>
      <Flex wrap gap="0 24px" align="flex-start">
        <Form.Item name={['targets', 'categories']} label={t('campaign.categories')} extra={t('campaign.categories.help')} style={{ width: 300 }}>
          <Select aria-label={t('campaign.categories')} mode="tags" open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item name="budgetPoints" label={t('campaign.budget')} style={{ width: 200 }}>
          <InputNumber aria-label={t('campaign.budget')} min={1} placeholder={t('campaign.noLimit')} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="perMemberCap" label={t('campaign.perMemberCap')} style={{ width: 200 }}>
          <InputNumber aria-label={t('campaign.perMemberCap')} min={1} placeholder={t('campaign.noLimit')} style={{ width: '100%' }} />
        </Form.Item>
      </Flex>
    </Form>
  );
}
