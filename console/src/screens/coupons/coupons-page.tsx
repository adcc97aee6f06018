import { Button, Flex, Table, Typography, type TableColumnsType } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages, type ScreenI18n } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { couponMessages } from './messages';

export type CouponTemplate = components['schemas']['CouponTemplate'];
export type CouponI18n = ScreenI18n<keyof (typeof couponMessages)['en']>;

// The dialog (form, pickers) loads when first opened.
const CouponTemplateDialog = lazy(() => import('./coupon-form').then((m) => ({ default: m.CouponTemplateDialog })));

const shortTime = (iso: string) => formatProgrammeTime(iso).replace(` (${PROGRAMME_TIME_ZONE})`, '');

/** `¥5.00 off orders of ¥50.00 or more`, `10% off, at most ¥20.00`, `¥3.00 off, no minimum`. */
export function discountText(discount: CouponTemplate['discount'], i18n: CouponI18n): string {
  const { t } = i18n;
  switch (discount.kind) {
    case 'AMOUNT_OFF':
      return t('coupons.discount.AMOUNT_OFF', { amount: i18n.money(discount.amountOffCents ?? 0), threshold: i18n.money(discount.thresholdCents ?? 0) });
    case 'PERCENT_OFF':
      return [
        t('coupons.discount.PERCENT_OFF', { percent: discount.percent ?? 0 }),
        discount.maxOffCents ? t('coupons.discount.percentMax', { max: i18n.money(discount.maxOffCents) }) : undefined,
        discount.thresholdCents ? t('coupons.discount.percentThreshold', { threshold: i18n.money(discount.thresholdCents) }) : undefined,
      ]
        .filter(Boolean)
        .join(', ');
    case 'NO_THRESHOLD':
      return t('coupons.discount.NO_THRESHOLD', { amount: i18n.money(discount.amountOffCents ?? 0) });
  }
}

export function validityText(validity: CouponTemplate['validity'], i18n: CouponI18n): string {
  return validity.kind === 'DAYS_AFTER_ISSUE'
    ? i18n.t('coupons.validity.DAYS_AFTER_ISSUE', { days: validity.days ?? 0 })
    : i18n.t('coupons.validity.WINDOW', { from: shortTime(validity.from ?? ''), to: shortTime(validity.to ?? '') });
}

function columns(i18n: CouponI18n): TableColumnsType<CouponTemplate> {
  const { t } = i18n;
  return [
    {
      key: 'name',
      title: t('coupons.name'),
      render: (_, c) => (
        <>
          <div>{c.name}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.couponTemplateId}
          </Typography.Text>
        </>
      ),
    },
    { key: 'discount', title: t('coupons.discount'), render: (_, c) => discountText(c.discount, i18n) },
    { key: 'validity', title: t('coupons.validity', { zone: PROGRAMME_TIME_ZONE }), render: (_, c) => validityText(c.validity, i18n) },
    { key: 'limit', title: t('coupons.issueLimit'), render: (_, c) => (c.issueLimit === null ? t('coupons.noLimit') : i18n.points(c.issueLimit)) },
    { key: 'issued', title: t('coupons.issued'), render: (_, c) => <span data-testid="coupon-issued">{i18n.points(c.issued)}</span> },
    { key: 'used', title: t('coupons.used'), render: (_, c) => <span data-testid="coupon-used">{i18n.points(c.used)}</span> },
    { key: 'created', title: t('coupons.created', { zone: PROGRAMME_TIME_ZONE }), render: (_, c) => shortTime(c.createdAt) },
  ];
}

/** Coupon templates, newest first (GET /v1/admin/coupons), with issued and redeemed counts; "New template" for writers. */
export function CouponsPage() {
  const api = useApi();
  const i18n = useMessages(couponMessages);
  const session = useSession();
  const writer = canWrite(session?.roles ?? [], 'coupons');
  const [dialog, setDialog] = useState({ open: false, opened: false });
  const list = useCursorList(['coupon-templates'], (cursor) =>
    unwrap(api.GET('/v1/admin/coupons', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const tableColumns = useMemo(() => columns(i18n), [i18n]);
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {i18n.t('coupons.title')}
        </Typography.Title>
        {writer ? (
          <Button type="primary" onClick={() => setDialog({ open: true, opened: true })}>
            {i18n.t('coupons.new')}
          </Button>
        ) : null}
      </Flex>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="couponTemplateId"
        columns={tableColumns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: i18n.t('coupons.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {writer && dialog.opened ? (
        <Suspense>
          <CouponTemplateDialog open={dialog.open} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
        </Suspense>
      ) : null}
    </>
  );
}
