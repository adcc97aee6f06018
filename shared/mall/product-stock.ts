/**
 * One product's stock set or added to: what `PUT /v1/admin/products/{productId}/stock` does, and what each line
 * of a stock feed does (shared/mall/stock-feeds.ts) through this same function. The product is read fresh,
 * a code pool is refused (its stock is its codes), the shards change through `changeStock` (which clears the
 * sold-out flag, so a sold-out product restocked reopens), and this instance forgets the shards it knew empty.
 */
import { getProduct } from './catalogue.js';
import { refuseStockChangeOfCodePool } from './code-pool.js';
import { forgetEmptyShards } from './orders.js';
import { changeStock, type StockChangeOptions, type StockView } from './stock.js';

export async function setProductStock(
  productId: string,
  mode: 'set' | 'add',
  quantity: number,
  options: StockChangeOptions = {},
  now = new Date(),
): Promise<StockView> {
  const product = await getProduct(productId, { fresh: true });
  refuseStockChangeOfCodePool(product);
  const stock = await changeStock(product.productId, product.stockShards, mode, quantity, now, options);
  forgetEmptyShards(product.productId);
  return stock;
}
