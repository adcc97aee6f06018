/**
 * The every-minute `flash-sale-stock` job: the stock left of each flash-sale
 * product on sale now, as the metric FlashSaleStockLeft (dimension
 * `productId`) for the dashboard. Redemptions never read stock (conditions do
 * the checking), so the figure is read here: one eventually consistent read of
 * the product's shards, which costs half a strong read and may lag a second.
 *
 * Cardinality stays low and bounded: only the `flash-sale` zone, only products
 * inside their sale window, at most MAX_METERED_PRODUCTS of them (the first in
 * the zone's sort order); a product drops off the metric when its sale ends.
 */
import { FLASH_SALE_ZONE, productsOnSaleInZone } from '../mall/catalogue.js';
import { readStock } from '../mall/stock.js';
import { businessMetrics } from '../observability/business-metrics.js';
import { logger, metrics } from '../observability/powertools.js';

/** The zone the flash sales are listed in (docs/flash-sale.md). */
export { FLASH_SALE_ZONE };
/** Products metered per run: each one is a custom metric while its sale lasts. */
export const MAX_METERED_PRODUCTS = 20;

export interface FlashSaleStockStats {
  productsOnSale: number;
  productsMetered: number;
  unitsLeft: number;
  complete: number;
  [key: string]: number;
}

export async function runFlashSaleStockJob(options: { now: Date; deadline: number }): Promise<FlashSaleStockStats> {
  const { products, more } = await productsOnSaleInZone(FLASH_SALE_ZONE, options.now, MAX_METERED_PRODUCTS);
  if (more) logger.warn('more flash-sale products on sale than the stock metric covers', { zone: FLASH_SALE_ZONE, metered: MAX_METERED_PRODUCTS });
  const stats: FlashSaleStockStats = { productsOnSale: products.length, productsMetered: 0, unitsLeft: 0, complete: 0 };
  for (const product of products) {
    if (Date.now() > options.deadline) return stats;
    const stock = await readStock(product.productId, product.stockShards, { consistent: false });
    // Published at once, one line per product: the productId dimension never reaches the function's other metrics.
    const stockLeft = metrics.singleMetric();
    stockLeft.addDimension('productId', product.productId);
    stockLeft.addMetric(businessMetrics.flashSaleStockLeft, 'Count', stock.available);
    stats.productsMetered += 1;
    stats.unitsLeft += stock.available;
  }
  stats.complete = 1;
  return stats;
}
