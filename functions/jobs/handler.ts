import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { httpHandler } from '../../shared/http/handler.js';
import { runExpiryJob } from '../../shared/jobs/expiry.js';
import { runExpiryReminderJob } from '../../shared/jobs/expiry-reminders.js';
import { runInactivityExpiryJob } from '../../shared/jobs/inactivity-expiry.js';
import { runBirthdaysJob } from '../../shared/jobs/birthdays.js';
import { runTierReview } from '../../shared/jobs/tier-review.js';
import { runPaymentTimeoutJob } from '../../shared/mall/orders.js';
import { runVestPendingJob } from '../../shared/jobs/vest-pending.js';
import { runAuctionSettlementJob } from '../../shared/jobs/auction-settlement.js';
import { runDrawSeedsJob } from '../../shared/jobs/draw-seeds.js';
import { runFlashSaleStockJob } from '../../shared/jobs/flash-sale-stock.js';
import { runStalledWorkJob } from '../../shared/streams/stalled.js';
import { runAsOperatorJob } from '../../shared/jobs/operator-run.js';
import { logger, metricsFlushedAtEnd } from '../../shared/observability/powertools.js';
import type { Context } from 'aws-lambda';
import type { ScheduleName } from '../../lib/routes.js';
import type { HttpEvent } from '../../shared/http/handler.js';
import { jobOperations } from '../../shared/contracts/jobs.js';

export interface ScheduledJobEvent {
  readonly job: ScheduleName;
}

/** Every job by name; the scheduler and POST /v1/admin/jobs/{job} run the same code. */
export const jobs: Record<ScheduleName, (now: Date, deadline: number) => Promise<Record<string, number>>> = {
  expiry: (now, deadline) => runExpiryJob({ now, deadline }),
  'tier-review': (now, deadline) => runTierReview({ now, deadline }),
  birthdays: (now, deadline) => runBirthdaysJob({ now, deadline }),
  'expiry-reminders': (now, deadline) => runExpiryReminderJob({ now, deadline }),
  'payment-timeouts': (now, deadline) => runPaymentTimeoutJob({ now, deadline }),
  'vest-pending': (now, deadline) => runVestPendingJob({ now, deadline }),
  'inactivity-expiry': (now, deadline) => runInactivityExpiryJob({ now, deadline }),
  'auction-settlement': (now, deadline) => runAuctionSettlementJob({ now, deadline }),
  'draw-seeds': (now, deadline) => runDrawSeedsJob({ now, deadline }),
  'flash-sale-stock': (now, deadline) => runFlashSaleStockJob({ now, deadline }),
  'stalled-work': (now, deadline) => runStalledWorkJob({ now, deadline }),
};

/** An HTTP call must answer within API Gateway's 30 s; the jobs resume where they stopped. */
const HTTP_BUDGET_MS = 20_000;
/** Margin kept before the Lambda timeout on scheduled runs. */
const SCHEDULED_MARGIN_MS = 30_000;

async function runJob(job: ScheduleName, now: Date, deadline: number) {
  const startedAt = new Date().toISOString();
  const stats = await jobs[job](now, deadline);
  const result = { job, startedAt, finishedAt: new Date().toISOString(), stats };
  logger.info('job finished', result);
  return result;
}

/** HTTP: an operator runs a job now (optionally as of `?at=`); the audit record marks the run's start (shared/jobs/operator-run.ts). */
const httpPart = httpHandler('jobs', jobOperations, {
  runJob: async ({ params, query }) => {
    const asOf = query.at ? new Date(query.at) : new Date();
    const deadline = Date.now() + HTTP_BUDGET_MS;
    return runAsOperatorJob(params.job, asOf, () => runJob(params.job, asOf, deadline));
  },
});

/** EventBridge Scheduler target: the schedule passes `{ "job": "expiry" }`. */
const scheduledPart = middy<ScheduledJobEvent, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Publishes this invocation's metrics when it ends (the HTTP parts do the same through httpHandler).
  .use(metricsFlushedAtEnd())
  .handler(async (event, context) => {
    // Own keys only: `'constructor' in jobs` is true for a plain object.
    if (!Object.hasOwn(jobs, event.job)) throw new Error(`unknown job ${String(event.job)}`);
    return runJob(event.job, new Date(), Date.now() + context.getRemainingTimeInMillis() - SCHEDULED_MARGIN_MS);
  });

/** One function, two callers: API Gateway (an HTTP event) and EventBridge Scheduler (`{ job }`). */
export async function handler(event: HttpEvent | ScheduledJobEvent, context: Context): Promise<unknown> {
  return 'routeKey' in event ? httpPart(event, context) : scheduledPart(event, context);
}
