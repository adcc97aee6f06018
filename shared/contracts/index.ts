import { auctionOperations } from './auctions.js';
import { auditOperations } from './audit.js';
import { approvalOperations } from './approvals.js';
import { campaignOperations } from './campaigns.js';
import { couponOperations } from './coupons.js';
import { deadLetterOperations } from './dead-letters.js';
import { drawOperations } from './draws.js';
import { earningOperations } from './earning.js';
import { earningAdminOperations } from './earning-admin.js';
import { jobOperations } from './jobs.js';
import { memberOperations } from './members.js';
import { mallOperations } from './mall.js';
import { orderAdminOperations } from './orders-admin.js';
import { webhookOperations } from './webhooks.js';
import { poolOperations } from './pools.js';
import { purchaseBatchOperations } from './purchase-batches.js';
import { reportOperations } from './reports.js';
import { stockFeedOperations } from './stock-feeds.js';
import { storeOperations } from './stores.js';
import { systemOperations } from './system.js';
import { taskOperations } from './tasks.js';
import { whatIfOperations } from './what-if.js';

/** Every API operation by id; the route table (lib/routes.ts) refers to these ids. */
export const operations = {
  ...systemOperations,
  ...memberOperations,
  ...jobOperations,
  ...earningOperations,
  ...earningAdminOperations,
  ...purchaseBatchOperations,
  ...whatIfOperations,
  ...storeOperations,
  ...campaignOperations,
  ...poolOperations,
  ...reportOperations,
  ...mallOperations,
  ...stockFeedOperations,
  ...webhookOperations,
  ...couponOperations,
  ...taskOperations,
  ...auctionOperations,
  ...drawOperations,
  ...auditOperations,
  ...approvalOperations,
  ...deadLetterOperations,
  ...orderAdminOperations,
};

export type OperationId = keyof typeof operations;
