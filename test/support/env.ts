import { inject } from 'vitest';

// Every worker talks to the run's DynamoDB Local; quiet logs, no metrics or tracing.
process.env.TABLE_NAME = inject('tableName');
process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// List cursors are sealed with this key (on AWS: the cursor key secret).
process.env.CURSOR_KEY = 'test-cursor-key-0123456789abcdefghijklmnopqrstuvwxyz';
// The concurrency tests run hundreds of requests in one process beside other test files on one DynamoDB Local, so one
// call can wait seconds for the emulator's locks: the SDK's per-attempt timeouts (2 s) are stretched here, and only
// here (shared/config/aws-clients.ts). The functions' deadlines are not: they apply as on npm start.
process.env.LOCAL_SDK_TIMEOUT_SCALE ??= '20';
// The per-member rates of orders, bids and spins (5 a second by default, shared/http/member-rate-limit.ts) are far
// above what the concurrency tests fire at once for one member: they test races, not the limits
// (member-rate-limit.test.ts does).
for (const name of ['MEMBER_RATE_LIMIT_PLACE_ORDER', 'MEMBER_RATE_LIMIT_PLACE_BID', 'MEMBER_RATE_LIMIT_SPIN_DRAW']) process.env[name] ??= '100000';
// An operator write that answers success without its audit record fails the request (shared/http/handler.ts).
process.env.AUDIT_STRICT = 'true';

// No test reaches AWS: events go to an in-memory sink unless a test installs its own.
const { useLocalEventSink } = await import('../../shared/events/publisher.js');
useLocalEventSink(async () => undefined);
