import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';
import { MAX_CLIENTS_PER_STORE } from './limits.js';

export { MAX_CLIENTS_PER_STORE };

export const storeStatuses = ['ACTIVE', 'SUSPENDED'] as const;


const clientIdsSchema = (what: string) =>
  z
    .array(idSchema)
    .max(MAX_CLIENTS_PER_STORE, `${what}: at most ${MAX_CLIENTS_PER_STORE} POS clients per store`)
    .refine((ids) => new Set(ids).size === ids.length, `${what}: name each client id once`);

const storeName = z.string().trim().min(2, 'give the store a name of at least 2 characters').max(120);

export const storeInputSchema = z
  .strictObject({
    storeId: idSchema.openapi({ description: 'Your id for the store: the `storeId` its POS reports purchases with.' }),
    name: storeName,
    clientIds: clientIdsSchema('clientIds')
      .default([])
      .openapi({
        description:
          'POS app clients bound to the store: the `client_id` of their tokens (a Cognito app client id on AWS, `pos-<storeId>` for local dev tokens). ' +
          'A client serves one store.',
      }),
  })
  .openapi('StoreInput');

export const storePatchSchema = z
  .strictObject({
    expectedVersion: z
      .number()
      .int('expectedVersion must be a whole number')
      .min(1).max(MAX_VERSION, MAX_VERSION_MESSAGE)
      .optional()
      .openapi({ description: 'The `version` you read; refused with 409 CONFLICT if the store changed since. Without it the change applies to the current version.' }),
    status: z
      .enum(storeStatuses, { error: 'status must be ACTIVE or SUSPENDED' })
      .optional()
      .openapi({ description: 'SUSPENDED refuses every POS call of the store (403) within seconds (docs/api.md, Stores); ACTIVE resumes.' }),
    name: storeName.optional(),
    addClientIds: clientIdsSchema('addClientIds').optional().openapi({ description: 'POS app clients to bind to the store.' }),
    removeClientIds: clientIdsSchema('removeClientIds').optional().openapi({ description: 'POS app clients to unbind (their tokens are refused within seconds).' }),
  })
  .refine((p) => p.status !== undefined || p.name !== undefined || p.addClientIds !== undefined || p.removeClientIds !== undefined, {
    message: 'send at least one of status, name, addClientIds, removeClientIds',
  })
  .refine((p) => !(p.addClientIds ?? []).some((id) => (p.removeClientIds ?? []).includes(id)), {
    path: ['removeClientIds'],
    message: 'a client id cannot be both added and removed',
  })
  .openapi('StorePatch');

export const storeSchema = z
  .object({
    storeId: z.string(),
    name: z.string(),
    status: z.enum(storeStatuses),
    clientIds: z.array(z.string()).openapi({ description: 'POS app clients acting for the store.' }),
    version: z.number().int().openapi({ description: '1 at creation, + 1 by each change; send it back as expectedVersion.' }),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Store');

export const storeChangeSchema = z
  .object({
    version: z.number().int(),
    action: z.enum(['CREATE', 'UPDATE']),
    at: z.string(),
    by: z.string().openapi({ description: 'The operator (token subject) who made the change.' }),
    changes: z.record(z.string(), z.object({ from: z.string().nullable(), to: z.string().nullable() })),
    clientIdsAdded: z.array(z.string()),
    clientIdsRemoved: z.array(z.string()),
  })
  .openapi('StoreChange');

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
    response: pageOf(storeSchema).openapi('StorePage'),
  }),
  getStore: operation({
    summary: 'A store with its POS clients and its latest changes, newest first (operator)',
    tags: ['stores admin'],
    params: storeParams,
    response: storeSchema.extend({ changes: z.array(storeChangeSchema) }).openapi('StoreAdmin'),
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
