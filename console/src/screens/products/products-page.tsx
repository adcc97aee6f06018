import { Button, Flex, Input, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { productMessages } from './messages';
import { PRODUCT_TYPES, priceText, type ProductI18n, type ProductType, type ProductWithStock } from './product-values';

// The dialog (form, pickers) loads when first opened: an analyst's list never downloads it.
export const ProductFormDialog = lazy(() => import('./product-form').then((m) => ({ default: m.ProductFormDialog })));
const StockFeedDialog = lazy(() => import('./stock-feed-dialog').then((m) => ({ default: m.StockFeedDialog })));

/** Whether the signed-in operator's roles may use the Products screen's write actions. */
export function useCanEditProducts(): boolean {
  const session = useSession();
  return canWrite(session?.roles ?? [], 'products');
}

type YesNo = 'any' | 'true' | 'false';

interface Filters {
  readonly type: ProductType | 'any';
  readonly zone: string;
  readonly status: 'ACTIVE' | 'INACTIVE' | 'any';
  readonly onSaleNow: YesNo;
  readonly flashSale: YesNo;
}

const ZONE = /^[a-z][a-z0-9-]{1,39}$/;

export function windowText(product: Pick<ProductWithStock, 'saleStartsAt' | 'saleEndsAt'>, i18n: ProductI18n): string {
  const at = (iso: string) => formatProgrammeTime(iso).replace(` (${PROGRAMME_TIME_ZONE})`, '');
  const parts = [
    product.saleStartsAt ? i18n.t('products.window.from', { at: at(product.saleStartsAt) }) : undefined,
    product.saleEndsAt ? i18n.t('products.window.until', { at: at(product.saleEndsAt) }) : undefined,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : i18n.t('products.window.always');
}

function columns(i18n: ProductI18n): TableColumnsType<ProductWithStock> {
  const { t } = i18n;
  return [
    {
      key: 'name',
      title: t('products.name'),
      render: (_, p) => (
        <Space orientation="vertical" size={0}>
          <Link to={encodeURIComponent(p.productId)} aria-label={t('products.open', { name: p.name })}>
            {p.name}
          </Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.productId}
          </Typography.Text>
        </Space>
      ),
    },
    { key: 'type', title: t('products.type'), render: (_, p) => t(`products.type.${p.type}`) },
    { key: 'zone', title: t('products.zone'), dataIndex: 'zone' },
    {
      key: 'stock',
      title: t('products.stock'),
      render: (_, p) =>
        t('products.stock.value', { available: i18n.points(p.stock.available), sold: i18n.points(p.stock.sold), shards: p.stock.shards.length }),
    },
    { key: 'price', title: t('products.price'), render: (_, p) => priceText(p, i18n) },
    {
      key: 'status',
      title: t('products.status'),
      render: (_, p) => (
        <Space size={4} wrap>
          <Tag color={p.status === 'ACTIVE' ? 'green' : 'default'}>{t(`products.status.${p.status}`)}</Tag>
          {p.soldOut ? <Tag color="red">{t('products.soldOut')}</Tag> : null}
        </Space>
      ),
    },
    { key: 'window', title: t('products.window', { zone: PROGRAMME_TIME_ZONE }), render: (_, p) => windowText(p, i18n) },
  ];
}

/**
 * Products, a page at a time (GET /v1/admin/products), filtered by kind, zone, status, on sale now and flash sale, each
 * with its stock; "New product" and "Upload stock levels" (a CSV sent as one stock feed) for the roles that may write.
 */
export function ProductsPage() {
  const api = useApi();
  const i18n = useMessages(productMessages);
  const { t } = i18n;
  const writer = useCanEditProducts();
  const [filters, setFilters] = useState<Filters>({ type: 'any', zone: '', status: 'any', onSaleNow: 'any', flashSale: 'any' });
  const [zoneText, setZoneText] = useState('');
  const [dialogOpen, setDialogOpen] = useState<{ open: boolean; opened: boolean }>({ open: false, opened: false });
  // Mounted only while open: closing it stops the polling of a feed that runs in the background.
  const [stockFeedOpen, setStockFeedOpen] = useState(false);
  const query = {
    ...(filters.type === 'any' ? {} : { type: filters.type }),
    ...(filters.zone ? { zone: filters.zone } : {}),
    ...(filters.status === 'any' ? {} : { status: filters.status }),
    ...(filters.onSaleNow === 'any' ? {} : { onSaleNow: filters.onSaleNow }),
    ...(filters.flashSale === 'any' ? {} : { flashSale: filters.flashSale }),
  };
  const list = useCursorList(['products', query], (cursor) =>
    unwrap(api.GET('/v1/admin/products', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...query } } })),
  );
  // A rare filter may answer an empty page before the last one (the API filters after reading): follow the cursor on.
  const lastPageEmpty = list.data?.pages.at(-1)?.items.length === 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (lastPageEmpty && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastPageEmpty, hasNextPage, isFetchingNextPage, fetchNextPage]);
  const tableColumns = useMemo(() => columns(i18n), [i18n]);
  const yesNo = [
    { value: 'any', label: t('products.filter.any') },
    { value: 'true', label: t('products.filter.yes') },
    { value: 'false', label: t('products.filter.no') },
  ];
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('products.title')}
        </Typography.Title>
        {writer ? (
          <Space wrap>
            <Button onClick={() => setStockFeedOpen(true)}>{t('products.uploadStock')}</Button>
            <Button type="primary" onClick={() => setDialogOpen({ open: true, opened: true })}>
              {t('products.new')}
            </Button>
          </Space>
        ) : null}
      </Flex>
      <Flex wrap gap="middle" style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('products.filter.type')}
          style={{ width: 180 }}
          value={filters.type}
          onChange={(type) => setFilters((f) => ({ ...f, type }))}
          options={[{ value: 'any', label: `${t('products.filter.type')}: ${t('products.filter.any')}` }, ...PRODUCT_TYPES.map((type) => ({ value: type, label: t(`products.type.${type}`) }))]}
        />
        <Input.Search
          aria-label={t('products.filter.zone')}
          placeholder={t('products.filter.zone')}
          allowClear
          style={{ width: 200 }}
          value={zoneText}
          status={zoneText && !ZONE.test(zoneText) ? 'error' : undefined}
          onChange={(event) => setZoneText(event.target.value)}
          onSearch={(value) => {
            const zone = value.trim();
            if (zone === '' || ZONE.test(zone)) setFilters((f) => ({ ...f, zone }));
          }}
        />
        <Select
          aria-label={t('products.filter.status')}
          style={{ width: 160 }}
          value={filters.status}
          onChange={(status) => setFilters((f) => ({ ...f, status }))}
          options={[
            { value: 'any', label: `${t('products.filter.status')}: ${t('products.filter.any')}` },
            { value: 'ACTIVE', label: t('products.status.ACTIVE') },
            { value: 'INACTIVE', label: t('products.status.INACTIVE') },
          ]}
        />
        <Space>
          <Typography.Text>{t('products.filter.onSaleNow')}</Typography.Text>
          <Select aria-label={t('products.filter.onSaleNow')} style={{ width: 90 }} value={filters.onSaleNow} onChange={(onSaleNow) => setFilters((f) => ({ ...f, onSaleNow }))} options={yesNo} />
        </Space>
        <Space>
          <Typography.Text>{t('products.filter.flashSale')}</Typography.Text>
          <Select aria-label={t('products.filter.flashSale')} style={{ width: 90 }} value={filters.flashSale} onChange={(flashSale) => setFilters((f) => ({ ...f, flashSale }))} options={yesNo} />
        </Space>
      </Flex>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="productId"
        columns={tableColumns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('products.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {writer && dialogOpen.opened ? (
        <Suspense>
          <ProductFormDialog open={dialogOpen.open} onClose={() => setDialogOpen((d) => ({ ...d, open: false }))} />
        </Suspense>
      ) : null}
      {writer && stockFeedOpen ? (
        <Suspense>
          <StockFeedDialog onClose={() => setStockFeedOpen(false)} />
        </Suspense>
      ) : null}
    </>
  );
}
