import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Descriptions, Flex, Form, Modal, Switch, Table, Typography, type FormInstance } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useApi } from '../../api/client';
import type { components } from '../../api/schema';
import { unwrap } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert, useProblemHandler } from '../../api/use-problem';
import { DATE_FORMAT, formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { campaignOf, DraftCampaignForm, type CampaignFormValues } from './draft-campaign-form';
import { routeProblem } from './draft-problems';
import { ReplayResult, ReplayState } from './replay-result';
import type { RulesDocument } from './rules-document';
import type { RulesI18n } from './rules-form';

type ReplayRequest = components['schemas']['WhatIfReplayRequest'];

interface PeriodValues {
  from?: Dayjs | null;
  to?: Dayjs | null;
}

/** Today in the programme's zone, as a date (YYYY-MM-DD). */
export function programmeToday(): string {
  return dayjs().tz(PROGRAMME_TIME_ZONE).format(DATE_FORMAT);
}

/** A programme-local day as the wall-clock Dayjs a picker shows (its own zone ignored, see fromProgrammeInput). */
const wallClock = (day: string, time = '00:00') => dayjs(`${day}T${time}`);

/** The last 7 days, yesterday the last: a replay covers past days. */
export function defaultPeriod(): { from: Dayjs; to: Dayjs } {
  const to = wallClock(programmeToday()).subtract(1, 'day');
  return { from: to.subtract(6, 'day'), to };
}

/** A campaign window over whole days of the period: from its first day at 00:00 to the day after its last at 00:00. */
export function windowOfPeriod(period: { from: Dayjs; to: Dayjs }): { startsAt: Dayjs; endsAt: Dayjs } {
  return { startsAt: period.from.startOf('day'), endsAt: period.to.startOf('day').add(1, 'day') };
}

export function defaultCampaignValues(i18n: RulesI18n): CampaignFormValues {
  return {
    name: i18n.t('campaign.defaultName'),
    effect: { kind: 'multiplier', multiplier: 2 },
    schedule: windowOfPeriod(defaultPeriod()),
    audience: { kind: 'all', tiers: [] },
    targets: { categories: [] },
    budgetPoints: null,
    perMemberCap: null,
  };
}

function ReplayList({ i18n, onShow }: { readonly i18n: RulesI18n; readonly onShow: (replayId: string) => void }) {
  const { t } = i18n;
  const api = useApi();
  const list = useCursorList(['what-if-replays'], (cursor) =>
    unwrap(api.GET('/v1/admin/what-if-replays', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<(typeof list.items)[number]>
        data-testid="whatif-list"
        size="small"
        rowKey="replayId"
        pagination={false}
        loading={list.isPending && !list.error}
        dataSource={[...list.items]}
        locale={{ emptyText: t('whatIf.list.empty') }}
        columns={[
          { key: 'createdAt', title: t('whatIf.list.requested'), render: (_, r) => formatProgrammeTime(r.createdAt) },
          { key: 'period', title: t('whatIf.list.period'), render: (_, r) => `${r.from} – ${r.to}` },
          { key: 'state', title: t('whatIf.list.state'), render: (_, r) => <ReplayState state={r.state} i18n={i18n} /> },
          {
            key: 'difference',
            title: t('whatIf.differencePoints'),
            align: 'right',
            render: (_, r) => (r.result ? i18n.points(r.result.differencePoints) : ''),
          },
          { key: 'createdBy', title: t('whatIf.list.by'), dataIndex: 'createdBy' },
          {
            key: 'show',
            title: '',
            render: (_, r) => (
              <Button size="small" onClick={() => onShow(r.replayId)}>
                {t('whatIf.list.show')}
              </Button>
            ),
          },
        ]}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/**
 * The what-if replay: a past period and the drafts (the unsaved rules when they differ from the version in force, the
 * draft campaign when it is on) run over the purchases paid then. Starts the replay after a confirmation (one
 * Idempotency-Key per opening), then follows it until DONE or FAILED.
 */
export function WhatIfPanel({
  i18n,
  canWrite,
  rulesForm,
  campaignForm,
  campaignOn,
  onCampaignOn,
  ruleChanges,
  draftRules,
}: {
  readonly i18n: RulesI18n;
  readonly canWrite: boolean;
  readonly rulesForm: FormInstance;
  readonly campaignForm: FormInstance<CampaignFormValues>;
  readonly campaignOn: boolean;
  readonly onCampaignOn: (on: boolean) => void;
  readonly ruleChanges: number;
  readonly draftRules: () => RulesDocument;
}) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const showProblem = useProblemHandler();
  const [periodForm] = Form.useForm<PeriodValues>();
  const [request, setRequest] = useState<ReplayRequest | null>(null);
  const [replayId, setReplayId] = useState<string | null>(null);
  const idempotency = useIdempotencyKey(request !== null);
  const [initialPeriod] = useState(defaultPeriod);
  const [initialCampaign] = useState(() => defaultCampaignValues(i18n));

  const start = useMutation({
    mutationFn: (body: ReplayRequest) =>
      unwrap(api.POST('/v1/admin/what-if-replays', { body, headers: { 'Idempotency-Key': idempotency.key } })),
    onSuccess: (replay) => {
      idempotency.succeeded();
      setRequest(null);
      setReplayId(replay.replayId);
      void queryClient.invalidateQueries({ queryKey: ['what-if-replays'] });
    },
    onError: (error) => {
      setRequest(null);
      showProblem(
        routeProblem(
          error,
          [
            { prefix: 'draftRules', form: rulesForm },
            { prefix: 'draftCampaign', form: campaignForm, rename: { minSpendCents: 'minSpendYuan' } },
            { prefix: '', form: periodForm },
          ],
          t('draft.fieldsMarked'),
        ),
      );
    },
  });

  // The campaign's window follows the period until the operator sets it.
  const followPeriod = (values: PeriodValues) => {
    const from = values.from ?? periodForm.getFieldValue('from');
    const to = values.to ?? periodForm.getFieldValue('to');
    const touched = campaignForm.isFieldTouched(['schedule', 'startsAt']) || campaignForm.isFieldTouched(['schedule', 'endsAt']);
    if (from && to && !touched) campaignForm.setFieldsValue({ schedule: windowOfPeriod({ from, to }) });
  };

  const review = async () => {
    const period = await periodForm.validateFields();
    if (campaignOn) await campaignForm.validateFields();
    const body: ReplayRequest = {
      from: period.from?.format(DATE_FORMAT) ?? '',
      to: period.to?.format(DATE_FORMAT) ?? '',
      ...(ruleChanges > 0 ? { draftRules: draftRules() } : {}),
      ...(campaignOn ? { draftCampaign: campaignOf(campaignForm.getFieldsValue(true)) } : {}),
    };
    setRequest(body);
  };

  const nothingToReplay = ruleChanges === 0 && !campaignOn;
  const today = programmeToday();
  return (
    <>
      <Typography.Paragraph type="secondary">{t('whatIf.intro')}</Typography.Paragraph>
      <Card size="small" title={t('whatIf.period', { zone: PROGRAMME_TIME_ZONE })} style={{ marginBottom: 16 }}>
        <Form<PeriodValues> form={periodForm} layout="inline" initialValues={initialPeriod} onValuesChange={followPeriod}>
          <Form.Item name="from" label={t('whatIf.from')} rules={[{ required: true, message: t('preview.required') }]}>
            <DatePicker format={DATE_FORMAT} disabledDate={(d) => d.format(DATE_FORMAT) > today} />
          </Form.Item>
          <Form.Item name="to" label={t('whatIf.to')} rules={[{ required: true, message: t('preview.required') }]}>
            <DatePicker format={DATE_FORMAT} disabledDate={(d) => d.format(DATE_FORMAT) > today} />
          </Form.Item>
        </Form>
      </Card>
      <Card
        size="small"
        title={t('campaign.title')}
        style={{ marginBottom: 16 }}
        extra={
          <Flex gap="small" align="center">
            <Typography.Text>{t('campaign.on')}</Typography.Text>
            <Switch aria-label={t('campaign.on')} checked={campaignOn} onChange={onCampaignOn} />
          </Flex>
        }
      >
        <Typography.Paragraph type="secondary">{t('campaign.help')}</Typography.Paragraph>
        <DraftCampaignForm form={campaignForm} i18n={i18n} initialValues={initialCampaign} disabled={!campaignOn} />
      </Card>
      <Flex gap="middle" align="center" justify="flex-end" style={{ marginBottom: 16 }}>
        <Typography.Text type="secondary">
          {ruleChanges > 0 ? t('whatIf.rulesDraft', { count: ruleChanges }) : t('whatIf.rulesUnchanged')}
        </Typography.Text>
        {canWrite ? (
          <Button type="primary" disabled={nothingToReplay} onClick={() => void review().catch(() => undefined)}>
            {t('whatIf.run')}
          </Button>
        ) : null}
      </Flex>
      {nothingToReplay ? <Alert type="info" showIcon title={t('whatIf.nothing')} style={{ marginBottom: 16 }} /> : null}
      <Modal
        open={request !== null}
        title={t('whatIf.confirm.title')}
        okText={t('whatIf.confirm.start')}
        cancelText={t('rules.review.cancel')}
        confirmLoading={start.isPending}
        onOk={() => request && start.mutate(request)}
        onCancel={() => setRequest(null)}
        destroyOnHidden
      >
        {request ? (
          <Descriptions
            size="small"
            column={1}
            items={[
              { key: 'period', label: t('whatIf.list.period'), children: `${request.from} – ${request.to} (${PROGRAMME_TIME_ZONE})` },
              { key: 'rules', label: t('whatIf.confirm.rules'), children: request.draftRules ? t('whatIf.rulesDraft', { count: ruleChanges }) : t('whatIf.confirm.none') },
              { key: 'campaign', label: t('whatIf.confirm.campaign'), children: request.draftCampaign?.name ?? t('whatIf.confirm.none') },
            ]}
          />
        ) : null}
      </Modal>
      {replayId ? <ReplayResult key={replayId} replayId={replayId} i18n={i18n} /> : null}
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('whatIf.list.title')}
      </Typography.Title>
      <ReplayList i18n={i18n} onShow={setReplayId} />
    </>
  );
}
