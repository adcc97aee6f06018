import './zod-openapi.js';
import { operation } from './operation.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema } from './common.js';
import { approvalSchema, memberSchema, tierSchema } from './members.js';

export { approvalSchema };

const approvalParams = z.object({ approvalId: idSchema });
const decisionBody = z
  .object({ reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(500).optional() })
  .strict()
  .openapi('ApprovalDecision');

export const operatorSettingsInputSchema = z
  .object({
    approvalThresholdPoints: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .openapi({ description: 'Adjustments of more points than this (either sign) wait for a second operator. Default 10,000,000.' }),
    supportMaxPointsPerAdjustment: z.number().int().min(0).max(100_000_000).openapi({ description: 'Most a support operator may adjust at once (default 10,000).' }),
    supportMaxPointsPerDay: z.number().int().min(0).max(1_000_000_000).openapi({ description: 'Most a support operator may adjust per day, credits and debits added (default 50,000).' }),
  })
  .strict();

export const operatorSettingsSchema = operatorSettingsInputSchema
  .extend({ version: z.number().int(), updatedAt: z.string().optional(), updatedBy: z.string().optional() })
  .openapi('OperatorSettings');

export const approvalOperations = {
  listApprovals: operation({
    summary: 'Approval requests by status: pending ones oldest first (the queue), decided ones newest first (operator)',
    tags: ['approvals'],
    query: pageQuerySchema.extend({ status: z.enum(['PENDING', 'APPROVED', 'REJECTED']).default('PENDING') }),
    response: pageOf(approvalSchema).openapi('ApprovalPage'),
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
    body: operatorSettingsInputSchema.extend({ expectedVersion: z.number().int().min(0).max(MAX_VERSION, MAX_VERSION_MESSAGE) }).strict(),
    response: operatorSettingsSchema,
    errors: ['CONFLICT'],
  }),
  setMemberTier: operation({
    summary: "Set a member's tier (operator; audited), on condition that it is still `expectedTier`",
    tags: ['admin'],
    params: z.object({ memberId: idSchema }),
    body: z
      .object({ tier: tierSchema, expectedTier: tierSchema, reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(500) })
      .strict()
      .openapi('TierChange'),
    response: memberSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
};
