import { useMutation } from '@tanstack/react-query';
import { Button, Card, Col, Flex, Form, Input, InputNumber, Row, Select, Table, Tag, Typography, type FormInstance } from 'antd';
import { useApi } from '../../api/client';
import type { components } from '../../api/schema';
import { unwrap } from '../../api/problem';
import { useProblemHandler } from '../../api/use-problem';
import { routeProblem } from './draft-problems';
import type { RulesDocument } from './rules-document';
import { TIERS, type RulesI18n } from './rules-form';

type Preview = components['schemas']['EarningPreview'];
type PreviewRequest = components['schemas']['EarningPreviewRequest'];
type CampaignInput = components['schemas']['CampaignInput'];
type BreakdownLine = Preview['breakdown'][number];

interface PreviewFormValues {
  memberId?: string;
  tier: PreviewRequest['tier'];
  lines: { sku?: string; category?: string; amountYuan?: number | null; quantity?: number | null }[];
}

export const signedPoints = (i18n: RulesI18n, points: number) => `${points > 0 ? '+' : ''}${i18n.points(points)}`;

function Breakdown({ lines, i18n, testId }: { readonly lines: readonly BreakdownLine[]; readonly i18n: RulesI18n; readonly testId: string }) {
  const { t } = i18n;
  return (
    <Table<BreakdownLine & { key: string }>
      data-testid={testId}
      size="small"
      pagination={false}
      dataSource={lines.map((line, index) => ({ ...line, key: `${index}:${line.rule}` }))}
      columns={[
        { key: 'rule', title: t('preview.rule'), render: (_, line) => <Typography.Text code>{line.rule}</Typography.Text> },
        { key: 'description', title: t('preview.description'), dataIndex: 'description' },
        { key: 'points', title: t('preview.points'), align: 'right', render: (_, line) => i18n.points(line.points) },
      ]}
    />
  );
}

/**
 * The preview calculator: a member (or a tier) and a basket in; the points and their breakdown out, under the rules in
 * force and under the unsaved draft (and the draft campaign, when one is on), side by side. Writes nothing.
 */
export function PreviewPanel({
  i18n,
  rulesForm,
  campaignForm,
  draftRules,
  draftCampaign,
  rulesVersion,
  ruleChanges,
  campaignOn,
}: {
  readonly i18n: RulesI18n;
  readonly rulesForm: FormInstance;
  readonly campaignForm: FormInstance;
  readonly draftRules: () => RulesDocument;
  readonly draftCampaign: () => CampaignInput | undefined;
  readonly rulesVersion: number;
  readonly ruleChanges: number;
  readonly campaignOn: boolean;
}) {
  const { t } = i18n;
  const api = useApi();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<PreviewFormValues>();
  const preview = useMutation({
    mutationFn: (values: PreviewFormValues) => {
      const campaign = draftCampaign();
      const memberId = values.memberId?.trim();
      return unwrap(
        api.POST('/v1/admin/earning-previews', {
          body: {
            tier: values.tier,
            ...(memberId ? { memberId } : {}),
            lines: values.lines.map((line) => ({
              sku: line.sku?.trim() ?? '',
              category: line.category?.trim() ?? '',
              amountCents: Math.round((line.amountYuan ?? Number.NaN) * 100),
              quantity: line.quantity ?? 1,
            })),
            draftRules: draftRules(),
            ...(campaign ? { draftCampaign: campaign } : {}),
          },
        }),
      );
    },
    onError: (error) =>
      showProblem(
        routeProblem(
          error,
          [
            { prefix: 'draftRules', form: rulesForm },
            { prefix: 'draftCampaign', form: campaignForm, rename: { minSpendCents: 'minSpendYuan' } },
            { prefix: '', form, rename: { amountCents: 'amountYuan' } },
          ],
          t('draft.fieldsMarked'),
        ),
      ),
  });
  const result = preview.data;
  const current = result?.current ?? (result ? { points: result.points, breakdown: result.breakdown } : undefined);
  const draft = result?.draft;

  return (
    <>
      <Typography.Paragraph type="secondary">{t('preview.intro')}</Typography.Paragraph>
      <Typography.Paragraph data-testid="preview-draft-summary">
        {ruleChanges > 0 ? t('whatIf.rulesDraft', { count: ruleChanges }) : t('whatIf.rulesUnchanged')}
        {' · '}
        {campaignOn ? t('preview.withCampaign') : t('preview.withoutCampaign')}
      </Typography.Paragraph>
      <Form<PreviewFormValues>
        form={form}
        layout="vertical"
        initialValues={{ tier: 'normal', lines: [{ sku: 'sku-1', category: 'A', amountYuan: 100, quantity: 1 }] }}
        onFinish={(values) => preview.mutate(values)}
      >
        <Flex wrap gap="0 24px">
          <Form.Item name="memberId" label={t('preview.memberId')} extra={t('preview.memberId.help')} style={{ width: 260 }}>
            <Input aria-label={t('preview.memberId')} placeholder="m-gold" allowClear />
          </Form.Item>
          <Form.Item noStyle dependencies={['memberId']}>
            {() => (
              <Form.Item name="tier" label={t('preview.tier')} style={{ width: 200 }}>
                <Select
                  aria-label={t('preview.tier')}
                  // The member's own tier counts when a member is given.
                  disabled={Boolean((form.getFieldValue('memberId') as string | undefined)?.trim())}
                  options={TIERS.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))}
                />
              </Form.Item>
            )}
          </Form.Item>
        </Flex>
        <Typography.Text strong>{t('preview.basket')}</Typography.Text>
        <Form.List name="lines">
          {(rows, { add, remove }) => (
            <Flex vertical style={{ marginTop: 8 }}>
              {rows.map((row, index) => (
                <Flex key={row.key} gap="small" align="flex-start" wrap>
                  <Form.Item name={[row.name, 'sku']} rules={[{ required: true, message: t('preview.required') }]} style={{ width: 180 }}>
                    <Input aria-label={t('preview.line.sku', { n: index + 1 })} placeholder={t('preview.sku')} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'category']} rules={[{ required: true, message: t('preview.required') }]} style={{ width: 140 }}>
                    <Input aria-label={t('preview.line.category', { n: index + 1 })} placeholder={t('preview.category')} />
                  </Form.Item>
                  <Form.Item name={[row.name, 'amountYuan']} rules={[{ required: true, message: t('preview.required') }]} style={{ width: 180 }}>
                    <InputNumber
                      aria-label={t('preview.line.amount', { n: index + 1 })}
                      placeholder={t('preview.amount')}
                      min={0}
                      precision={2}
                      prefix="¥"
                      style={{ width: '100%' }}
                    />
                  </Form.Item>
                  <Form.Item name={[row.name, 'quantity']} style={{ width: 120 }}>
                    <InputNumber aria-label={t('preview.line.quantity', { n: index + 1 })} placeholder={t('preview.quantity')} min={1} style={{ width: '100%' }} />
                  </Form.Item>
                  <Button disabled={rows.length === 1} onClick={() => remove(row.name)} aria-label={t('rules.row.remove', { n: index + 1 })}>
                    {t('rules.row.removeShort')}
                  </Button>
                </Flex>
              ))}
              <Flex gap="small">
                <Button type="dashed" onClick={() => add({ sku: '', category: '', amountYuan: null, quantity: 1 })}>
                  {t('preview.addLine')}
                </Button>
                <Button type="primary" htmlType="submit" loading={preview.isPending}>
                  {t('preview.calculate')}
                </Button>
              </Flex>
            </Flex>
          )}
        </Form.List>
      </Form>
      {current ? (
        <Row gutter={16} style={{ marginTop: 24 }}>
          <Col xs={24} lg={12}>
            <Card title={t('preview.current', { version: result?.rulesVersion ?? rulesVersion })} data-testid="preview-current">
              <Typography.Title level={3} data-testid="preview-current-points">
                {t('preview.pointsTotal', { points: i18n.points(current.points) })}
              </Typography.Title>
              <Breakdown lines={current.breakdown} i18n={i18n} testId="preview-current-breakdown" />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card
              title={t('preview.draft')}
              data-testid="preview-draft"
              extra={
                draft?.draftCampaignApplies === undefined ? null : (
                  <Tag color={draft.draftCampaignApplies ? 'green' : 'default'}>
                    {draft.draftCampaignApplies ? t('preview.campaignApplies') : t('preview.campaignDoesNotApply')}
                  </Tag>
                )
              }
            >
              {draft ? (
                <>
                  <Typography.Title level={3} data-testid="preview-draft-points">
                    {t('preview.pointsTotal', { points: i18n.points(draft.points) })}
                  </Typography.Title>
                  <Typography.Paragraph>
                    {t('preview.difference')}{' '}
                    <Typography.Text strong type={draft.differencePoints < 0 ? 'danger' : undefined} data-testid="preview-difference">
                      {signedPoints(i18n, draft.differencePoints)}
                    </Typography.Text>
                  </Typography.Paragraph>
                  <Breakdown lines={draft.breakdown} i18n={i18n} testId="preview-draft-breakdown" />
                </>
              ) : null}
            </Card>
          </Col>
        </Row>
      ) : null}
    </>
  );
}
