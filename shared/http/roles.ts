/**
 * Operator roles and the one table of who may call which operator route.
 *
 * An operator token carries its roles as Cognito groups (`cognito:groups`).
 * The route table (lib/routes.ts) marks operator routes `auth: 'admin'`; this
 * table says which roles each of them admits, so the handler refuses any other
 * with 403 naming the roles needed. docs/api.md "Operator roles" prints the same
 * table, and test/integration/operator-roles.test.ts walks it.
 */
import type { routes } from '../../lib/routes.js';

export const OPERATOR_ROLES = ['admin', 'marketer', 'support', 'analyst'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** Every operation served on an operator route. */
export type OperatorOperation = Extract<(typeof routes)[number], { auth: 'admin' }>['operation'];

/** Whether an operator operation changes something (and so is audited) or only reads. */
export type OperatorAccess = 'read' | 'write';

export interface OperatorRule {
  readonly roles: readonly OperatorRole[];
  readonly access: OperatorAccess;
}

const everyone: readonly OperatorRole[] = ['admin', 'marketer', 'support', 'analyst'];
const marketing: readonly OperatorRole[] = ['admin', 'marketer'];
const service: readonly OperatorRole[] = ['admin', 'support'];
const adminOnly: readonly OperatorRole[] = ['admin'];

const read = (roles: readonly OperatorRole[] = everyone): OperatorRule => ({ roles, access: 'read' });
const write = (roles: OperatorRule['roles']): OperatorRule => ({ roles, access: 'write' });

/**
 * Reads are open to every operator role (analysts read everything: reports,
 * stats, lists). Writes: marketers run the programme's offers (rules,
 * campaigns, pools, tasks, mall, coupons, auctions, draws); support serves
 * members (adjustments within limits, tier changes, order cancellations,
 * purchase reviews); the store registry, erasure and job runs are the admin's.
 * `admin` may do everything.
 */
export const operatorRules: { readonly [Op in OperatorOperation]: OperatorRule } = {
  searchMembers: read(),
  getMember: read(),
  listMemberLedger: read(),
  listMemberOrders: read(),
  listMemberCoupons: read(),
  listMemberTaskCompletions: read(),
  listMemberBids: read(),
  listMemberSpins: read(),
  eraseMember: write(adminOnly),
  adjustMemberPoints: write(service),
  runJob: write(adminOnly),
  setMemberTier: write(service),
  listApprovals: read(),
  getApproval: read(),
  approveApproval: write(service),
  rejectApproval: write(service),
  getOperatorSettings: read(),
  putOperatorSettings: write(adminOnly),

  getEarningRules: read(),
  listEarningRuleVersions: read(),
  putEarningRules: write(marketing),
  // Computes, writes nothing: a read for every role.
  previewEarning: read(),
  createStore: write(adminOnly),
  listStores: read(),
  getStore: read(),
  updateStore: write(adminOnly),
  listPurchaseReviews: read(),
  approvePurchaseReview: write(service),
  rejectPurchaseReview: write(service),

  createCampaign: write(marketing),
  listCampaigns: read(),
  getCampaign: read(),
  updateCampaign: write(marketing),
  campaignStats: read(),
  createPool: write(marketing),
  listPools: read(),
  getPool: read(),

  pointsReport: read(),
  listAudit: read(),
  pointsDailyReport: read(),
  campaignReport: read(),
  expiryForecast: read(),
  dashboard: read(),
  // A replay writes only its own item (no programme change), but it is the marketers' tool and costs reads: not for analysts.
  createWhatIfReplay: write(marketing),
  listWhatIfReplays: read(),
  getWhatIfReplay: read(),

  createProduct: write(marketing),
  getProductAdmin: read(),
  updateProduct: write(marketing),
  setStock: write(marketing),
  rebalanceStock: write(marketing),
  uploadProductCodes: write(marketing),
  // As setting one product's stock; the inventory system's client is admitted by its scope (lib/routes.ts clientScope).
  submitStockFeed: write(marketing),
  getStockFeed: read(),
  createCouponTemplate: write(marketing),
  getCouponTemplate: read(),
  listProductsAdmin: read(),
  getSaleMonitor: read(),
  listCouponTemplates: read(),

  getOrderAdmin: read(),
  cancelOrderAdmin: write(service),
  listOrdersAdmin: read(),
  // Gives points and cash back for a delivered or failed order: support serves members, as with cancellations.
  refundOrderAdmin: write(service),

  createTask: write(marketing),
  listTasks: read(),
  getTask: read(),
  updateTask: write(marketing),

  createAuction: write(marketing),
  listAuctionsAdmin: read(),
  getAuctionAdmin: read(),
  updateAuction: write(marketing),
  cancelAuction: write(marketing),

  createDraw: write(marketing),
  getDrawAdmin: read(),
  updateDraw: write(marketing),

  // Dead letters and fulfilment problems: support and admins act on them.
  listDeadLetters: read(),
  getDeadLetter: read(),
  redriveDeadLetter: write(service),
  redriveDeadLetters: write(service),
  discardDeadLetter: write(service),
  listFulfilmentProblems: read(),
  listDrawsAdmin: read(),
  replaceDrawPrizes: write(marketing),
  listDrawSeedsAdmin: read(),
  listAuctionBids: read(),
};

export function operatorRule(operation: string): OperatorRule | undefined {
  return Object.hasOwn(operatorRules, operation) ? operatorRules[operation as OperatorOperation] : undefined;
}

/** The roles of a caller's groups, strongest first (admin, marketer, support, analyst). */
export function rolesOf(groups: readonly string[]): OperatorRole[] {
  return OPERATOR_ROLES.filter((role) => groups.includes(role));
}

/** The caller's role that admits the operation (the strongest), or undefined. */
export function roleAdmitting(operation: string, groups: readonly string[]): OperatorRole | undefined {
  const rule = operatorRule(operation);
  if (!rule) return undefined;
  return rolesOf(groups).find((role) => rule.roles.includes(role));
}
