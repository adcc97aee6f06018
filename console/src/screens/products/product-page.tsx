import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Form, InputNumber, Modal, Radio, Space, Table, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense, useState, type ChangeEvent } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { ProblemAlert, useProblemHandler } from '../../api/use-problem';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { productMessages } from './messages';
import { codesOfCsv, MAX_SHARDS, onSaleNow, priceText, type ProductI18n, type ProductWithStock } from './product-values';
import { ProductFormDialog, useCanEditProducts, windowText } from './products-page';

// The monitor brings ECharts: loaded when its tab is opened.
const SaleMonitorPanel = lazy(() => import('./sale-monitor').then((m) => ({ default: m.SaleMonitorPanel })));

/** Codes one upload call takes at most (the API's MAX_CODES_PER_UPLOAD). */
const CODES_PER_CALL = 500;

type Dialog = 'edit' | 'stock' | 'rebalance' | 'codes' | undefined;

/** /console/products/:productId: the product, its stock per shard with set / rebalance / code upload, and its sale monitor. */
export function ProductPage() {
  const { productId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(productMessages);
  const { t } = i18n;
  const writer = useCanEditProducts();
  const [dialog, setDialog] = useState<Dialog>();
  // The tab is in the URL (?tab=monitor): a link or a reload opens the sale monitor directly.
  const [search, setSearch] = useSearchParams();
  const tab = search.get('tab') === 'monitor' ? 'monitor' : 'stock';
  const setTab = (key: string) => setSearch(key === 'monitor' ? { tab: 'monitor' } : {}, { replace: true });
  const product = useQuery({
    queryKey: ['product', productId],
    queryFn: () => unwrap(api.GET('/v1/admin/products/{productId}', { params: { path: { productId } } })),
  });
  if (product.error) return <ProblemAlert error={product.error} />;
  if (!product.data) return <Card loading />;
  const p = product.data;
  return (
    <>
      <Link to="..">{t('page.back')}</Link>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ margin: '8px 0 16px' }}>
        <Space align="center" wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {p.name}
          </Typography.Title>
          <Tag color={onSaleNow(p) ? 'green' : 'default'}>{t(onSaleNow(p) ? 'products.onSaleNow' : 'products.notOnSale')}</Tag>
          {p.soldOut ? <Tag color="red">{t('products.soldOut')}</Tag> : null}
        </Space>
        {writer ? (
          <Button onClick={() => setDialog('edit')}>{t('products.edit')}</Button>
        ) : null}
      </Flex>
      <Details product={p} i18n={i18n} />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          { key: 'stock', label: t('page.tab.stock'), children: <StockPanel product={p} writer={writer} onDialog={setDialog} i18n={i18n} /> },
          {
            key: 'monitor',
            label: t('page.tab.monitor'),
            children:
              tab === 'monitor' ? (
                <Suspense fallback={<Card loading />}>
                  <SaleMonitorPanel productId={p.productId} />
                </Suspense>
              ) : null,
          },
        ]}
      />
      {writer && dialog === 'edit' ? (
        <Suspense>
          <ProductFormDialog open product={p} onClose={() => setDialog(undefined)} />
        </Suspense>
      ) : null}
      {writer && dialog === 'stock' ? <StockDialog product={p} onClose={() => setDialog(undefined)} i18n={i18n} /> : null}
      {writer && dialog === 'rebalance' ? <RebalanceDialog product={p} onClose={() => setDialog(undefined)} i18n={i18n} /> : null}
      {writer && dialog === 'codes' ? <CodesDialog product={p} onClose={() => setDialog(undefined)} i18n={i18n} /> : null}
    </>
  );
}

function Details({ product: p, i18n }: { readonly product: ProductWithStock; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const limit = (value: number | null) => (value === null ? t('page.limits.none') : i18n.points(value));
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 3 }}
      style={{ marginBottom: 16 }}
      items={[
        { key: 'id', label: 'ID', children: p.productId },
        { key: 'type', label: t('products.type'), children: t(`products.type.${p.type}`) },
        { key: 'zone', label: t('products.zone'), children: p.zone },
        { key: 'price', label: t('products.price'), children: priceText(p, i18n) },
        { key: 'status', label: t('products.status'), children: t(`products.status.${p.status}`) },
        { key: 'window', label: t('products.window', { zone: PROGRAMME_TIME_ZONE }), children: windowText(p, i18n) },
        {
          key: 'tiers',
          label: t('page.visibleTo'),
          children: p.visibleToTiers ? p.visibleToTiers.map((tier) => t(`tier.${tier}`)).join(', ') : t('page.tiers.all'),
        },
        { key: 'limits', label: t('page.limits'), children: t('page.limits.value', { perDay: limit(p.limits.perDay), lifetime: limit(p.limits.lifetime) }) },
        ...(p.supplier ? [{ key: 'supplier', label: t('page.supplier'), children: `${p.supplier.supplierId} · ${p.supplier.sku}` }] : []),
        ...(p.couponTemplateId ? [{ key: 'coupon', label: t('page.couponTemplate'), children: p.couponTemplateId }] : []),
        ...(p.soldOutAt ? [{ key: 'soldOutAt', label: t('monitor.soldOutAt'), children: formatProgrammeTime(p.soldOutAt) }] : []),
        { key: 'version', label: t('page.version'), children: p.version },
      ]}
    />
  );
}

function StockPanel({
  product: p,
  writer,
  onDialog,
  i18n,
}: {
  readonly product: ProductWithStock;
  readonly writer: boolean;
  readonly onDialog: (dialog: Dialog) => void;
  readonly i18n: ProductI18n;
}) {
  const { t } = i18n;
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 12 }}>
        <Space size="large" wrap>
          <span data-testid="stock-available">
            {t('page.totalAvailable')}: <strong>{i18n.points(p.stock.available)}</strong>
          </span>
          <span data-testid="stock-sold">
            {t('page.totalSold')}: <strong>{i18n.points(p.stock.sold)}</strong>
          </span>
        </Space>
        {writer ? (
          <Space wrap>
            {p.type === 'VIRTUAL' ? (
              <Button onClick={() => onDialog('codes')}>{t('page.uploadCodes')}</Button>
            ) : (
              <>
                <Button onClick={() => onDialog('stock')}>{t('page.setStock')}</Button>
                <Button onClick={() => onDialog('rebalance')}>{t('page.rebalance')}</Button>
              </>
            )}
          </Space>
        ) : null}
      </Flex>
      <Table
        data-testid="stock-shards"
        rowKey="shard"
        size="small"
        pagination={false}
        dataSource={[...p.stock.shards]}
        columns={[
          { key: 'shard', title: t('page.shard'), dataIndex: 'shard' },
          { key: 'available', title: t('page.available'), render: (_, s) => i18n.points(s.available) },
          { key: 'sold', title: t('page.sold'), render: (_, s) => i18n.points(s.sold) },
        ]}
      />
    </>
  );
}

/** After a stock change: the product (and the lists showing its stock) are read again. */
function useStockChanged(productId: string) {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ['product', productId] });
    await queryClient.invalidateQueries({ queryKey: ['products'] });
  };
}

function StockDialog({ product, onClose, i18n }: { readonly product: ProductWithStock; readonly onClose: () => void; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(true);
  const changed = useStockChanged(product.productId);
  const [form] = Form.useForm<{ mode: 'set' | 'add'; quantity: number }>();
  const [saving, setSaving] = useState(false);
  const submit = async (values: { mode: 'set' | 'add'; quantity: number }) => {
    setSaving(true);
    try {
      const stock = await unwrap(
        api.PUT('/v1/admin/products/{productId}/stock', {
          params: { path: { productId: product.productId } },
          headers: { 'Idempotency-Key': idempotency.key },
          body: values,
        }),
      );
      idempotency.succeeded();
      void message.success(t('stock.done', { name: product.name, available: i18n.points(stock.available) }));
      await changed();
      onClose();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open onCancel={onClose} title={t('stock.title', { name: product.name })} okText={t('form.save')} cancelText={t('form.cancel')} onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ mode: 'set', quantity: product.stock.available }} onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item name="mode" label={t('stock.mode')}>
          <Radio.Group
            options={[
              { value: 'set', label: t('stock.mode.set') },
              { value: 'add', label: t('stock.mode.add') },
            ]}
          />
        </Form.Item>
        <Form.Item name="quantity" label={t('stock.quantity')} rules={[{ required: true, type: 'integer', min: 0, message: t('stock.quantity.required') }]}>
          <InputNumber precision={0} min={0} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RebalanceDialog({ product, onClose, i18n }: { readonly product: ProductWithStock; readonly onClose: () => void; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(true);
  const changed = useStockChanged(product.productId);
  const [form] = Form.useForm<{ shards: number }>();
  const [saving, setSaving] = useState(false);
  const submit = async (values: { shards: number }) => {
    setSaving(true);
    try {
      const stock = await unwrap(
        api.POST('/v1/admin/products/{productId}/stock/rebalance', {
          params: { path: { productId: product.productId } },
          headers: { 'Idempotency-Key': idempotency.key },
          body: values,
        }),
      );
      idempotency.succeeded();
      void message.success(t('rebalance.done', { name: product.name, shards: stock.shards.length }));
      await changed();
      onClose();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open onCancel={onClose} title={t('rebalance.title', { name: product.name })} okText={t('form.save')} cancelText={t('form.cancel')} onOk={() => form.submit()} confirmLoading={saving} destroyOnHidden>
      <Typography.Paragraph>{t('rebalance.intro', { available: i18n.points(product.stock.available) })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ shards: product.stockShards }} onFinish={(values) => void submit(values)} requiredMark={false}>
        <Form.Item name="shards" label={t('rebalance.shards')} rules={[{ required: true, type: 'integer', min: 1, max: MAX_SHARDS }]}>
          <InputNumber precision={0} min={1} max={MAX_SHARDS} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Reads a CSV of codes in the browser and uploads them in calls of at most CODES_PER_CALL (each idempotent per code). */
function CodesDialog({ product, onClose, i18n }: { readonly product: ProductWithStock; readonly onClose: () => void; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(true);
  const changed = useStockChanged(product.productId);
  const [file, setFile] = useState<{ name: string; codes: string[]; skipped: number }>();
  const [saving, setSaving] = useState(false);
  const read = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (!chosen) return;
    setFile({ name: chosen.name, ...codesOfCsv(await chosen.text()) });
  };
  const upload = async () => {
    if (!file || file.codes.length === 0) return;
    setSaving(true);
    let accepted = 0;
    let duplicates = 0;
    try {
      for (let i = 0; i < file.codes.length; i += CODES_PER_CALL) {
        const result = await unwrap(
          api.POST('/v1/admin/products/{productId}/codes', {
            params: { path: { productId: product.productId } },
            // One key per call of the dialog's upload: a retry of the same chunk applies it once.
            headers: { 'Idempotency-Key': `${idempotency.key}-${i / CODES_PER_CALL}` },
            body: { codes: file.codes.slice(i, i + CODES_PER_CALL) },
          }),
        );
        accepted += result.accepted;
        duplicates += result.duplicates;
      }
      idempotency.succeeded();
      void message.success(t('codes.done', { accepted, duplicates }));
      await changed();
      onClose();
    } catch (error) {
      showProblem(error);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open
      onCancel={onClose}
      title={t('codes.title', { name: product.name })}
      okText={t('codes.upload')}
      cancelText={t('form.cancel')}
      okButtonProps={{ disabled: !file || file.codes.length === 0 }}
      onOk={() => void upload()}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('codes.intro')}</Typography.Paragraph>
      <label>
        {t('codes.file')}: <input type="file" accept=".csv,.txt,text/csv,text/plain" aria-label={t('codes.file')} onChange={(event) => void read(event)} />
      </label>
      {file ? (
        <Space orientation="vertical" style={{ marginTop: 12, width: '100%' }}>
          {file.codes.length > 0 ? <Alert type="success" title={t('codes.read', { count: file.codes.length, file: file.name })} /> : <Alert type="error" title={t('codes.none')} />}
          {file.skipped > 0 ? <Alert type="warning" title={t('codes.invalid', { count: file.skipped })} /> : null}
        </Space>
      ) : null}
    </Modal>
  );
}
