/**
 * The local stand-in for Lambda's DynamoDB stream event source mappings: it
 * reads the real stream of DynamoDB Local (DescribeStream, GetShardIterator,
 * GetRecords), applies each consumer's filter from lib/routes.ts and invokes
 * the consumer's handler with batches shaped like Lambda's. A batch that fails
 * is delivered again from the same position, as Lambda retries it.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { streamConsumers, streamRecordMatches, type StreamConsumerSpec } from '../../lib/routes.js';
import { lambdaContext, loadHandler } from './gateway.js';

interface ShardState {
  iterator: string | undefined;
  /** Last record delivered to every consumer. */
  lastSequence: string | undefined;
  closed: boolean;
}

/** Lambda's record shape from the SDK's (creation time in epoch seconds instead of a Date). */
function lambdaRecord(record: SdkStreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {};
  return {
    ...(record as unknown as DynamoDBRecord),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(rest as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}),
    },
  };
}

export interface LocalStreamsOptions {
  readonly endpoint: string;
  readonly tableName: string;
  /** Defaults to every consumer of lib/routes.ts. */
  readonly consumers?: readonly StreamConsumerSpec[];
  /** Called with a consumer's failure (the batch is retried on the next poll). */
  readonly onError?: (consumer: string, error: unknown) => void;
}

export class LocalStreams {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private readonly shards = new Map<string, ShardState>();
  private readonly consumers: readonly StreamConsumerSpec[];
  private streamArn: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<number> | undefined;

  constructor(private readonly options: LocalStreamsOptions) {
    const client = { endpoint: options.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = new DynamoDBStreamsClient(client);
    this.dynamo = new DynamoDBClient(client);
    this.consumers = options.consumers ?? streamConsumers;
  }

  /** Polls every `intervalMs` until `stop()`. */
  start(intervalMs = 1000): void {
    const tick = () => {
      void this.poll()
        .catch((error: unknown) => {
          // A poll cut short by stop() (DynamoDB Local going away) is not worth reporting.
          if (this.timer) this.options.onError?.('streams', error);
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.streams.destroy();
    this.dynamo.destroy();
  }

  /** Delivers everything on the stream so far; resolves with the number of records read. For tests and on-demand runs. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const read = await this.poll();
      total += read;
      if (read === 0) return total;
    }
  }

  /** One pass over every shard (one poll at a time). */
  poll(): Promise<number> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<number> {
    const streamArn = await this.arn();
    await this.discoverShards(streamArn);
    let read = 0;
    for (const [shardId, state] of this.shards) {
      if (state.closed) continue;
      state.iterator ??= await this.iteratorFor(streamArn, shardId, state.lastSequence);
      if (!state.iterator) {
        state.closed = true;
        continue;
      }
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
      const records = (page.Records ?? []).map((r) => lambdaRecord(r, streamArn));
      if (records.length > 0) {
        const delivered = await this.deliver(records);
        if (!delivered) {
          // Read the same records again next time, like a Lambda retry.
          state.iterator = undefined;
          continue;
        }
        state.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? state.lastSequence;
        read += records.length;
      }
      state.iterator = page.NextShardIterator;
      if (!state.iterator) state.closed = true;
    }
    return read;
  }

  private async deliver(records: DynamoDBRecord[]): Promise<boolean> {
    let ok = true;
    for (const consumer of this.consumers) {
      const matching = records.filter((r) => streamRecordMatches(consumer, r));
      for (let i = 0; i < matching.length; i += consumer.batchSize) {
        const event: DynamoDBStreamEvent = { Records: matching.slice(i, i + consumer.batchSize) };
        try {
          const handler = await loadHandler(consumer.fn);
          const result = (await handler(event, lambdaContext(consumer.fn))) as { batchItemFailures?: unknown[] } | undefined;
          // A partial batch response: Lambda retries from the first failed record; locally the page is read again
          // (consumers are idempotent, the outbox delivers at least once).
          if (consumer.partialBatchResponse && (result?.batchItemFailures?.length ?? 0) > 0) {
            throw new Error(`${result?.batchItemFailures?.length} records failed`);
          }
        } catch (error) {
          ok = false;
          this.options.onError?.(consumer.name, error);
          break;
        }
      }
    }
    return ok;
  }

  private async arn(): Promise<string> {
    if (!this.streamArn) {
      const table = await this.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }));
      this.streamArn = table.Table?.LatestStreamArn;
      if (!this.streamArn) throw new Error(`table ${this.options.tableName} has no stream`);
    }
    return this.streamArn;
  }

  private async discoverShards(streamArn: string): Promise<void> {
    let start: string | undefined;
    do {
      const described = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of described.StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId)) this.shards.set(shard.ShardId, { iterator: undefined, lastSequence: undefined, closed: false });
      }
      start = described.StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  private async iteratorFor(streamArn: string, shardId: string, after: string | undefined): Promise<string | undefined> {
    const result = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return result.ShardIterator;
  }
}
