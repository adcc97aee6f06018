import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';
import { MAX_CLIENTS_PER_STORE } from './limits.js';

export { MAX_CLIENTS_PER_STORE };

export const storeStatuses = ['ACTIVE', 'SUSPENDED'] as const;


const clientIdsSchema = (what: string) =>
  z.array(idSchema).check(z.maxLength(MAX_CLIENTS_PER_STORE, `${what}: at most ${MAX_CLIENTS_PER_STORE} POS clients per store`), z.refine((ids) => new Set(ids).size === ids.length, `${what}: name each client id once`));

const storeName = z.string().check(z.trim(), z.minLength(2, 'give the store a name of at least 2 characters'), z.maxLength(120));

export const storeInputSchema = doc(z.strictObject({
  storeId: doc(idSchema, { description: 'Your id for the store: the `storeId` its POS reports purchases with.' }),
  name: storeName,
  clientIds: doc(z._default(clientIdsSchema('clientIds'), []), {
    description:
      'POS app clients bound to the store: the `client_id` of their tokens (a Cognito app client id on AWS, `pos-<storeId>` for local dev tokens). ' +
      'A client serves one store.',
  }),
}), 'StoreInput');

export const storePatchSchema = doc(z.strictObject({
  expectedVersion: doc(z.optional(z.number().check(z.int('expectedVersion must be a whole number'), z.gte(1), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE))), { description: 'The `version` you read; refused with 409 CONFLICT if the store changed since. Without it the change applies to the current version.' }),
  status: doc(z.optional(z.enum(storeStatuses, { error: 'status must be ACTIVE or SUSPENDED' })), { description: 'SUSPENDED refuses every POS call of the store (403) within seconds (docs/api.md, Stores); ACTIVE resumes.' }),
  name: z.optional(storeName),
  addClientIds: doc(z.optional(clientIdsSchema('addClientIds')), { description: 'POS app clients to bind to the store.' }),
  removeClientIds: doc(z.optional(clientIdsSchema('removeClientIds')), { description: 'POS app clients to unbind (their tokens are refused within seconds).' }),
}).check(z.refine((p) => p.status !== undefined || p.name !== undefined || p.addClientIds !== undefined || p.removeClientIds !== undefined, {
  message: 'send at least one of status, name, addClientIds, removeClientIds',
}), z.refine((p) => !(p.addClientIds ?? []).some((id) => (p.removeClientIds ?? []).includes(id)), {
  path: ['removeClientIds'],
  message: 'a client id cannot be both added and removed',
})), 'StorePatch');

export const storeSchema = doc(z.object({
  storeId: z.string(),
  name: z.string(),
  status: z.enum(storeStatuses),
  clientIds: doc(z.array(z.string()), { description: 'POS app clients acting for the store.' }),
  version: doc(z.number().check(z.int()), { description: '1 at creation, + 1 by each change; send it back as expectedVersion.' }),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
}), 'Store');

export const storeChangeSchema = doc(z.object({
  version: z.number().check(z.int()),
  action: z.enum(['CREATE', 'UPDATE']),
  at: z.string(),
  by: doc(z.string(), { description: 'The operator (token subject) who made the change.' }),
  changes: z.record(z.string(), z.object({ from: z.nullable(z.string()), to: z.nullable(z.string()) })),
  clientIdsAdded: z.array(z.string()),
  clientIdsRemoved: z.array(z.string()),
}), 'StoreChange');

const storeParams = z.object({ storeId: idSchema });

export const storeOperations = {
  createStore: operation({
    summary: 'Register a store and bind its POS app clients (operator; idempotent for the same body)',
    description:
      'Answers 201 with the new store; the same request again answers 200 with the store as it is now; another body for an ' +
      'existing storeId, or a client id bound to another store, answers 409 CONFLICT. Recorded with the operator in the store\'s change history.',
    tags: ['stores admin'],
    body: storeInputSchema,
    response: storeSchema,
    status: 201,
    errors: ['CONFLICT'],
  }),
  listStores: operation({
    summary: 'Registered stores, by storeId (operator)',
    tags: ['stores admin'],
    query: pageQuerySchema,
    response: doc(pageOf(storeSchema), 'StorePage'),
  }),
  getStore: operation({
    summary: 'A store with its POS clients and its latest changes, newest first (operator)',
    tags: ['stores admin'],
    params: storeParams,
    response: doc(docExtend(storeSchema, { changes: z.array(storeChangeSchema) }), 'StoreAdmin'),
    errors: ['NOT_FOUND'],
  }),
  updateStore: operation({
    summary: 'Suspend or resume a store, rename it, bind or unbind POS app clients (operator)',
    description:
      'One transaction changes the store, the bindings of its clients and writes the change record (who, when, what). ' +
      'A suspended store, or a client no longer bound, is refused within the POS store cache\'s lifetime (5 s).',
    tags: ['stores admin'],
    params: storeParams,
    body: storePatchSchema,
    response: storeSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
};
