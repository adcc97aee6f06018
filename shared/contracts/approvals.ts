import { operation } from './operation.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema } from './common.js';
import { approvalSchema, memberSchema, tierSchema } from './members.js';

export { approvalSchema };

const approvalParams = z.object({ approvalId: idSchema });
const decisionBody = doc(z.strictObject({ reason: z.optional(z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters'), z.maxLength(500))) }), 'ApprovalDecision');

export const operatorSettingsInputSchema = z.strictObject({
  approvalThresholdPoints: doc(z.number().check(z.int(), z.gte(1), z.lte(100_000_000)), { description: 'Adjustments of more points than this (either sign) wait for a second operator. Default 10,000,000.' }),
  supportMaxPointsPerAdjustment: doc(z.number().check(z.int(), z.gte(0), z.lte(100_000_000)), { description: 'Most a support operator may adjust at once (default 10,000).' }),
  supportMaxPointsPerDay: doc(z.number().check(z.int(), z.gte(0), z.lte(1_000_000_000)), { description: 'Most a support operator may adjust per day, credits and debits added (default 50,000).' }),
});

export const operatorSettingsSchema = doc(docExtend(operatorSettingsInputSchema, { version: z.number().check(z.int()), updatedAt: z.optional(z.string()), updatedBy: z.optional(z.string()) }), 'OperatorSettings');

export const approvalOperations = {
  listApprovals: operation({
    summary: 'Approval requests by status: pending ones oldest first (the queue), decided ones newest first (operator)',
    tags: ['approvals'],
    query: docExtend(pageQuerySchema, { status: z._default(z.enum(['PENDING', 'APPROVED', 'REJECTED']), 'PENDING') }),
    response: doc(pageOf(approvalSchema), 'ApprovalPage'),
  }),
  getApproval: operation({
    summary: 'One approval request (operator)',
    tags: ['approvals'],
    params: approvalParams,
    response: approvalSchema,
    errors: ['NOT_FOUND'],
  }),
  approveApproval: operation({
    summary: 'Approve a request: the adjustment is applied once (a different operator than the requester)',
    description:
      'Maker-checker: the requester gets 403. Approving again answers the request as it is; approving a rejected request is 409. ' +
      'A debit the wallet no longer covers is 409 INSUFFICIENT_POINTS and the request stays pending.',
    tags: ['approvals'],
    params: approvalParams,
    body: decisionBody,
    response: approvalSchema,
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'INSUFFICIENT_POINTS'],
  }),
  rejectApproval: operation({
    summary: 'Reject a request: nothing changes (a different operator than the requester)',
    tags: ['approvals'],
    params: approvalParams,
    body: decisionBody,
    response: approvalSchema,
    errors: ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT'],
  }),
  getOperatorSettings: operation({
    summary: 'Operator settings: approval threshold and support limits (operator)',
    tags: ['approvals'],
    response: operatorSettingsSchema,
  }),
  putOperatorSettings: operation({
    summary: 'Replace the operator settings (admin), optimistic on `expectedVersion`',
    tags: ['approvals'],
    body: z.strictObject({ ...operatorSettingsInputSchema.shape, expectedVersion: z.number().check(z.int(), z.gte(0), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)) }),
    response: operatorSettingsSchema,
    errors: ['CONFLICT'],
  }),
  setMemberTier: operation({
    summary: "Set a member's tier (operator; audited), on condition that it is still `expectedTier`",
    tags: ['admin'],
    params: z.object({ memberId: idSchema }),
    body: doc(z.strictObject({ tier: tierSchema, expectedTier: tierSchema, reason: z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters'), z.maxLength(500)) }), 'TierChange'),
    response: memberSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
};
