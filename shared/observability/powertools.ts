import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

/**
 * Keys whose values never reach a log line, wherever they sit in a logged
 * object: credentials (bearer tokens, signatures, payment codes) and personal
 * fields. A second line of defence: nothing logs them on purpose
 * (test/integration/log-privacy.test.ts runs flows at debug level and searches the output).
 */
export const REDACTED_LOG_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'token',
  'accesstoken',
  'idtoken',
  'refreshtoken',
  'x-signature',
  'signature',
  'paymentcode',
  'birthday',
  'password',
  'secret',
]);

/** The logger's JSON replacer: redacts the values of REDACTED_LOG_KEYS (any case). */
export function redactLogValue(key: string, value: unknown): unknown {
  return key !== '' && REDACTED_LOG_KEYS.has(key.toLowerCase()) && value !== undefined && value !== null ? '[redacted]' : value;
}

/**
 * Module singletons, as Powertools recommends: one logger and one metrics
 * buffer per process. The service name comes from POWERTOOLS_SERVICE_NAME (set
 * per function by the stack). Locally, metrics are switched off by the
 * runtime's environment (POWERTOOLS_METRICS_DISABLED).
 *
 * No Powertools tracer: X-Ray's active tracing on each function records every
 * invocation (its init, invocation and overhead segments) without code, and
 * the tracer would add the X-Ray SDK with its dependencies (about 110 KB
 * minified, docs/benchmarks.md) to every cold start for one handler
 * subsegment, as the SDK clients were never instrumented.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'points-mall', jsonReplacerFn: redactLogValue });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PointsMall' });

/** Writes the metrics buffered so far (EMF on stdout), if there are any. */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * Middy middleware for the handlers that are not HTTP (scheduled jobs, stream
 * batches, bus events): publishes what the invocation buffered when it ends,
 * returned or thrown, so a job's figures never wait for the next HTTP call of
 * the same instance (which may never come). Unlike Powertools' `logMetrics` it
 * stays silent when nothing was buffered: an outbox batch or an idle
 * every-minute job adds no metric, and a warning per invocation would be noise.
 */
export function metricsFlushedAtEnd<TEvent, TResult>(): MiddlewareObj<TEvent, TResult> {
  return { after: flushMetrics, onError: flushMetrics };
}
