import { Button, DatePicker, Form, Input, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { placeFieldErrors, ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { DATE_FORMAT, formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { StatusTag, TIERS, tierName, TierTag, type MemberI18n, type Tier } from './member-format';
import { memberMessages } from './messages';

type Hit = components['schemas']['MemberSearchHit'];

/** What the search form holds; the URL keeps it (`?idPrefix=` or `?tier=&from=&to=`), so "back" returns to the results. */
interface SearchValues {
  readonly idPrefix?: string;
  readonly tier?: Tier;
  readonly registered?: readonly [Dayjs | null, Dayjs | null] | null;
}

interface Filters {
  readonly idPrefix?: string;
  readonly tier?: Tier;
  /** Programme-local dates, `YYYY-MM-DD`, both inclusive. */
  readonly from?: string;
  readonly to?: string;
}

const ID_PREFIX = /^[A-Za-z0-9._:-]{2,64}$/;

function isTier(value: string | null): value is Tier {
  return value !== null && (TIERS as readonly string[]).includes(value);
}

function filtersOf(params: URLSearchParams): Filters {
  const tier = params.get('tier');
  return {
    ...(params.get('idPrefix') ? { idPrefix: params.get('idPrefix') ?? '' } : {}),
    ...(isTier(tier) ? { tier } : {}),
    ...(params.get('from') ? { from: params.get('from') ?? '' } : {}),
    ...(params.get('to') ? { to: params.get('to') ?? '' } : {}),
  };
}

/** The API's query: a date range in the programme's zone becomes [from 00:00, the day after `to` 00:00). */
function queryOf(filters: Filters) {
  const startOf = (date: string) => dayjs.tz(date, PROGRAMME_TIME_ZONE);
  return {
    ...(filters.idPrefix ? { idPrefix: filters.idPrefix } : {}),
    ...(filters.tier ? { tier: filters.tier } : {}),
    ...(filters.from ? { registeredFrom: startOf(filters.from).toISOString() } : {}),
    ...(filters.to ? { registeredTo: startOf(filters.to).add(1, 'day').toISOString() } : {}),
  };
}

function hitColumns(i18n: MemberI18n): TableColumnsType<Hit> {
  const { t } = i18n;
  return [
    {
      key: 'memberId',
      title: t('members.memberId'),
      render: (_, hit) => <Link to={`/members/${encodeURIComponent(hit.memberId)}`}>{hit.memberId}</Link>,
    },
    { key: 'tier', title: t('members.tier'), render: (_, hit) => <TierTag tier={hit.tier} i18n={i18n} /> },
    { key: 'status', title: t('members.status'), render: (_, hit) => <StatusTag status={hit.status} i18n={i18n} /> },
    { key: 'registeredAt', title: t('members.registeredAt'), render: (_, hit) => formatProgrammeTime(hit.registeredAt) },
  ];
}

/** Finds members by id prefix, or by tier and registration date (GET /v1/admin/members), a page at a time. */
export function MemberSearch() {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const [form] = Form.useForm<SearchValues>();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);
  const list = useCursorList(['members', 'search', filters], (cursor) =>
    unwrap(api.GET('/v1/admin/members', { params: { query: { ...queryOf(filters), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => hitColumns(i18n), [i18n]);

  // A search the API refused names the filter at fault (query.idPrefix ...): put it on that field too.
  useEffect(() => {
    if (list.error instanceof ProblemError) placeFieldErrors(list.error.problem, form);
  }, [list.error, form]);

  const search = (values: SearchValues) => {
    const next = new URLSearchParams();
    const idPrefix = values.idPrefix?.trim();
    if (idPrefix) next.set('idPrefix', idPrefix);
    if (values.tier) next.set('tier', values.tier);
    const [from, to] = values.registered ?? [null, null];
    if (from) next.set('from', from.format(DATE_FORMAT));
    if (to) next.set('to', to.format(DATE_FORMAT));
    setParams(next);
  };
  const clear = () => {
    form.resetFields();
    setParams(new URLSearchParams());
  };

  return (
    <>
      <Typography.Title level={3}>{t('members.title')}</Typography.Title>
      <Form<SearchValues>
        form={form}
        layout="inline"
        name="member-search"
        onFinish={search}
        initialValues={{
          idPrefix: filters.idPrefix,
          tier: filters.tier,
          registered: filters.from || filters.to ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null] : null,
        }}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item
          name="idPrefix"
          label={t('members.search.idPrefix')}
          tooltip={t('members.search.idPrefixHelp')}
          dependencies={['tier', 'registered']}
          rules={[
            { pattern: ID_PREFIX, message: t('members.search.idPrefixInvalid') },
            ({ getFieldValue }) => ({
              validator(_, value: string | undefined) {
                const registered = getFieldValue('registered') as SearchValues['registered'];
                const other = Boolean(getFieldValue('tier')) || Boolean(registered?.[0] ?? registered?.[1]);
                return value?.trim() && other ? Promise.reject(new Error(t('members.search.idPrefixAlone'))) : Promise.resolve();
              },
            }),
          ]}
        >
          <Input allowClear placeholder="m-" style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="tier" label={t('members.search.tier')}>
          <Select
            allowClear
            placeholder={t('members.search.anyTier')}
            style={{ width: 140 }}
            options={TIERS.map((tier) => ({ value: tier, label: tierName(tier, i18n) }))}
          />
        </Form.Item>
        <Form.Item name="registered" label={t('members.search.registered', { zone: PROGRAMME_TIME_ZONE })}>
          <DatePicker.RangePicker allowEmpty={[true, true]} format={DATE_FORMAT} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('members.search.submit')}
            </Button>
            <Button onClick={clear}>{t('members.search.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="memberId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('members.search.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}
