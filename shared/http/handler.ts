import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from '../zod.js';
import { allRoutes, defaultRoute, functions, routeKey, routes, type FunctionName, type RouteSpec } from '../../lib/routes.js';
import type { OperationId, operations } from '../contracts/index.js';
import type { BodyOf, Operation, ParamsOf, QueryOf, ResponseOf } from '../contracts/operation.js';
import { DomainError, ValidationError } from '../errors.js';
import { fingerprintOf, type IdempotencySpec } from '../ledger/idempotency.js';
import type { CommitOutcome } from '../ledger/ledger.js';
import { logger, metrics } from '../observability/powertools.js';
import { DeadlinePassedError, InvocationBudget, runWithinBudget } from '../runtime/deadline.js';
import { admittedClient, authorize, callerOf, type Caller } from './auth.js';
import { runAsOperatorWrite, targetOfPath, type OperatorWrite } from '../audit/audit.js';
import { keyInUse, keyState, storeAnswer } from '../audit/operator-idempotency.js';
import { operatorRule, roleAdmitting, type OperatorRole } from './roles.js';
import { pageRequestOf, type PageRequest } from '../table/cursor.js';
import { parseJsonBody } from './json-body.js';
import { checkLocal } from './member-rate-limit.js';
import { problemFromError, problemOf, problemResponse, zodIssues, type Problem } from './problem.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Largest request body accepted (bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequest<Op extends OperationId> {
  readonly params: ParamsOf<(typeof operations)[Op]>;
  readonly query: QueryOf<(typeof operations)[Op]>;
  readonly body: BodyOf<(typeof operations)[Op]>;
  readonly caller: Caller | undefined;
  /** Idempotency spec for this call when the client sent `Idempotency-Key`. */
  readonly idempotency: IdempotencySpec | undefined;
  readonly route: RouteSpec;
  readonly event: HttpEvent;
  readonly requestId: string;
  /**
   * `?limit=` and `?cursor=` with the scope this request's cursors are bound
   * to (operation, caller, filters): lists take it whole, so none can page
   * without the binding.
   */
  readonly page: PageRequest;
}

/**
 * What an implementation answers: the body (status from the contract) or an explicit status, with response
 * headers of its own where the answer needs them (the API reference page's Content-Security-Policy).
 */
export type HttpAnswer<Op extends OperationId> =
  | ResponseOf<(typeof operations)[Op]>
  | {
      readonly status: number;
      readonly body: ResponseOf<(typeof operations)[Op]>;
      readonly replayed?: boolean;
      readonly headers?: Readonly<Record<string, string>>;
    };

export type Implementations<Ops extends OperationId> = {
  readonly [Op in Ops]: (request: HttpRequest<Op>) => Promise<HttpAnswer<Op>>;
};

/**
 * The contracts a function validates with: exactly the operations it serves. Each handler imports its own
 * contract modules (shared/contracts/<area>.ts), so a function's bundle holds no other operation's schemas.
 */
export type ContractsOf<F extends FunctionName> = { readonly [Op in OperationsOf<F>]: (typeof operations)[Op] };

/** The operations a function serves, per the route table. */
export type OperationsOf<F extends FunctionName> = Extract<
  (typeof routes)[number] | typeof defaultRoute,
  { fn: F }
>['operation'];

/** The HTTP answer of a ledger commit: the stored response, replayed or first. */
export function committedAnswer(outcome: CommitOutcome): { status: number; body: never; replayed: boolean } {
  if (!outcome.response) throw new Error('commit finished without a response to answer');
  return { status: outcome.response.status, body: outcome.response.body as never, replayed: outcome.replayed };
}

const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

function bodyText(event: HttpEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function parsePart<S extends z.ZodMiniType>(schema: S | undefined, value: unknown, where: string): z.output<S> | undefined {
  if (!schema) return undefined;
  let result: z.core.util.SafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // A refinement that throws on a value an earlier check already refused: still the client's input, never a 500.
    logger.warn('validation threw', { where, error: error as Error });
    throw new ValidationError(`${where} is not valid: check each field against the API reference (GET /v1/openapi.json)`, {
      errors: [{ path: where, message: 'not valid' }],
    });
  }
  if (!result.success) {
    const errors = zodIssues(result.error, where);
    throw new ValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  return result.data;
}

function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function isAnswerEnvelope(value: unknown): value is { status: number; body: unknown; replayed?: boolean; headers?: Record<string, string> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    'body' in value &&
    typeof (value as { status: unknown }).status === 'number' &&
    Object.keys(value).every((k) => k === 'status' || k === 'body' || k === 'replayed' || k === 'headers')
  );
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

async function dispatch<F extends FunctionName>(
  fn: F,
  contracts: ContractsOf<F>,
  implementations: Implementations<OperationsOf<F>>,
  event: HttpEvent,
  context: Context,
): Promise<HttpResult> {
  const route = allRoutes.find((r) => r.fn === fn && routeKey(r) === event.routeKey);
  if (!route) throw new DomainError('NOT_FOUND', `no route ${event.routeKey} in function ${fn}`);
  const op = (contracts as Readonly<Record<string, Operation>>)[route.operation] as Operation;
  const caller = authorize(route.auth, callerOf(event), route.operation, route.clientScope);
  const rule = route.auth === 'admin' ? operatorRule(route.operation) : undefined;
  const operatorWrites = rule?.access === 'write';
  if (caller?.subject) logger.appendKeys(route.auth === 'member' ? { memberId: caller.subject } : { caller: caller.subject });
  // Per-member request rate (429 THROTTLED): this instance's count, no table call (shared/http/member-rate-limit.ts).
  if (route.auth === 'member' && caller?.subject) checkLocal(route.operation, caller.subject);

  const raw = bodyText(event);
  // An operation that takes large bodies (a stock feed of 10,000 lines) says so in its contract.
  const maxBodyBytes = op.maxBodyBytes ?? MAX_BODY_BYTES;
  if (raw !== undefined && Buffer.byteLength(raw, 'utf8') > maxBodyBytes) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `request body is over ${maxBodyBytes} bytes`);
  }
  let parsedBody: unknown = undefined;
  if (op.body) {
    if (raw === undefined) {
      parsedBody = {};
    } else {
      const contentType = header(event, 'content-type') ?? 'application/json';
      if (!/^application\/(.+\+)?json\b/i.test(contentType)) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `send the body as application/json, not ${contentType}`);
      }
      // Refuses a `__proto__` key at any depth as well as text that is not JSON (shared/http/json-body.ts).
      parsedBody = parseJsonBody(raw);
    }
  }
  const params = parsePart(op.params, event.pathParameters ?? {}, 'path');
  const query = parsePart(op.query, event.queryStringParameters ?? {}, 'query');
  const body = parsePart(op.body, parsedBody, 'body');

  let idempotency: IdempotencySpec | undefined;
  const key = header(event, 'idempotency-key');
  // Operator writes take a key even where the operation has no idempotency of its own (the audited claim below).
  if (op.idempotency || operatorWrites) {
    if (key === undefined) {
      if (op.idempotency === 'required') {
        throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'this call spends points: send an Idempotency-Key header (8-128 characters, e.g. a UUID)');
      }
    } else {
      if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
        throw new ValidationError('Idempotency-Key must be 8-128 letters, digits, dot, underscore, colon or hyphen');
      }
      idempotency = {
        scope: `${caller?.subject ?? 'anonymous'}:${route.operation}`,
        key,
        fingerprint: fingerprintOf({ route: event.routeKey, params, body }),
      };
    }
  }
  const requestId = event.requestContext.requestId ?? context.awsRequestId;
  const implementation = (implementations as Record<string, (r: unknown) => Promise<unknown>>)[route.operation];
  if (!implementation) throw new Error(`function ${fn} has no implementation of ${route.operation}`);
  const work = () =>
    implementation({
      params: params ?? {},
      query: query ?? {},
      body,
      caller,
      // An operation with idempotency of its own gets the key; other operator writes are claimed below.
      idempotency: op.idempotency ? idempotency : undefined,
      route,
      event,
      requestId,
      page: pageRequestOf({ operation: route.operation, auth: route.auth, subject: caller?.subject, params: params ?? {}, query: query ?? {} }),
    });
  const shape = (answer: unknown) => {
    const envelope = isAnswerEnvelope(answer) ? answer : undefined;
    const status = envelope ? envelope.status : (op.status ?? 200);
    const payload = envelope ? envelope.body : answer;
    const headers: Record<string, string> = { ...envelope?.headers };
    // A page or other non-JSON answer is the implementation's own text, sent as is.
    if (op.contentType !== undefined) {
      if (typeof payload !== 'string') throw new Error(`${route.operation} answers ${op.contentType} but its implementation returned no text`);
      return { status, shaped: payload as unknown, replayed: envelope?.replayed === true, headers };
    }
    // The contract is also the filter: only documented fields leave the function.
    let shaped = payload;
    if (!op.rawResponse) {
      const checked = op.response.safeParse(payload);
      // A response that breaks its own contract is our bug, not the client's: a 500, logged.
      if (!checked.success) throw new Error(`response of ${route.operation} breaks its contract: ${checked.error.message}`);
      shaped = checked.data;
    }
    return { status, shaped, replayed: envelope?.replayed === true, headers };
  };

  let shaped: unknown;
  let status: number;
  let replayed: boolean;
  let headers: Record<string, string>;
  if (operatorWrites && caller) {
    const write: OperatorWrite = {
      operatorId: caller.subject ?? 'unknown',
      // A machine client admitted by its scope (the inventory system) is recorded as that client, never as an admin.
      role: roleAdmitting(route.operation, caller.groups) ?? admittedClient(route.clientScope, caller) ?? ('admin' as OperatorRole),
      operation: route.operation,
      route: routeKey(route),
      path: event.rawPath,
      defaultTarget: targetOfPath(route.path, params ?? {}),
      idempotencyKey: key,
      requestId,
      claim: op.idempotency ? undefined : idempotency,
      recordsBuilt: 0,
    };
    const claim = write.claim;
    if (claim) {
      const state = await keyState(claim);
      if (state.kind === 'answered') return json(state.response.status, state.response.body, { 'idempotent-replayed': 'true' });
      if (state.kind === 'claimed') throw keyInUse();
    }
    let answer: unknown;
    try {
      answer = await runAsOperatorWrite(write, work);
    } catch (error) {
      // A concurrent request with the same key won the claim: this one's transaction was cancelled for it.
      if (claim && !(error instanceof ValidationError)) {
        const state = await keyState(claim).catch(() => undefined);
        if (state?.kind === 'answered') return json(state.response.status, state.response.body, { 'idempotent-replayed': 'true' });
        if (state?.kind === 'claimed' && state.requestId !== requestId) throw keyInUse();
      }
      throw error;
    }
    ({ status, shaped, replayed, headers } = shape(answer));
    // A write that changed nothing (and said so) has no record and wrote no claim to store an answer on.
    if (!replayed && !write.unchanged && write.recordsBuilt === 0 && status < 300) missingAuditRecord(route.operation);
    if (claim && !replayed && !write.unchanged) await storeAnswer(claim, requestId, { status, body: shaped });
  } else {
    ({ status, shaped, replayed, headers } = shape(await work()));
  }
  metrics.addMetric(route.operation, 'Count', 1);
  if (replayed) headers['idempotent-replayed'] = 'true';
  if (op.contentType !== undefined) return { statusCode: status, headers: { 'content-type': op.contentType, ...headers }, body: shaped as string };
  return json(status, shaped, headers);
}

/**
 * An operator write that answered success without building its audit record:
 * a bug in that operation (its change is not in the log). Logged and counted
 * always; under AUDIT_STRICT (the test suite) it fails the request so a test
 * sees it at once.
 */
function missingAuditRecord(operation: string): void {
  metrics.addMetric('AuditRecordMissing', 'Count', 1);
  logger.error('operator write without audit record', { operation });
  if (process.env.AUDIT_STRICT === 'true') throw new Error(`operator write ${operation} answered without an audit record`);
}

/** Kept between an invocation's deadline and its Lambda timeout: time to answer, log and flush metrics. */
export const DEADLINE_MARGIN_MS = 1_000;
/** API Gateway's HTTP API stops waiting for a Lambda integration after 30 s (its maximum, and our integrations' setting). */
export const HTTP_API_INTEGRATION_TIMEOUT_MS = 30_000;
/** What an answer at the deadline puts in Retry-After (seconds): a busy moment passes in about that (outages: 2 s, shared/http/problem.ts). */
export const DEADLINE_RETRY_AFTER_SECONDS = 1;

/**
 * How long an HTTP invocation of `fn` may work, given the Lambda time left:
 * the time left minus DEADLINE_MARGIN_MS, never past the HTTP API's
 * integration timeout, and at most the function's own `answerWithinMs`.
 */
export function workingTimeMs(fn: FunctionName, remainingMs: number): number {
  const cap = functions[fn].answerWithinMs ?? Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(remainingMs - DEADLINE_MARGIN_MS, HTTP_API_INTEGRATION_TIMEOUT_MS - DEADLINE_MARGIN_MS, cap));
}

/** The answer at the deadline: whether the client may simply retry, or must retry with the same key to learn what happened. */
export function deadlineProblem(budget: InvocationBudget): Problem {
  return budget.mayHaveWritten
    ? problemOf(
        'OUTCOME_UNKNOWN',
        'the request ran out of time after its write was sent, so it may have been applied: retry with the same Idempotency-Key, which answers what was done or does it once',
      )
    : problemOf('UNAVAILABLE', 'the service is overloaded and the request ran out of time before anything was written; retry after Retry-After seconds');
}

/** An answer at the deadline says to come back soon (RFC 9110 Retry-After): the request met a busy moment, not an outage. */
function deadlineRetryHeaders(problem: Problem): Record<string, string> {
  return problem.status === 429 || problem.status === 503 ? { 'retry-after': String(DEADLINE_RETRY_AFTER_SECONDS) } : {};
}

function refusal(error: unknown, event: HttpEvent): HttpResult {
  const { problem, unexpected, dependency } = problemFromError(error);
  metrics.addMetric(`Problem${problem.status}`, 'Count', 1);
  if (unexpected) logger.error('unexpected error', { error: error as Error });
  // An outage or overload of DynamoDB is an expected operational event: a warning with what failed, no stack.
  else if (dependency) logger.warn('dependency unavailable', { code: problem.code, status: problem.status, ...dependency });
  else logger.info('request refused', { code: problem.code, status: problem.status });
  // RFC 9110: a 405 names the methods the resource has.
  const allow: Record<string, string> = Array.isArray(problem.allowed) ? { allow: problem.allowed.join(', ') } : {};
  // Retry-After on 429 and 503 from problemResponse (shared/http/problem.ts).
  return problemResponse({ ...problem, instance: event.rawPath }, allow);
}

function deadlineAnswer(budget: InvocationBudget, event: HttpEvent): HttpResult {
  const problem = deadlineProblem(budget);
  metrics.addMetric(`Deadline${problem.code === 'OUTCOME_UNKNOWN' ? 'OutcomeUnknown' : 'Unavailable'}`, 'Count', 1);
  logger.warn('deadline passed', {
    code: problem.code,
    writesInFlight: budget.writesInFlight,
    writesApplied: budget.writesApplied,
    writesUnknown: budget.writesUnknown,
  });
  return problemResponse({ ...problem, instance: event.rawPath }, deadlineRetryHeaders(problem));
}

/**
 * Builds the Lambda handler of one capability: Powertools logging and metrics
 * (X-Ray traces each invocation at the Lambda level); route lookup in the shared route table; auth; body size, JSON and
 * zod validation of path, query and body; idempotency key; problem+json for
 * every error, mapped in shared/http/problem.ts; and a deadline (see
 * `workingTimeMs`): past it the handler answers 503 at once, `UNAVAILABLE` or
 * `OUTCOME_UNKNOWN` (shared/runtime/deadline.ts), never a Lambda timeout.
 */
export function httpHandler<F extends FunctionName>(fn: F, contracts: ContractsOf<F>, implementations: Implementations<OperationsOf<F>>) {
  const missing = allRoutes.filter((r) => r.fn === fn && !(r.operation in implementations && Object.hasOwn(contracts, r.operation)));
  if (missing.length > 0) throw new Error(`function ${fn} lacks implementations or contracts for ${missing.map((r) => r.operation).join(', ')}`);

  // middy's own early timeout is off: it throws past every error handler (a bare 500); the deadline below replaces it.
  return middy<HttpEvent, HttpResult>({ timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics))
    .handler(async (event, context) => {
      logger.appendKeys({ routeKey: event.routeKey, requestId: event.requestContext.requestId });
      const budget = new InvocationBudget(Date.now() + workingTimeMs(fn, context.getRemainingTimeInMillis()));
      // Answers from what was sent before the budget ends (ending it aborts the calls in flight), once.
      const answerAtDeadline = (): HttpResult | undefined => {
        if (budget.expired) return undefined;
        const answer = deadlineAnswer(budget, event);
        budget.expire();
        return answer;
      };
      const work = runWithinBudget(budget, () => dispatch(fn, contracts, implementations, event, context)).catch((error: unknown) => {
        // A call refused at the deadline (before the timer fired), or anything failing after the timer answered.
        if (error instanceof DeadlinePassedError || budget.expired) return answerAtDeadline();
        return refusal(error, event);
      });
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<HttpResult | undefined>((resolve) => {
        timer = setTimeout(() => resolve(answerAtDeadline()), budget.remainingMs());
      });
      try {
        // Whichever settles first holds the answer: the other one then settles with undefined, never earlier.
        const answer = await Promise.race([work, deadline]);
        if (!answer) throw new Error('an invocation settled without an answer');
        return answer;
      } finally {
        clearTimeout(timer);
      }
    });
}
