import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { redriveRuleDeadLetters } from '../../shared/events/redrive.js';

// No local SQS or EventBridge exists here: the AWS clients are mocked (the local bus has its own redrive, tested with it).
describe('redriving a rule DLQ on AWS', () => {
  it('puts each dead event back on the bus and deletes only the messages whose event was accepted', async () => {
    const sqs = mockClient(SQSClient);
    const bus = mockClient(EventBridgeClient);
    const event = (n: number) => JSON.stringify({ source: 'points-mall', 'detail-type': 'OrderPlaced', detail: { orderId: `o-${n}` } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm1', ReceiptHandle: 'r1', Body: event(1) },
          { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'not json' },
          { MessageId: 'm3', ReceiptHandle: 'r3', Body: event(3) },
        ],
      })
      .resolves({ Messages: [] });
    bus.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] }).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    const result = await redriveRuleDeadLetters({ sqs: new SQSClient({ region: 'us-east-1' }), eventBridge: new EventBridgeClient({ region: 'us-east-1' }), queueUrl: 'q', eventBusName: 'points-mall-test', max: 100 });

    expect(result).toEqual({ redriven: 1, skipped: 1, failed: 1 });
    expect(bus.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({ EventBusName: 'points-mall-test', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-1"}' });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle)).toEqual(['r1']);
  });
});
