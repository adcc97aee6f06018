import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Module singletons, as Powertools recommends: one logger, metrics and tracer
 * per process. The service name comes from POWERTOOLS_SERVICE_NAME (set per
 * function by the stack). Locally, metrics and tracing are switched off by the
 * runtime's environment (POWERTOOLS_METRICS_DISABLED, POWERTOOLS_TRACE_ENABLED).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'points-mall' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PointsMall' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'points-mall' });
