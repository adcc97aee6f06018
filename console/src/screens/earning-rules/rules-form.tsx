import { Button, Card, Flex, Form, Input, InputNumber, Select, Typography, type FormInstance } from 'antd';
import { memo, type ReactNode } from 'react';
import type { ScreenI18n } from '../../i18n/locale';
import type { rulesMessages } from './messages';
import type { RulesFormValues } from './rules-document';

export type RulesI18n = ScreenI18n<keyof (typeof rulesMessages)['en']>;

export const TIERS = ['normal', 'silver', 'gold', 'diamond'] as const;
export const PAID_TIERS = ['silver', 'gold', 'diamond'] as const;

const FIELD_WIDTH = 200;

/** A number input of a field; `nullable` fields are left empty for "none" (the API's null). */
function NumberField({
  name,
  label,
  nullable,
  placeholder,
  min = 0,
  step,
}: {
  readonly name: (string | number)[];
  readonly label: string;
  readonly nullable?: boolean;
  readonly placeholder?: string;
  readonly min?: number;
  readonly step?: number;
}) {
  return (
    // antd's InputNumber answers null when emptied: a nullable field's "none", a required field's error from the API.
    <Form.Item name={name} label={label} style={{ width: FIELD_WIDTH }} tooltip={nullable ? placeholder : undefined}>
      <InputNumber aria-label={label} min={min} step={step} placeholder={placeholder} style={{ width: '100%' }} />
    </Form.Item>
  );
}

function Section({ title, children, extra }: { readonly title: string; readonly children: ReactNode; readonly extra?: ReactNode }) {
  return (
    <Card size="small" title={title} extra={extra} style={{ marginBottom: 16 }}>
      <Flex wrap gap="0 24px" align="flex-start">
        {children}
      </Flex>
    </Card>
  );
}

/** A list of rows (spend bands, category multipliers, referral rungs): each row its inputs, a remove button; add below. */
function Rows({
  name,
  i18n,
  empty,
  columns,
  fields,
}: {
  readonly name: string | (string | number)[];
  readonly i18n: RulesI18n;
  readonly empty: Record<string, unknown>;
  /** The column titles above the rows. */
  readonly columns: readonly string[];
  readonly fields: (row: number, index: number) => ReactNode;
}) {
  const { t } = i18n;
  return (
    <Form.List name={name}>
      {(rows, { add, remove }, { errors }) => (
        <Flex vertical style={{ width: '100%' }}>
          <Flex gap="small" aria-hidden>
            {columns.map((column) => (
              <Typography.Text key={column} type="secondary" style={{ width: FIELD_WIDTH, marginBottom: 4 }}>
                {column}
              </Typography.Text>
            ))}
          </Flex>
          {rows.map((row, index) => (
            <Flex key={row.key} gap="small" align="flex-start">
              {fields(row.name, index)}
              <Button onClick={() => remove(row.name)} aria-label={t('rules.row.remove', { n: index + 1 })}>
                {t('rules.row.removeShort')}
              </Button>
            </Flex>
          ))}
          <Form.ErrorList errors={errors} />
          <div>
            <Button type="dashed" onClick={() => add(empty)}>
              {t('rules.row.add')}
            </Button>
          </div>
        </Flex>
      )}
    </Form.List>
  );
}

/** A number inside a row: no label of its own (the row's aria-label says which). */
function RowNumber({ name, label, step, min = 0 }: { readonly name: (string | number)[]; readonly label: string; readonly step?: number; readonly min?: number }) {
  return (
    <Form.Item name={name} style={{ width: FIELD_WIDTH }}>
      <InputNumber aria-label={label} placeholder={label} min={min} step={step} style={{ width: '100%' }} />
    </Form.Item>
  );
}

/**
 * Every part of the earning rules as inputs. The names follow the document, so the API's field errors
 * (`body.bands.0.rate`) land on the input they name (useProblemHandler).
 */
export const RulesForm = memo(function RulesForm({
  form,
  initialValues,
  i18n,
  onValuesChange,
}: {
  readonly form: FormInstance<RulesFormValues>;
  readonly initialValues: RulesFormValues;
  readonly i18n: RulesI18n;
  readonly onValuesChange?: () => void;
}) {
  const { t } = i18n;
  const none = t('rules.none');
  return (
    <Form form={form} layout="vertical" initialValues={initialValues} onValuesChange={onValuesChange} data-testid="rules-form">
      <Section title={t('rules.section.bands')}>
        <Form.Item name="bandMode" label={t('rules.bandMode')} style={{ width: 2 * FIELD_WIDTH }}>
          <Select
            aria-label={t('rules.bandMode')}
            options={[
              { value: 'whole', label: t('rules.bandMode.whole') },
              { value: 'marginal', label: t('rules.bandMode.marginal') },
            ]}
          />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ width: '100%' }}>
          {t('rules.bands.help')}
        </Typography.Paragraph>
        <Rows
          name="bands"
          i18n={i18n}
          empty={{ overYuan: null, rate: null }}
          columns={[t('rules.band.overYuanColumn'), t('rules.band.rateColumn')]}
          fields={(row, index) => (
            <>
              <RowNumber name={[row, 'overYuan']} label={t('rules.band.overYuan', { n: index + 1 })} />
              <RowNumber name={[row, 'rate']} label={t('rules.band.rate', { n: index + 1 })} step={0.1} />
            </>
          )}
        />
      </Section>

      <Section title={t('rules.section.multipliers')}>
        {TIERS.map((tier) => (
          <NumberField key={tier} name={['tierMultipliers', tier]} label={t(`rules.tierMultiplier.${tier}`)} step={0.1} />
        ))}
        <Form.Item name="stacking" label={t('rules.stacking')} style={{ width: FIELD_WIDTH }}>
          <Select
            aria-label={t('rules.stacking')}
            options={(['multiply', 'add', 'highest'] as const).map((value) => ({ value, label: t(`rules.stacking.${value}`) }))}
          />
        </Form.Item>
        <Typography.Text strong style={{ width: '100%', marginBottom: 8 }}>
          {t('rules.categoryMultipliers')}
        </Typography.Text>
        <Rows
          name="categoryMultipliers"
          i18n={i18n}
          empty={{ category: '', multiplier: 1 }}
          columns={[t('rules.category.placeholder'), t('rules.category.multiplierColumn')]}
          fields={(row, index) => (
            <>
              <Form.Item name={[row, 'category']} style={{ width: FIELD_WIDTH }}>
                <Input aria-label={t('rules.category.name', { n: index + 1 })} placeholder={t('rules.category.placeholder')} />
              </Form.Item>
              <RowNumber name={[row, 'multiplier']} label={t('rules.category.multiplier', { n: index + 1 })} step={0.1} />
            </>
          )}
        />
      </Section>

      <Section title={t('rules.section.values')}>
        <NumberField name={['pointsPerYuan']} label={t('rules.pointsPerYuan')} min={1} />
        <NumberField name={['topUpRatePerYuan']} label={t('rules.topUpRatePerYuan')} step={0.1} />
        <Form.Item name={['rounding', 'mode']} label={t('rules.rounding.mode')} style={{ width: FIELD_WIDTH }}>
          <Select aria-label={t('rules.rounding.mode')} options={(['floor', 'round', 'ceil'] as const).map((value) => ({ value, label: t(`rules.rounding.${value}`) }))} />
        </Form.Item>
        <Form.Item name={['rounding', 'scope']} label={t('rules.rounding.scope')} style={{ width: FIELD_WIDTH }}>
          <Select
            aria-label={t('rules.rounding.scope')}
            options={(['purchase', 'line'] as const).map((value) => ({ value, label: t(`rules.rounding.scope.${value}`) }))}
          />
        </Form.Item>
        <NumberField name={['maxPointsPerPurchase']} label={t('rules.maxPointsPerPurchase')} nullable placeholder={none} min={1} />
      </Section>

      <Section title={t('rules.section.expiry')}>
        <Form.Item name={['expiry', 'policy']} label={t('rules.expiry.policy')} style={{ width: FIELD_WIDTH }}>
          <Select
            aria-label={t('rules.expiry.policy')}
            options={(['rolling-months', 'year-end', 'inactivity', 'never'] as const).map((value) => ({ value, label: t(`rules.expiry.${value}`) }))}
          />
        </Form.Item>
        <Form.Item noStyle dependencies={[['expiry', 'policy']]}>
          {() => {
            const policy = form.getFieldValue(['expiry', 'policy']) as string | undefined;
            if (policy === 'rolling-months' || policy === 'inactivity') return <NumberField name={['expiry', 'months']} label={t('rules.expiry.months')} min={1} />;
            if (policy === 'year-end') return <NumberField name={['expiry', 'extraYears']} label={t('rules.expiry.extraYears')} />;
            return null;
          }}
        </Form.Item>
        <NumberField name={['reminderDays']} label={t('rules.reminderDays')} />
        <NumberField name={['returnWindowDays']} label={t('rules.returnWindowDays')} />
      </Section>

      <Section title={t('rules.section.posLimits')}>
        <NumberField name={['posLimits', 'maxPurchaseAmountCents']} label={t('rules.posLimits.maxPurchaseAmountCents')} min={1} />
        <NumberField name={['posLimits', 'maxPurchasePoints']} label={t('rules.posLimits.maxPurchasePoints')} min={1} />
        <NumberField name={['posLimits', 'dailyPointsPerMember']} label={t('rules.posLimits.dailyPointsPerMember')} nullable placeholder={none} min={1} />
        <NumberField name={['posLimits', 'dailyPointsPerStore']} label={t('rules.posLimits.dailyPointsPerStore')} nullable placeholder={none} min={1} />
        <NumberField name={['posLimits', 'reviewAbovePoints']} label={t('rules.posLimits.reviewAbovePoints')} nullable placeholder={none} min={1} />
        <NumberField name={['posLimits', 'reviewAboveAmountCents']} label={t('rules.posLimits.reviewAboveAmountCents')} nullable placeholder={none} min={1} />
        <NumberField name={['posLimits', 'maxPurchaseAgeDays']} label={t('rules.posLimits.maxPurchaseAgeDays')} min={1} />
      </Section>

      <Section title={t('rules.section.referrals')}>
        <NumberField name={['referrals', 'refereeWelcomePoints']} label={t('rules.referrals.refereeWelcomePoints')} />
        <NumberField name={['referrals', 'firstPurchaseReferrerPoints']} label={t('rules.referrals.firstPurchaseReferrerPoints')} />
        <NumberField name={['referrals', 'maxRewardedReferrals']} label={t('rules.referrals.maxRewardedReferrals')} nullable placeholder={none} min={1} />
        <Typography.Text strong style={{ width: '100%', marginBottom: 8 }}>
          {t('rules.referrals.ladder')}
        </Typography.Text>
        <Rows
          name={['referrals', 'ladder']}
          i18n={i18n}
          empty={{ fromReferral: null, points: null }}
          columns={[t('rules.rung.fromReferralColumn'), t('rules.rung.pointsColumn')]}
          fields={(row, index) => (
            <>
              <RowNumber name={[row, 'fromReferral']} label={t('rules.rung.fromReferral', { n: index + 1 })} min={1} />
              <RowNumber name={[row, 'points']} label={t('rules.rung.points', { n: index + 1 })} />
            </>
          )}
        />
      </Section>

      <Section title={t('rules.section.tiers')}>
        {PAID_TIERS.map((tier) => (
          <NumberField key={tier} name={['tiers', 'thresholds', tier]} label={t(`rules.tiers.threshold.${tier}`)} />
        ))}
        <NumberField name={['tiers', 'growthPerPurchase']} label={t('rules.tiers.growthPerPurchase')} />
        {PAID_TIERS.map((tier) => (
          <NumberField key={tier} name={['tiers', 'upgradePrices', tier]} label={t(`rules.tiers.upgradePrice.${tier}`)} nullable placeholder={t('rules.notForSale')} min={1} />
        ))}
        {TIERS.map((tier) => (
          <NumberField key={tier} name={['tiers', 'birthdayBonus', tier]} label={t(`rules.tiers.birthdayBonus.${tier}`)} />
        ))}
      </Section>
    </Form>
  );
});
