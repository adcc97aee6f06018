import { Duration, Validations } from 'aws-cdk-lib';
import { ComparisonOperator, TreatMissingData, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PointsMallAlarms } from './points-mall-alarms.js';

export interface DeadLetterQueueProps {
  /** What lands here, for the alarm description (`async invocations of members`). */
  readonly purpose: string;
  /** The stack's alarms: the queue's alarm is made there, so it notifies the alarm topic like every other. */
  readonly alarms: PointsMallAlarms;
  /**
   * Set when the queue is a DLQ of something cdk-nag cannot see (an EventBridge
   * rule target, a Scheduler target): it only recognises queues named in another
   * queue's redrive policy or a function's DeadLetterConfig.
   */
  readonly usedBy?: 'event-rule' | 'schedule' | 'event-source-mapping';
}

/**
 * A dead-letter queue with its alarm: encrypted, TLS only, 14 days to look at
 * what failed, and an alarm as soon as one message is visible. Every DLQ of the
 * stack is one of these, so none is left without an alarm.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.alarm = props.alarms.add(this, 'Alarm', {
      name: `dlq-${id}`,
      description: `Dead letters: ${props.purpose}. Inspect the messages, fix the cause, then redrive or purge.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    if (props.usedBy) {
      Validations.of(this.queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is itself the dead-letter queue of ${
          { 'event-rule': 'an EventBridge rule target', schedule: 'an EventBridge Scheduler target', 'event-source-mapping': 'a Lambda stream event source mapping (on-failure destination)' }[
            props.usedBy
          ]
        }; cdk-nag only recognises DLQs referenced by a redrive policy or a Lambda DeadLetterConfig.`,
      });
    }
  }
}
