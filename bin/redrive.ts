/**
 * Redrives the dead letters of an EventBridge rule target on AWS: reads the
 * rule's DLQ, puts each event back on the bus (the rule matches it again and
 * its target gets it with fresh retries), then deletes the message. Run it
 * once the cause (a supplier down, a bug) is fixed; consumers are idempotent,
 * so an event delivered twice changes nothing twice.
 *
 *   npm run redrive -- --queue https://sqs.<region>.amazonaws.com/<account>/<dlq> --bus points-mall-prod [--max 500]
 *
 * The DLQ of each rule is `<Rule>RuleDeadLetters` in the stack; docs/operations.md lists them.
 */
import { parseArgs } from 'node:util';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redriveRuleDeadLetters } from '../shared/events/redrive.js';

const { values } = parseArgs({
  options: { queue: { type: 'string' }, bus: { type: 'string' }, max: { type: 'string', default: '1000' } },
});
if (!values.queue || !values.bus) {
  console.error('usage: npm run redrive -- --queue <DLQ url> --bus <event bus name> [--max N]');
  process.exit(2);
}
const result = await redriveRuleDeadLetters({
  sqs: new SQSClient({}),
  eventBridge: new EventBridgeClient({}),
  queueUrl: values.queue,
  eventBusName: values.bus,
  max: Number(values.max),
});
console.log(JSON.stringify(result));
process.exit(result.failed > 0 ? 1 : 0);
