/**
 * The operators' earning routes: the rules, previews of a purchase under them
 * (or under drafts), and the review of large POS purchases. Served by the
 * `campaigns` function, so the POS path (`earning`) carries none of them.
 */
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';
import { tiers } from '../domain/tiers.js';
import { campaignInputSchema } from './campaigns.js';
import { breakdownSchema, purchaseLineSchema } from './purchase-lines.js';
import { earningRulesBodySchema, earningRulesSchema } from './earning-rules.js';

export const reviewStatuses = ['PENDING', 'APPROVED', 'REJECTED'] as const;

export const purchaseReviewSchema = doc(z.object({
  purchaseId: z.string(),
  memberId: z.string(),
  storeId: z.string(),
  paidAt: z.string(),
  recordedAt: z.string(),
  amountCents: z.number().check(z.int()),
  refundedCents: z.number().check(z.int()),
  pointsEarned: doc(z.number().check(z.int()), { description: 'What the purchase earned; pending while under review (refunds cancel their share).' }),
  reviewStatus: z.enum(reviewStatuses),
  reviewReason: doc(z.string(), { description: 'Why the purchase was held for review.' }),
  decidedBy: doc(z.optional(z.string()), { description: "The operator's subject who approved or rejected it." }),
  decidedAt: z.optional(z.string()),
  decisionReason: z.optional(z.string()),
  pointsReleased: doc(z.optional(z.number().check(z.int())), {
    description: 'Approved: points made available at once (0 while the return window still runs: they then vest with it).',
  }),
  pointsVoided: doc(z.optional(z.number().check(z.int())), { description: 'Rejected: pending points cancelled.' }),
}), 'PurchaseReview');

export const earningAdminOperations = {
  getEarningRules: operation({
    summary: 'The earning rules in force (operator)',
    tags: ['earning'],
    response: earningRulesSchema,
  }),
  listEarningRuleVersions: operation({
    summary: 'Every saved version of the earning rules, newest first (operator): the history a diff is taken against',
    tags: ['earning'],
    query: pageQuerySchema,
    response: doc(pageOf(earningRulesSchema), 'EarningRulesVersionPage'),
  }),
  putEarningRules: operation({
    summary: 'Replace the earning rules (operator); takes effect without a deploy, versioned',
    description: 'Send `expectedVersion` (the version you read) to refuse the change if someone else changed the rules meanwhile.',
    tags: ['earning'],
    body: doc(docExtend(earningRulesBodySchema, { expectedVersion: z.number().check(z.int(), z.gte(0), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)) }), 'EarningRulesUpdate'),
    response: earningRulesSchema,
    errors: ['CONFLICT'],
  }),
  previewEarning: operation({
    summary: 'What a purchase would earn now or at a given time, with the breakdown; also under an unsaved change of the rules or an unsaved campaign (operator)',
    description:
      'Writes nothing; campaign budgets, per-member caps and daily caps are not checked. With `draftRules` and/or `draftCampaign` the answer ' +
      'also has `current` (the rules and campaigns in force, the same figures as the top-level `points` and `breakdown`) and `draft` ' +
      '(the draft rules in place of the rules in force, the draft campaign beside the campaigns running at `at`).',
    tags: ['earning'],
    body: doc(z.strictObject({
      tier: z._default(z.enum(tiers), 'normal'),
      memberId: doc(z.optional(idSchema), { description: 'Use this member (tier, audience) instead of `tier`.' }),
      at: z.optional(z.iso.datetime()),
      lines: z.array(purchaseLineSchema).check(z.minLength(1), z.maxLength(500)),
      draftRules: doc(z.optional(earningRulesBodySchema), {
        description: 'An unsaved earning-rules document, whole, as PUT /v1/admin/earning-rules takes it (without expectedVersion).',
      }),
      draftCampaign: doc(z.optional(campaignInputSchema), {
        description: 'An unsaved campaign, as POST /v1/admin/campaigns takes it; it counts when it runs at `at` and its audience includes the member.',
      }),
    }), 'EarningPreviewRequest'),
    response: doc(z.object({
      points: z.number().check(z.int()),
      breakdown: breakdownSchema,
      rulesVersion: z.number().check(z.int()),
      at: z.string(),
      current: doc(z.optional(z.object({ points: z.number().check(z.int()), breakdown: breakdownSchema })), { description: 'With a draft: what the purchase earns under the rules and campaigns in force.' }),
      draft: doc(z.optional(z.object({
        points: z.number().check(z.int()),
        breakdown: doc(breakdownSchema, { description: 'The draft campaign is the line `campaign:draft`.' }),
        differencePoints: doc(z.number().check(z.int()), { description: 'draft.points - current.points.' }),
        draftCampaignApplies: doc(z.optional(z.boolean()), { description: 'With a draft campaign: whether it runs at `at` for this member.' }),
      })), { description: 'With a draft: what the purchase would earn with it.' }),
    }), 'EarningPreview'),
    errors: ['NOT_FOUND'],
  }),
  listPurchaseReviews: operation({
    summary: 'POS purchases waiting for review, oldest first (operator)',
    description: 'Purchases above the review threshold of the earning rules (posLimits). Their points are pending until approved or rejected.',
    tags: ['pos'],
    query: pageQuerySchema,
    response: doc(pageOf(purchaseReviewSchema), 'PurchaseReviewPage'),
  }),
  approvePurchaseReview: operation({
    summary: "Approve a purchase's points (operator); once only, a repeat answers the decision",
    description:
      'Points become available at once, or, while the return window of the purchase still runs, stay pending until it ends. ' +
      'One transaction with the ledger move and the decision (operator, time, reason). 409 CONFLICT if the purchase was rejected.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: doc(z.strictObject({ reason: z.optional(z.string().check(z.trim(), z.maxLength(500))) }), 'PurchaseApproval'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  rejectPurchaseReview: operation({
    summary: "Reject a purchase's points (operator); once only, a repeat answers the decision",
    description: 'The pending points are cancelled (VOID) in one transaction with the decision. 409 CONFLICT if the purchase was approved.',
    tags: ['pos'],
    params: z.object({ purchaseId: idSchema }),
    body: doc(z.strictObject({ reason: z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters: it is kept with the decision'), z.maxLength(500)) }), 'PurchaseRejection'),
    response: purchaseReviewSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
};
