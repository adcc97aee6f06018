import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Col, DatePicker, Divider, Flex, Form, Input, InputNumber, Modal, Radio, Row, Select } from 'antd';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { productMessages } from './messages';
import {
  changesOf,
  INSTANT_TYPES,
  inputOfValues,
  MAX_SHARDS,
  newProductValues,
  PRODUCT_TYPES,
  SUPPLIERS,
  TIERS,
  valuesOfProduct,
  type Product,
  type ProductFormValues,
  type ProductI18n,
} from './product-values';

const zone = PROGRAMME_TIME_ZONE;

/** Enter in a picker's text box takes the typed time, not the form's submit. */
function keepEnterInPicker(event: { readonly key: string; preventDefault(): void }): void {
  if (event.key === 'Enter') event.preventDefault();
}

export interface ProductFormDialogProps {
  readonly open: boolean;
  /** The product to edit; none: a new one. */
  readonly product?: Product | undefined;
  readonly onClose: () => void;
}

/** "New product" and "Edit product": one dialog, one Idempotency-Key per opening. */
export function ProductFormDialog({ open, product, onClose }: ProductFormDialogProps) {
  const i18n = useMessages(productMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal open={open} onCancel={onClose} footer={null} destroyOnHidden width={820} title={product ? i18n.t('form.editTitle', { name: product.name }) : i18n.t('form.newTitle')}>
      <ProductForm product={product} idempotency={idempotency} onClose={onClose} i18n={i18n} />
    </Modal>
  );
}

function optionalPositive(i18n: ProductI18n) {
  return { type: 'integer' as const, min: 1, message: i18n.t('form.positive') };
}

function ProductForm({
  product,
  idempotency,
  onClose,
  i18n,
}: {
  readonly product: Product | undefined;
  readonly idempotency: IdempotencyKey;
  readonly onClose: () => void;
  readonly i18n: ProductI18n;
}) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<ProductFormValues>();
  const [initialValues] = useState(() => (product ? valuesOfProduct(product) : newProductValues()));
  const [saving, setSaving] = useState(false);
  const type = Form.useWatch('type', form) ?? initialValues.type;
  const pointsCashOn = Form.useWatch('pointsCashOn', form) ?? initialValues.pointsCashOn;
  const instant = INSTANT_TYPES.includes(type);
  // The templates a COUPON product may issue (the first 100, newest first).
  const templates = useQuery({
    queryKey: ['coupon-templates', 'choices'],
    queryFn: () => unwrap(api.GET('/v1/admin/coupons', { params: { query: { limit: 100 } } })),
    enabled: type === 'COUPON' && !product,
  });

  const submit = async (values: ProductFormValues) => {
    const headers = { 'Idempotency-Key': idempotency.key };
    setSaving(true);
    try {
      let saved: Product;
      if (!product) {
        saved = await unwrap(api.POST('/v1/admin/products', { headers, body: inputOfValues(values) }));
      } else {
        const changes = changesOf(product, values);
        if (Object.keys(changes).length === 0) {
          void message.info(t('form.noChanges'));
          return;
        }
        saved = await unwrap(
          api.PATCH('/v1/admin/products/{productId}', { params: { path: { productId: product.productId } }, headers, body: { expectedVersion: product.version, ...changes } }),
        );
      }
      idempotency.succeeded();
      void message.success(product ? t('form.saved', { name: saved.name, version: saved.version }) : t('form.created', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['products'] });
      await queryClient.invalidateQueries({ queryKey: ['product', saved.productId] });
      onClose();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<ProductFormValues> form={form} layout="vertical" initialValues={initialValues} onFinish={(values) => void submit(values)} requiredMark={false}>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, min: 2, message: t('form.name.required') }]}>
            <Input maxLength={200} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="productId" label={t('form.productId')} rules={[{ pattern: /^[A-Za-z0-9._:-]{1,64}$/, message: t('form.productId') }]}>
            <Input disabled={product !== undefined} maxLength={64} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('form.description')}>
        <Input.TextArea rows={2} maxLength={4000} />
      </Form.Item>
      <Form.Item name="type" label={t('form.type')}>
        <Radio.Group disabled={product !== undefined} optionType="button" options={PRODUCT_TYPES.map((value) => ({ value, label: t(`products.type.${value}`) }))} />
      </Form.Item>
      {type === 'SUPPLIER' ? (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={['supplier', 'supplierId']} label={t('form.supplierId')} rules={[{ required: true, message: t('form.supplier.required') }]}>
              <Select disabled={product !== undefined} options={SUPPLIERS.map((value) => ({ value, label: value }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={['supplier', 'sku']} label={t('form.sku')} rules={[{ required: true, whitespace: true, message: t('form.supplier.required') }]}>
              <Input disabled={product !== undefined} maxLength={100} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      {type === 'COUPON' ? (
        <Form.Item name="couponTemplateId" label={t('form.couponTemplateId')} rules={[{ required: true, message: t('form.couponTemplate.required') }]}>
          <Select
            disabled={product !== undefined}
            loading={templates.isPending && !product}
            showSearch
            optionFilterProp="label"
            options={
              product?.couponTemplateId
                ? [{ value: product.couponTemplateId, label: product.couponTemplateId }]
                : (templates.data?.items ?? []).map((tpl) => ({ value: tpl.couponTemplateId, label: `${tpl.name} (${tpl.couponTemplateId})` }))
            }
          />
        </Form.Item>
      ) : null}
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="zone" label={t('form.zone')} rules={[{ required: true, pattern: /^[a-z][a-z0-9-]{1,39}$/, message: t('form.zone.required') }]}>
            <Input maxLength={40} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="sortOrder" label={t('form.sortOrder')} rules={[{ type: 'integer', min: 0 }]}>
            <InputNumber precision={0} min={0} max={1_000_000} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="status" label={t('form.status')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'ACTIVE', label: t('products.status.ACTIVE') },
                { value: 'INACTIVE', label: t('products.status.INACTIVE') },
              ]}
            />
          </Form.Item>
        </Col>
      </Row>
      <Divider titlePlacement="start">{t('form.section.price')}</Divider>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="pricePoints" label={t('form.pricePoints')} rules={[{ required: true, type: 'integer', min: 1, message: t('form.pricePoints.required') }]}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={16}>
          {instant ? (
            <Alert type="info" showIcon title={t('form.pointsCash.instant')} style={{ marginTop: 30 }} />
          ) : (
            <Form.Item name="pointsCashOn" valuePropName="checked" style={{ marginTop: 30 }}>
              <Checkbox>{t('form.pointsCashOn')}</Checkbox>
            </Form.Item>
          )}
        </Col>
      </Row>
      {pointsCashOn && !instant ? (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name={['pointsCash', 'points']} label={t('form.pointsCash.points')} rules={[{ required: true, type: 'integer', min: 0, message: t('form.pricePoints.required') }]}>
              <InputNumber precision={0} min={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name={['pointsCash', 'cashCents']} label={t('form.pointsCash.cash')} rules={[{ required: true, type: 'number', min: 0.01, message: t('form.pointsCash.cashRequired') }]}>
              <InputNumber precision={2} min={0.01} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
      ) : null}
      <Divider titlePlacement="start">{t('form.section.sale')}</Divider>
      <Form.Item name="visibleToTiers" label={t('form.visibleToTiers')}>
        <Checkbox.Group options={TIERS.map((tier) => ({ value: tier, label: t(`tier.${tier}`) }))} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name={['limits', 'perDay']} label={t('form.limits.perDay')} rules={[optionalPositive(i18n)]}>
            <InputNumber precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name={['limits', 'lifetime']} label={t('form.limits.lifetime')} rules={[optionalPositive(i18n)]}>
            <InputNumber precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="saleStartsAt" label={t('form.saleStartsAt', { zone })}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name="saleEndsAt"
            label={t('form.saleEndsAt', { zone })}
            dependencies={['saleStartsAt']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, value: ProductFormValues['saleEndsAt']) => {
                  const start = getFieldValue('saleStartsAt') as ProductFormValues['saleStartsAt'];
                  return !value || !start || Date.parse(fromProgrammeInput(value)) > Date.parse(fromProgrammeInput(start))
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('form.saleEndsAt.afterStart')));
                },
              }),
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      {product ? null : (
        <>
          <Divider titlePlacement="start">{t('form.section.stock')}</Divider>
          <Row gutter={16}>
            <Col span={12}>
              <Form.Item name="stockShards" label={t('form.stockShards')} rules={[{ required: true, type: 'integer', min: 1, max: MAX_SHARDS }]}>
                <InputNumber precision={0} min={1} max={MAX_SHARDS} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={12}>
              {type === 'VIRTUAL' ? (
                <Alert type="info" showIcon title={t('form.initialStock.virtual')} style={{ marginTop: 30 }} />
              ) : (
                <Form.Item name="initialStock" label={t('form.initialStock')} rules={[{ type: 'integer', min: 0 }]}>
                  <InputNumber precision={0} min={0} style={{ width: '100%' }} />
                </Form.Item>
              )}
            </Col>
          </Row>
        </>
      )}
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('form.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {product ? t('form.save') : t('form.create')}
        </Button>
      </Flex>
    </Form>
  );
}
