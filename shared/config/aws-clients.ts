/**
 * Time limits of every AWS SDK client the functions create (DynamoDB,
 * EventBridge, Secrets Manager). Without them the SDK waits for a socket
 * forever: an unreachable dependency would hold a request until Lambda kills
 * the function, and the client would see a gateway error instead of a 503.
 *
 * Defaults, for a function timeout of 10 s (lib/routes.ts): a connection within
 * 1 s (same-region endpoints connect in a few ms), an answer within 2 s per
 * attempt (DynamoDB answers in milliseconds; a transaction of 100 items in well
 * under a second), 3 attempts. Worst case per call: 3 x 2 s + the SDK's backoff
 * between them (at most 0.2 + 0.4 s) = 6.6 s, so a handler whose call hangs
 * answers a 503 before its Lambda timeout. Throttled attempts are answered at
 * once but back off longer (at most 1 + 2 s).
 */

export interface AwsCallLimits {
  /** Milliseconds to establish a connection (nothing was sent when this expires). */
  readonly connectTimeoutMs: number;
  /** Milliseconds for one attempt, request and response (the request may have been applied when this expires). */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included (the SDK retries throttling, server faults and transport errors). */
  readonly maxAttempts: number;
}

export const DEFAULT_AWS_CALL_LIMITS: AwsCallLimits = { connectTimeoutMs: 1000, requestTimeoutMs: 2000, maxAttempts: 3 };

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`environment variable ${name} must be a positive number, not ${raw}`);
  return value;
}

/**
 * The limits in force, read when a client is created. `SDK_CONNECT_TIMEOUT_MS`,
 * `SDK_REQUEST_TIMEOUT_MS` and `SDK_MAX_ATTEMPTS` override them (the fault test
 * sets short ones). `LOCAL_SDK_TIMEOUT_SCALE`, set by the test suite only
 * (test/support/env.ts), stretches the default timeouts: there one DynamoDB
 * Local serves the concurrency tests of several files at once, so its answers
 * take far longer than DynamoDB's. `npm start` and the benchmarks use the defaults.
 */
export function awsCallLimits(): AwsCallLimits {
  const scale = Number(process.env.LOCAL_SDK_TIMEOUT_SCALE ?? 1);
  const stretch = Number.isFinite(scale) && scale > 1 ? scale : 1;
  return {
    connectTimeoutMs: positive('SDK_CONNECT_TIMEOUT_MS', DEFAULT_AWS_CALL_LIMITS.connectTimeoutMs * stretch),
    requestTimeoutMs: positive('SDK_REQUEST_TIMEOUT_MS', DEFAULT_AWS_CALL_LIMITS.requestTimeoutMs * stretch),
    maxAttempts: Math.floor(positive('SDK_MAX_ATTEMPTS', DEFAULT_AWS_CALL_LIMITS.maxAttempts)),
  };
}

/**
 * Constructor options for an AWS SDK v3 client with these limits:
 * `connectionTimeout` and `requestTimeout` of @smithy/node-http-handler, and
 * `throwOnRequestTimeout` (without it a breached requestTimeout is only a
 * logged warning and the call keeps waiting). `httpAgent` options pass through
 * (the local endpoint is plain http).
 */
export function awsClientOptions(
  limits: AwsCallLimits = awsCallLimits(),
  httpAgent?: { keepAlive?: boolean; maxSockets?: number },
) {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
      ...(httpAgent ? { httpAgent } : {}),
    },
  };
}
