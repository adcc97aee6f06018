import { emptyRecord } from '../../shared/domain/own-keys.js';
import { httpHandler } from '../../shared/http/handler.js';
import { paymentCallbackSchema, supplierCallbackSchema } from '../../shared/contracts/webhooks.js';
import { receiveSigned } from '../../shared/webhooks/intake.js';
import type { HttpEvent } from '../../shared/http/handler.js';
import { webhookOperations } from '../../shared/contracts/webhooks.js';

function signedMessage(event: HttpEvent) {
  // Header names are the sender's: no prototype, so none of them can read as an Object.prototype member.
  const headers = emptyRecord<string | undefined>();
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  return { headers, body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw };
}

export const handler = httpHandler('webhooks', webhookOperations, {
  receiveSupplierCallback: async ({ params, event }) =>
    receiveSigned({ kind: 'suppliers', sender: params.supplier, ...signedMessage(event) }, supplierCallbackSchema, 'SupplierCallbackReceived'),
  receivePaymentCallback: async ({ params, event }) =>
    receiveSigned({ kind: 'payments', sender: params.provider, ...signedMessage(event) }, paymentCallbackSchema, 'PaymentCallbackReceived'),
});
