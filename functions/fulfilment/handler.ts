import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { deliveredCashRefundRequest, deliveredPaymentCallback, deliveredSupplierCallback } from '../../shared/contracts/events.js';
import { recordCallbackOutcome } from '../../shared/mall/callbacks.js';
import { applyPaymentMessage, applySupplierMessage, submitToSupplier } from '../../shared/mall/fulfilment.js';
import { readOrder } from '../../shared/mall/orders.js';
import { submitCashRefund } from '../../shared/payments/refunds.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';

type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/**
 * EventBridge rule target. A malformed detail throws: the rule retries it and
 * then sends it to the rule's DLQ, where an operator sees it.
 */
export const handler = middy<BusEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event) => {
    switch (event['detail-type']) {
      case 'SupplierCallbackReceived': {
        const message = deliveredSupplierCallback.parse(event.detail);
        const outcome = await applySupplierMessage(message);
        logger.info('supplier callback', { orderId: message.orderId, status: message.status, outcome });
        // On the order's callback record (its page shows what became of each callback).
        await recordCallbackOutcome(message.orderId, message.occurredAt, message.eventId, outcome);
        return { outcome };
      }
      case 'PaymentCallbackReceived': {
        const message = deliveredPaymentCallback.parse(event.detail);
        const outcome = await applyPaymentMessage(message);
        logger.info('payment callback', { orderId: message.orderId, status: message.status, outcome });
        await recordCallbackOutcome(message.orderId, message.occurredAt, message.eventId, outcome);
        return { outcome };
      }
      case 'CashRefundRequested': {
        // The cash part of an order goes back through the provider that took it (shared/payments/).
        const request = deliveredCashRefundRequest.parse(event.detail);
        const order = request.provider ? undefined : await readOrder(request.orderId);
        const outcome = await submitCashRefund(request, order?.paymentProvider);
        logger.info('cash refund', { orderId: request.orderId, refundId: request.eventId, outcome });
        return { outcome };
      }
      case 'OrderPlaced':
      case 'OrderStatusChanged': {
        // Routed here only for supplier goods that are ready: placed for points, or paid (the rules' filters).
        const orderId = String(event.detail.orderId);
        const outcome = await submitToSupplier(orderId);
        logger.info('supplier order', { orderId, outcome });
        return { outcome };
      }
      default:
        throw new Error(`the fulfilment function has no handler for ${event['detail-type']}`);
    }
  });
