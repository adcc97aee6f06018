import type { Dayjs } from 'dayjs';
import type { components } from '../../api/schema';
import { fromProgrammeInput, programmeTime } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import type { productMessages } from './messages';

export type Product = components['schemas']['Product'];
export type ProductWithStock = components['schemas']['ProductWithStock'];
export type ProductInput = components['schemas']['ProductInput'];
export type ProductPatch = components['schemas']['ProductPatch'];
export type Stock = components['schemas']['Stock'];
export type SaleMonitor = components['schemas']['SaleMonitor'];
export type ProductType = Product['type'];
export type Tier = NonNullable<ProductInput['visibleToTiers']>[number];
export type ProductI18n = ScreenI18n<keyof (typeof productMessages)['en']>;

/** The contract's product kinds, in the order the form offers them. */
export const PRODUCT_TYPES = ['PHYSICAL', 'VIRTUAL', 'COUPON', 'SUPPLIER'] as const satisfies readonly ProductType[];
export const TIERS = ['normal', 'silver', 'gold', 'diamond'] as const satisfies readonly Tier[];
/** Kinds delivered at once in the redemption's transaction: points only (the API refuses points + cash for them). */
export const INSTANT_TYPES: readonly ProductType[] = ['VIRTUAL', 'COUPON'];
/** Suppliers the backend has adapters for (shared/fulfilment). */
export const SUPPLIERS = ['jd', 'tmall'] as const;
/** The API's ceiling of stock shards (MAX_STOCK_SHARDS). */
export const MAX_SHARDS = 256;
/** The zone the flash sales are listed in. */
export const FLASH_SALE_ZONE = 'flash-sale';

/**
 * What the product dialog's form holds: the API's fields by their API names (so a problem's `errors[]` path lands on
 * the field), with pickers' Dayjs values and the cash part in yuan (converted to cents on the way out).
 */
export interface ProductFormValues {
  productId?: string;
  name: string;
  description?: string;
  type: ProductType;
  zone: string;
  pricePoints?: number | null;
  pointsCashOn: boolean;
  pointsCash?: { points?: number | null; cashCents?: number | null };
  visibleToTiers?: Tier[];
  limits: { perDay?: number | null; lifetime?: number | null };
  saleStartsAt?: Dayjs | null;
  saleEndsAt?: Dayjs | null;
  supplier?: { supplierId?: string; sku?: string };
  couponTemplateId?: string | null;
  status: 'ACTIVE' | 'INACTIVE';
  sortOrder?: number | null;
  stockShards?: number | null;
  initialStock?: number | null;
}

const yuanToCents = (yuan: number) => Math.round(yuan * 100);
const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;
const instantOf = (value: Dayjs | null | undefined) => (value ? fromProgrammeInput(value) : null);

export function newProductValues(): ProductFormValues {
  return { name: '', type: 'PHYSICAL', zone: 'main', pointsCashOn: false, limits: {}, status: 'ACTIVE', sortOrder: 1000, stockShards: 1, initialStock: 0 };
}

export function valuesOfProduct(product: Product): ProductFormValues {
  return {
    productId: product.productId,
    name: product.name,
    description: product.description,
    type: product.type,
    zone: product.zone,
    pricePoints: product.pricePoints,
    pointsCashOn: product.pointsCash !== null,
    pointsCash: product.pointsCash ? { points: product.pointsCash.points, cashCents: product.pointsCash.cashCents / 100 } : {},
    visibleToTiers: product.visibleToTiers ? [...product.visibleToTiers] : [],
    limits: { perDay: product.limits.perDay, lifetime: product.limits.lifetime },
    saleStartsAt: product.saleStartsAt ? programmeTime(product.saleStartsAt) : null,
    saleEndsAt: product.saleEndsAt ? programmeTime(product.saleEndsAt) : null,
    supplier: product.supplier ?? {},
    couponTemplateId: product.couponTemplateId,
    status: product.status,
    sortOrder: product.sortOrder,
    stockShards: product.stockShards,
  };
}

/** The fields a create and a patch share, from the form. */
function sharedFields(values: ProductFormValues) {
  const pointsCash =
    values.pointsCashOn && !INSTANT_TYPES.includes(values.type) && present(values.pointsCash?.points) && present(values.pointsCash?.cashCents)
      ? { points: values.pointsCash.points, cashCents: yuanToCents(values.pointsCash.cashCents) }
      : null;
  return {
    name: values.name.trim(),
    description: values.description ?? '',
    zone: values.zone.trim(),
    pricePoints: values.pricePoints ?? 0,
    pointsCash,
    visibleToTiers: values.visibleToTiers && values.visibleToTiers.length > 0 ? [...values.visibleToTiers] : null,
    limits: { perDay: values.limits.perDay ?? null, lifetime: values.limits.lifetime ?? null },
    saleStartsAt: instantOf(values.saleStartsAt),
    saleEndsAt: instantOf(values.saleEndsAt),
    status: values.status,
    sortOrder: values.sortOrder ?? 1000,
  };
}

export function inputOfValues(values: ProductFormValues): ProductInput {
  return {
    ...(values.productId?.trim() ? { productId: values.productId.trim() } : {}),
    ...sharedFields(values),
    type: values.type,
    supplier: values.type === 'SUPPLIER' ? { supplierId: values.supplier?.supplierId ?? '', sku: values.supplier?.sku?.trim() ?? '' } : null,
    couponTemplateId: values.type === 'COUPON' ? (values.couponTemplateId ?? null) : null,
    stockShards: values.stockShards ?? 1,
    initialStock: values.type === 'VIRTUAL' ? 0 : (values.initialStock ?? 0),
  };
}

/** What the operator changed against the product as read: only those fields go in the PATCH. */
export function changesOf(product: Product, values: ProductFormValues): Omit<ProductPatch, 'expectedVersion'> {
  const next = sharedFields(values);
  const before = sharedFields(valuesOfProduct(product));
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(before[key])) changes[key] = next[key];
  }
  return changes as Omit<ProductPatch, 'expectedVersion'>;
}

/** `1,000 points`, plus `or 500 points + ¥9.90` when sold for points + cash too. */
export function priceText(product: Pick<Product, 'pricePoints' | 'pointsCash'>, i18n: ProductI18n): string {
  const points = i18n.t('products.price.points', { points: i18n.points(product.pricePoints) });
  return product.pointsCash
    ? `${points} ${i18n.t('products.price.pointsCash', { points: i18n.points(product.pointsCash.points), cash: i18n.money(product.pointsCash.cashCents) })}`
    : points;
}

/** Whether the product is active and inside its sale window at `now`. */
export function onSaleNow(product: Pick<Product, 'status' | 'saleStartsAt' | 'saleEndsAt'>, now = Date.now()): boolean {
  if (product.status !== 'ACTIVE') return false;
  if (product.saleStartsAt && now < Date.parse(product.saleStartsAt)) return false;
  return !(product.saleEndsAt && now >= Date.parse(product.saleEndsAt));
}

/**
 * The codes of an uploaded CSV or text file: the first column of each line, unquoted; lines whose value is not a
 * code the API takes (a header, a blank line) are counted as skipped. Duplicates within the file are dropped.
 */
export function codesOfCsv(text: string): { codes: string[]; skipped: number } {
  const codes = new Set<string>();
  let skipped = 0;
  for (const line of text.split(/\r?\n/)) {
    const first = line.split(/[,;\t]/)[0]?.trim().replace(/^"(.*)"$/, '$1') ?? '';
    if (first === '') continue;
    if (/^[A-Za-z0-9_-]{6,64}$/.test(first)) codes.add(first);
    else skipped += 1;
  }
  return { codes: [...codes], skipped };
}
