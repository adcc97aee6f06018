import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

/**
 * Module singletons, as Powertools recommends: one logger, metrics and tracer
 * per process. The service name comes from POWERTOOLS_SERVICE_NAME (set per
 * function by the stack). Locally, metrics and tracing are switched off by the
 * runtime's environment (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_TRACE_ENABLED).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'points-mall' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PointsMall' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'points-mall' });

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
