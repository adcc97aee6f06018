import { Button, DatePicker, Form, Input, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { placeFieldErrors, ProblemError, unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { DATE_FORMAT, formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { orderMessages } from './messages';
import { enumKey, ORDER_STATUSES, OrderStatusTag, PAYMENT_KINDS, priceText, type Order, type OrderI18n, type OrderStatus, type PaymentKind } from './order-format';

/** What the filter form holds; the URL keeps it, so "back" from an order returns to the same list. */
interface FilterValues {
  readonly status?: OrderStatus;
  readonly paymentKind?: PaymentKind;
  readonly supplierId?: string;
  readonly productId?: string;
  readonly memberId?: string;
  readonly created?: readonly [Dayjs | null, Dayjs | null] | null;
}

interface Filters {
  readonly status?: OrderStatus;
  readonly paymentKind?: PaymentKind;
  readonly supplierId?: string;
  readonly productId?: string;
  readonly memberId?: string;
  /** Programme-local dates, `YYYY-MM-DD`, both inclusive. */
  readonly from?: string;
  readonly to?: string;
}

const ID = /^[A-Za-z0-9._:-]{1,64}$/;
const TEXT_FILTERS = ['supplierId', 'productId', 'memberId', 'from', 'to'] as const;

function filtersOf(params: URLSearchParams): Filters {
  const status = params.get('status');
  const paymentKind = params.get('paymentKind');
  const text = Object.fromEntries(TEXT_FILTERS.flatMap((name) => (params.get(name) ? [[name, params.get(name) ?? '']] : [])));
  return {
    ...(status && (ORDER_STATUSES as readonly string[]).includes(status) ? { status: status as OrderStatus } : {}),
    ...(paymentKind && (PAYMENT_KINDS as readonly string[]).includes(paymentKind) ? { paymentKind: paymentKind as PaymentKind } : {}),
    ...text,
  };
}

/** The API's query: a date range in the programme's zone becomes [from 00:00, the day after `to` 00:00). */
function queryOf(filters: Filters) {
  const startOf = (date: string) => dayjs.tz(date, PROGRAMME_TIME_ZONE);
  const { from, to, ...rest } = filters;
  return {
    ...rest,
    ...(from ? { from: startOf(from).toISOString() } : {}),
    ...(to ? { to: startOf(to).add(1, 'day').toISOString() } : {}),
  };
}

function orderColumns(i18n: OrderI18n): TableColumnsType<Order> {
  const { t } = i18n;
  return [
    {
      key: 'orderId',
      title: t('orders.orderId'),
      render: (_, o) => (
        <Link to={`/orders/${encodeURIComponent(o.orderId)}`} aria-label={t('orders.open', { orderId: o.orderId })}>
          <Typography.Text code>{o.orderId}</Typography.Text>
        </Link>
      ),
    },
    { key: 'member', title: t('orders.member'), render: (_, o) => <Link to={`/members/${encodeURIComponent(o.memberId)}`}>{o.memberId}</Link> },
    { key: 'product', title: t('orders.product'), render: (_, o) => o.productName },
    { key: 'quantity', title: t('orders.quantity'), align: 'right', dataIndex: 'quantity' },
    { key: 'price', title: t('orders.price'), align: 'right', render: (_, o) => priceText(o, i18n) },
    { key: 'payment', title: t('orders.payment'), render: (_, o) => t(enumKey('payment', o.payment)) },
    { key: 'supplier', title: t('orders.supplier'), render: (_, o) => o.supplier?.supplierId ?? '' },
    { key: 'status', title: t('orders.status'), render: (_, o) => <OrderStatusTag status={o.status} i18n={i18n} /> },
    { key: 'createdAt', title: t('orders.createdAt'), render: (_, o) => formatProgrammeTime(o.createdAt) },
  ];
}

/** Every order, newest first, a page at a time (GET /v1/admin/orders), with the API's filters. */
export function OrdersPage() {
  const api = useApi();
  const i18n = useMessages(orderMessages);
  const { t } = i18n;
  const [form] = Form.useForm<FilterValues>();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);
  const list = useCursorList(['orders', 'list', filters], (cursor) =>
    unwrap(api.GET('/v1/admin/orders', { params: { query: { ...queryOf(filters), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => orderColumns(i18n), [i18n]);

  // A filter the API refused names itself (query.productId ...): put it on that field too.
  useEffect(() => {
    if (list.error instanceof ProblemError) placeFieldErrors(list.error.problem, form);
  }, [list.error, form]);
  // A filtered page may come back empty before the last one (the API reads a bounded number of orders a page):
  // follow the cursor on until something shows or the list ends.
  const lastPageEmpty = list.data?.pages.at(-1)?.items.length === 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (lastPageEmpty && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastPageEmpty, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const apply = (values: FilterValues) => {
    const next = new URLSearchParams();
    if (values.status) next.set('status', values.status);
    if (values.paymentKind) next.set('paymentKind', values.paymentKind);
    for (const name of ['supplierId', 'productId', 'memberId'] as const) {
      const value = values[name]?.trim();
      if (value) next.set(name, value);
    }
    const [from, to] = values.created ?? [null, null];
    if (from) next.set('from', from.format(DATE_FORMAT));
    if (to) next.set('to', to.format(DATE_FORMAT));
    setParams(next);
  };
  const clear = () => {
    form.resetFields();
    setParams(new URLSearchParams());
  };
  const idRule = { pattern: ID, message: t('orders.filter.invalidId') };

  return (
    <>
      <Typography.Title level={3}>{t('orders.title')}</Typography.Title>
      <Form<FilterValues>
        form={form}
        layout="inline"
        name="order-filters"
        style={{ marginBottom: 16, rowGap: 12 }}
        initialValues={{
          status: filters.status,
          paymentKind: filters.paymentKind,
          supplierId: filters.supplierId,
          productId: filters.productId,
          memberId: filters.memberId,
          created: filters.from || filters.to ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null] : null,
        }}
        onFinish={apply}
      >
        <Form.Item name="status" label={t('orders.filter.status')}>
          <Select<OrderStatus>
            allowClear
            placeholder={t('orders.filter.anyStatus')}
            style={{ width: 170 }}
            options={ORDER_STATUSES.map((s) => ({ value: s, label: t(enumKey('order.status', s)) }))}
          />
        </Form.Item>
        <Form.Item name="paymentKind" label={t('orders.filter.paymentKind')}>
          <Select<PaymentKind>
            allowClear
            placeholder={t('orders.filter.anyPayment')}
            style={{ width: 160 }}
            options={PAYMENT_KINDS.map((p) => ({ value: p, label: t(enumKey('payment', p)) }))}
          />
        </Form.Item>
        <Form.Item name="memberId" label={t('orders.filter.member')} rules={[idRule]}>
          <Input allowClear style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="productId" label={t('orders.filter.product')} rules={[idRule]}>
          <Input allowClear style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="supplierId" label={t('orders.filter.supplier')} rules={[{ pattern: /^[a-z][a-z0-9-]{0,31}$/, message: t('orders.filter.invalidId') }]}>
          <Input allowClear style={{ width: 110 }} placeholder="jd" />
        </Form.Item>
        <Form.Item name="created" label={t('orders.filter.created', { zone: PROGRAMME_TIME_ZONE })} extra={t('orders.filter.defaultRange')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} format={DATE_FORMAT} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('orders.filter.submit')}
            </Button>
            <Button onClick={clear}>{t('orders.filter.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<Order>
        data-testid="orders-table"
        rowKey="orderId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('orders.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
