import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { changesOf, codesOfCsv, inputOfValues, newProductValues, valuesOfProduct, type Product } from './product-values';

const product: Product = {
  productId: 'p-1',
  name: 'Watch',
  description: '',
  type: 'PHYSICAL',
  zone: 'flash-sale',
  pricePoints: 500,
  pointsCash: { points: 200, cashCents: 990 },
  visibleToTiers: null,
  limits: { perDay: null, lifetime: 1 },
  saleStartsAt: '2026-12-05T02:00:00.000Z',
  saleEndsAt: '2026-12-05T04:00:00.000Z',
  soldOut: false,
  supplier: null,
  couponTemplateId: null,
  status: 'ACTIVE',
  sortOrder: 10,
  stockShards: 2,
  soldOutAt: null,
  version: 3,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('the product form values', () => {
  it('turns the cash part in yuan into cents, and the picked wall-clock times (programme zone) into UTC instants', () => {
    const input = inputOfValues({
      ...newProductValues(),
      name: ' Watch ',
      pricePoints: 500,
      pointsCashOn: true,
      pointsCash: { points: 200, cashCents: 9.9 },
      saleStartsAt: dayjs('2026-12-05 10:00'),
      stockShards: 2,
      initialStock: 3,
    });
    expect(input).toMatchObject({ name: 'Watch', pointsCash: { points: 200, cashCents: 990 }, saleStartsAt: '2026-12-05T02:00:00.000Z', saleEndsAt: null, stockShards: 2, initialStock: 3 });
  });

  it('drops points + cash for kinds sold for points only, and a VIRTUAL product starts with no stock', () => {
    const input = inputOfValues({ ...newProductValues(), name: 'Card', type: 'VIRTUAL', pricePoints: 10, pointsCashOn: true, pointsCash: { points: 1, cashCents: 1 }, initialStock: 5 });
    expect(input.pointsCash).toBeNull();
    expect(input.initialStock).toBe(0);
  });

  it('patches only what changed', () => {
    const values = valuesOfProduct(product);
    expect(changesOf(product, values)).toEqual({});
    expect(changesOf(product, { ...values, limits: { perDay: 2, lifetime: 1 }, pointsCashOn: false })).toEqual({ limits: { perDay: 2, lifetime: 1 }, pointsCash: null });
  });
});

describe('codes from a CSV file', () => {
  it('reads the first column, skips a header and bad lines, and drops repeats', () => {
    const csv = 'code,note\r\nTOPUP-0001,first\n"TOPUP-0002",second\nshort\n\nTOPUP-0001,again\n';
    expect(codesOfCsv(csv)).toEqual({ codes: ['TOPUP-0001', 'TOPUP-0002'], skipped: 2 });
  });
});
