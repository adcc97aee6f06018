import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Col, DatePicker, Flex, Form, Input, InputNumber, Modal, Row } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { fromProgrammeInput, programmeTime, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { keepEnterInPicker } from '../campaigns/campaign-values';
import type { AuctionAdmin, AuctionI18n } from './auctions-page';
import { auctionMessages } from './messages';

type AuctionInput = components['schemas']['AuctionInput'];
type AuctionPatch = components['schemas']['AuctionPatch'];
const zone = PROGRAMME_TIME_ZONE;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export interface AuctionFormValues {
  auctionId?: string;
  productId: string;
  title: string;
  description?: string;
  startsAt?: Dayjs | null;
  endsAt?: Dayjs | null;
  latestEndsAt?: Dayjs | null;
  startingPrice?: number | null;
  minIncrement?: number | null;
  reservePrice?: number | null;
  antiSnipingOn?: boolean;
  windowSeconds?: number | null;
  extendSeconds?: number | null;
}

/** A new auction's starting values: opens in an hour for a day, from 100 points by 10, anti-sniping 2 min. */
export function newAuctionValues(now: Dayjs = programmeTime(new Date().toISOString())): AuctionFormValues {
  const start = now.add(1, 'hour').startOf('hour');
  return { productId: '', title: '', description: '', startsAt: start, endsAt: start.add(1, 'day'), startingPrice: 100, minIncrement: 10, antiSnipingOn: true, windowSeconds: 120, extendSeconds: 120 };
}

export function valuesOfAuction(a: AuctionAdmin): AuctionFormValues {
  return {
    auctionId: a.auctionId,
    productId: a.productId,
    title: a.title,
    description: a.description,
    startsAt: programmeTime(a.startsAt),
    endsAt: programmeTime(a.endsAt),
    latestEndsAt: a.latestEndsAt ? programmeTime(a.latestEndsAt) : null,
    startingPrice: a.startingPrice,
    minIncrement: a.minIncrement,
    reservePrice: a.reservePrice,
    antiSnipingOn: a.antiSniping !== null,
    windowSeconds: a.antiSniping?.windowSeconds ?? 120,
    extendSeconds: a.antiSniping?.extendSeconds ?? 120,
  };
}

/** The terms as the API takes them (times as UTC instants of the programme-zone wall clock picked). */
export function termsOf(values: AuctionFormValues) {
  return {
    title: values.title.trim(),
    description: values.description?.trim() ?? '',
    startsAt: values.startsAt ? fromProgrammeInput(values.startsAt) : '',
    endsAt: values.endsAt ? fromProgrammeInput(values.endsAt) : '',
    latestEndsAt: values.latestEndsAt ? fromProgrammeInput(values.latestEndsAt) : null,
    startingPrice: values.startingPrice ?? 0,
    minIncrement: values.minIncrement ?? 0,
    reservePrice: values.reservePrice ?? null,
    antiSniping: values.antiSnipingOn ? { windowSeconds: values.windowSeconds ?? 0, extendSeconds: values.extendSeconds ?? 0 } : null,
  };
}

/** What changed between two sets of terms (for a PATCH): the fields whose JSON differs. */
export function changedTerms(before: ReturnType<typeof termsOf>, after: ReturnType<typeof termsOf>): Partial<ReturnType<typeof termsOf>> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = after[key];
  }
  return changes as Partial<ReturnType<typeof termsOf>>;
}

export interface AuctionFormDialogProps {
  readonly open: boolean;
  /** The upcoming auction to edit; none: a new one. */
  readonly auction?: AuctionAdmin | undefined;
  readonly onClose: () => void;
}

/** "New auction" and "Edit" (before it opens): one dialog, its Idempotency-Key kept for the dialog's opening. */
export function AuctionFormDialog({ open, auction, onClose }: AuctionFormDialogProps) {
  const i18n = useMessages(auctionMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal open={open} onCancel={onClose} footer={null} destroyOnHidden width={760} title={auction ? i18n.t('form.editTitle', { name: auction.title }) : i18n.t('form.newTitle')}>
      <AuctionForm auction={auction} idempotency={idempotency} onClose={onClose} i18n={i18n} />
    </Modal>
  );
}

const instant = (value: Dayjs | null | undefined) => (value ? Date.parse(fromProgrammeInput(value)) : undefined);

function AuctionForm({ auction, idempotency, onClose, i18n }: { readonly auction: AuctionAdmin | undefined; readonly idempotency: IdempotencyKey; readonly onClose: () => void; readonly i18n: AuctionI18n }) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<AuctionFormValues>();
  const [initialValues] = useState(() => (auction ? valuesOfAuction(auction) : newAuctionValues()));
  const [conflict, setConflict] = useState<number | undefined>();
  const [saving, setSaving] = useState(false);
  const antiSnipingOn = Form.useWatch('antiSnipingOn', form) as boolean | undefined;
  const points = [{ required: true, type: 'integer' as const, min: 1, max: 1_000_000_000, message: t('form.points') }];

  const saved = async (result: AuctionAdmin, created: boolean) => {
    idempotency.succeeded();
    void message.success(created ? t('form.created', { name: result.title }) : t('form.saved', { name: result.title, version: result.version }));
    queryClient.setQueryData(['auction', result.auctionId], result);
    await queryClient.invalidateQueries({ queryKey: ['auctions'] });
    await queryClient.invalidateQueries({ queryKey: ['auction', result.auctionId] });
    onClose();
    if (created) void navigate(`/auctions/${encodeURIComponent(result.auctionId)}`);
  };

  const submit = async (values: AuctionFormValues) => {
    const headers = { 'Idempotency-Key': idempotency.key };
    setSaving(true);
    try {
      if (!auction) {
        const body: AuctionInput = { ...(values.auctionId?.trim() ? { auctionId: values.auctionId.trim() } : {}), productId: values.productId.trim(), ...termsOf(values) };
        await saved(await unwrap(api.POST('/v1/admin/auctions', { headers, body })), true);
        return;
      }
      const changes = changedTerms(termsOf(initialValues), termsOf(values));
      if (Object.keys(changes).length === 0) {
        void message.info(t('form.noChanges'));
        return;
      }
      const body = { expectedVersion: auction.version, ...changes } as AuctionPatch;
      await saved(await unwrap(api.PATCH('/v1/admin/auctions/{auctionId}', { params: { path: { auctionId: auction.auctionId } }, headers, body })), false);
    } catch (error) {
      showProblem(error, form);
      if (auction && error instanceof ProblemError && error.problem.code === 'CONFLICT') {
        const current = (error.problem as { currentVersion?: number }).currentVersion;
        setConflict(current ?? auction.version);
        await queryClient.invalidateQueries({ queryKey: ['auction', auction.auctionId] });
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<AuctionFormValues> form={form} layout="vertical" requiredMark={false} initialValues={initialValues} onFinish={(values) => void submit(values)}>
      {auction ? <Alert type="info" showIcon title={t('form.editNote')} style={{ marginBottom: 16 }} /> : null}
      {conflict !== undefined ? <Alert type="warning" showIcon title={t('form.conflict', { version: conflict })} style={{ marginBottom: 16 }} /> : null}
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="title" label={t('form.title')} rules={[{ required: true, whitespace: true, min: 3, message: t('form.title.required') }]}>
            <Input maxLength={120} />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="productId" label={t('form.productId')} rules={[{ required: true, pattern: ID, message: t('form.productId.required') }]}>
            <Input maxLength={64} disabled={auction !== undefined} />
          </Form.Item>
        </Col>
        <Col span={6}>
          <Form.Item name="auctionId" label={t('form.auctionId')} rules={[{ pattern: ID, max: 48, message: t('form.productId.required') }]}>
            <Input maxLength={48} disabled={auction !== undefined} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('form.description')}>
        <Input.TextArea maxLength={2000} rows={2} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="startsAt" label={t('form.startsAt', { zone })} rules={[{ required: true, message: t('form.time.required') }]}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item
            name="endsAt"
            label={t('form.endsAt', { zone })}
            dependencies={['startsAt']}
            rules={[
              { required: true, message: t('form.time.required') },
              ({ getFieldValue }) => ({
                validator: (_, value: Dayjs | null) => {
                  const start = instant(getFieldValue('startsAt') as Dayjs | null);
                  const end = instant(value);
                  return start === undefined || end === undefined || end > start ? Promise.resolve() : Promise.reject(new Error(t('form.endsAt.afterStart')));
                },
              }),
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item
            name="latestEndsAt"
            label={t('form.latestEndsAt', { zone })}
            dependencies={['endsAt']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, value: Dayjs | null) => {
                  const end = instant(getFieldValue('endsAt') as Dayjs | null);
                  const latest = instant(value);
                  return end === undefined || latest === undefined || latest >= end ? Promise.resolve() : Promise.reject(new Error(t('form.latestEndsAt.afterEnd')));
                },
              }),
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="startingPrice" label={t('form.startingPrice')} rules={points}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="minIncrement" label={t('form.minIncrement')} rules={points}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item
            name="reservePrice"
            label={t('form.reservePrice')}
            dependencies={['startingPrice']}
            rules={[
              { type: 'integer', min: 1, max: 1_000_000_000, message: t('form.points') },
              ({ getFieldValue }) => ({
                validator: (_, value: number | null) => {
                  const start = getFieldValue('startingPrice') as number | null;
                  return value === null || value === undefined || start === null || start === undefined || value >= start
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('form.reserve.belowStart')));
                },
              }),
            ]}
          >
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="antiSnipingOn" valuePropName="checked">
        <Checkbox>{t('form.antiSniping')}</Checkbox>
      </Form.Item>
      {antiSnipingOn ? (
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="windowSeconds" label={t('form.windowSeconds')} rules={[{ required: true, type: 'integer', min: 1, max: 86_400, message: t('form.seconds') }]}>
              <InputNumber precision={0} min={1} max={86_400} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="extendSeconds" label={t('form.extendSeconds')} rules={[{ required: true, type: 'integer', min: 1, max: 86_400, message: t('form.seconds') }]}>
              <InputNumber precision={0} min={1} max={86_400} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('form.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving} disabled={conflict !== undefined}>
          {auction ? t('form.save') : t('form.create')}
        </Button>
      </Flex>
    </Form>
  );
}
