/**
 * An operator's run of a job (`POST /v1/admin/jobs/{job}`), audited.
 *
 * A job has no run record of its own: it changes many items over time, each
 * in its own transactions, and resumes where a run stopped. So the audit
 * record is the run's start marker: written (with the claim of the request's
 * Idempotency-Key) in one transaction BEFORE the work, so a run that stops
 * half way still shows who started it and when, and a repeat with the same key
 * answers the first run instead of starting another. The job's own writes then
 * run outside the operator write, exactly as when the scheduler runs it: they
 * are recorded by what they write (ledger entries, statistics), not as this
 * operator's changes.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditItems, outsideOperatorWrite } from '../audit/audit.js';
import { db } from '../table/client.js';

export async function runAsOperatorJob<T>(job: string, asOf: Date, work: () => Promise<T>, now = new Date()): Promise<T> {
  const asOfNow = Math.abs(asOf.getTime() - now.getTime()) < 1_000;
  const marker = auditItems(
    {
      target: `job:${job}`,
      summary: `started job ${job}${asOfNow ? '' : ` as of ${asOf.toISOString()}`}`,
      after: { job, asOf: asOf.toISOString() },
    },
    now,
  );
  // Outside an operator write (tests calling the job directly) there is nothing to record.
  if (marker.length > 0) await db().send(new TransactWriteCommand({ TransactItems: marker }));
  return outsideOperatorWrite(work);
}
