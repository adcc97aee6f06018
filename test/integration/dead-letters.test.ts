/**
 * Dead letters and fulfilment problems through the API, on a table of this
 * file's own (so the open counter and the lists hold only this file's items):
 * reading, redriving (one, in bulk) and discarding, roles, the audit records,
 * the outbox event a redrive writes, the dashboard's count, and the messages
 * of the AWS dead-letter queues as the outbox function records them.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { recordQueuedDeadLetters } from '../../shared/events/dead-letter-queues.js';
import { recordDeadLetter, type FailedEvent } from '../../shared/events/dead-letters.js';
import { db } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';

const tableName = `points-mall-dead-letters-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

let api: TestApi;
const tokens: Record<'admin' | 'marketer' | 'support' | 'analyst', string> = { admin: '', marketer: '', support: '', analyst: '' };

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  for (const role of ['admin', 'marketer', 'support', 'analyst'] as const) tokens[role] = await api.operatorToken(role, uniqueId(`op-${role}`));
});

interface Letter {
  deadLetterId: string;
  status: string;
  source: string;
  target: string;
  detailType: string | null;
  orderId: string | null;
  error: string;
  attempts: number;
  payload: string;
  redrivable: boolean;
  redriveEventId?: string;
  redrivenBy?: string;
  discardReason?: string;
}

interface AuditRecord {
  operatorId: string;
  operation: string;
  target: string;
  summary?: string;
}

function jdPlaced(orderId = uniqueId('o-dl')): FailedEvent {
  return {
    detailType: 'OrderPlaced',
    detail: {
      orderId,
      memberId: 'm-dl',
      productId: 'p-dl',
      productType: 'SUPPLIER',
      quantity: 1,
      payment: 'POINTS',
      points: 100,
      cashCents: 0,
      status: 'PLACED',
      supplier: { supplierId: 'jd', sku: 'JD-1' },
      eventId: ulid(),
      version: 1,
      occurredAt: new Date().toISOString(),
    },
  };
}

async function letter(event: FailedEvent | null = jdPlaced(), failedAt = new Date()): Promise<string> {
  const { deadLetterId } = await recordDeadLetter({ target: 'supplier-jd-placed', event, error: 'SupplierUnavailableError: jd is unavailable: HTTP 503', attempts: 3, payload: event ?? 'not json', failedAt });
  return deadLetterId;
}

const call = <T = Letter>(role: keyof typeof tokens, method: string, path: string, body?: unknown) =>
  api.call<T>(method, path, { token: tokens[role], ...(body === undefined ? {} : { body }), headers: { 'idempotency-key': ulid() } });

async function auditOf(target: string): Promise<AuditRecord[]> {
  const res = await api.call<{ items: AuditRecord[] }>('GET', `/v1/admin/audit?target=${encodeURIComponent(target)}`, { token: tokens.admin });
  return res.body.items;
}

async function openCount(): Promise<number> {
  const res = await api.call<{ attention: { deadLetters: number } }>('GET', '/v1/admin/dashboard', { token: tokens.analyst });
  expect(res.status, res.text).toBe(200);
  return res.body.attention.deadLetters;
}

describe('dead letters', () => {
  it('lists open ones newest first, filters by source and status, reads one, and answers 404 for an unknown id', async () => {
    // Prepare
    const older = await letter(jdPlaced(), new Date(Date.now() - 60_000));
    const newer = await letter();
    const callback = await letter({ detailType: 'SupplierCallbackReceived', detail: { sender: 'jd', messageId: 'x', orderId: 'o-x', status: 'ACCEPTED' } });
    // Act
    const all = await call<{ items: Letter[] }>('analyst', 'GET', '/v1/admin/dead-letters');
    const fulfilment = await call<{ items: Letter[] }>('marketer', 'GET', '/v1/admin/dead-letters?source=fulfilment&limit=1');
    const one = await call('analyst', 'GET', `/v1/admin/dead-letters/${older}`);
    const redriven = await call<{ items: Letter[] }>('analyst', 'GET', '/v1/admin/dead-letters?status=REDRIVEN');
    // Assess
    expect(all.body.items.map((l) => l.deadLetterId).slice(0, 3)).toEqual([callback, newer, older]);
    expect(fulfilment.body.items.map((l) => l.deadLetterId)).toEqual([newer]);
    expect(one.body).toMatchObject({ deadLetterId: older, status: 'OPEN', source: 'fulfilment', target: 'supplier-jd-placed', detailType: 'OrderPlaced', attempts: 3, redrivable: true });
    expect(one.body.error).toContain('HTTP 503');
    expect(JSON.parse(one.body.payload)).toMatchObject({ detailType: 'OrderPlaced' });
    expect(redriven.body.items).toEqual([]);
    expect((await call('analyst', 'GET', `/v1/admin/dead-letters/${uniqueId('none')}`)).status).toBe(404);
    expect((await call('analyst', 'GET', '/v1/admin/dead-letters?status=LOST')).status).toBe(400);
    expect((await call('analyst', 'GET', '/v1/admin/dead-letters?cursor=forged')).status).toBe(400);
  });

  it('redrives one through the outbox (a new event, same detail), once, audited; the dashboard counts the open ones', async () => {
    // Prepare
    const event = jdPlaced();
    const id = await letter(event);
    const before = await openCount();
    // Act
    const refused = await call('marketer', 'POST', `/v1/admin/dead-letters/${id}/redrive`, {});
    const analyst = await call('analyst', 'POST', `/v1/admin/dead-letters/${id}/redrive`, {});
    const redriven = await call('support', 'POST', `/v1/admin/dead-letters/${id}/redrive`, { reason: 'jd is back' });
    const again = await call('admin', 'POST', `/v1/admin/dead-letters/${id}/redrive`, {});
    // Assess
    expect([refused.status, analyst.status]).toEqual([403, 403]);
    expect(redriven.status, redriven.text).toBe(200);
    expect(redriven.body).toMatchObject({ status: 'REDRIVEN', redriveEventId: `redrive-${id}`, redrivenBy: expect.stringMatching(/^op-support-/) });
    expect(again.body).toMatchObject({ status: 'REDRIVEN', redriveEventId: `redrive-${id}` });
    const outbox = await db().send(new GetCommand({ TableName: tableName, Key: keys.outbox(`redrive-${id}`) }));
    const { eventId: _id, version: _v, occurredAt: _at, ...detail } = event.detail;
    expect(outbox.Item).toMatchObject({ entity: 'OutboxEvent', detailType: 'OrderPlaced', version: 1, detail });
    expect(await openCount()).toBe(before - 1);
    const records = await auditOf(`dead-letter:${id}`);
    expect(records).toEqual([expect.objectContaining({ operation: 'redriveDeadLetter', operatorId: expect.stringMatching(/^op-support-/) })]);
    expect(records[0]?.summary).toContain('jd is back');
    // A redriven one cannot be discarded.
    expect((await call('admin', 'POST', `/v1/admin/dead-letters/${id}/discard`, { reason: 'too late' })).status).toBe(409);
  });

  it('discards one with a reason (audited); a discarded one is not redriven; a reason is required', async () => {
    // Prepare
    const id = await letter();
    // Act
    const noReason = await call('admin', 'POST', `/v1/admin/dead-letters/${id}/discard`, {});
    const discarded = await call('admin', 'POST', `/v1/admin/dead-letters/${id}/discard`, { reason: 'order cancelled by the member' });
    const redrive = await call('admin', 'POST', `/v1/admin/dead-letters/${id}/redrive`, {});
    const unknown = await call('admin', 'POST', `/v1/admin/dead-letters/${uniqueId('none')}/discard`, { reason: 'nothing there' });
    // Assess
    expect(noReason.status).toBe(400);
    expect(discarded.body).toMatchObject({ status: 'DISCARDED', discardReason: 'order cancelled by the member' });
    expect(redrive.status).toBe(409);
    expect(unknown.status).toBe(404);
    const listed = await call<{ items: Letter[] }>('admin', 'GET', '/v1/admin/dead-letters?status=DISCARDED');
    expect(listed.body.items.map((l) => l.deadLetterId)).toContain(id);
    expect(await auditOf(`dead-letter:${id}`)).toEqual([expect.objectContaining({ operation: 'discardDeadLetter', summary: expect.stringContaining('order cancelled by the member') })]);
  });

  it('refuses to redrive one that keeps no event (409); the bulk redrive skips it', async () => {
    const id = await letter(null);
    const res = await call('admin', 'POST', `/v1/admin/dead-letters/${id}/redrive`, {});
    expect(res.status).toBe(409);
    // Leave nothing open for the bulk test below but this one.
    expect((await call('admin', 'POST', `/v1/admin/dead-letters/${id}/discard`, { reason: 'handled by hand' })).status).toBe(200);
  });

  it('redrives the open ones in bulk, oldest first, bounded per call, with a cursor to go on and one audit record per call', async () => {
    // Prepare: redrive whatever earlier tests left open, then three of this test's own, the middle one without an event
    let cursor: string | null | undefined;
    do {
      const drained = await call<{ nextCursor: string | null }>('admin', 'POST', `/v1/admin/dead-letters/redrive?limit=25${cursor ? `&cursor=${cursor}` : ''}`, { reason: 'clear the way' });
      expect(drained.status, drained.text).toBe(200);
      cursor = drained.body.nextCursor;
    } while (cursor);
    const t = Date.now();
    const a = await letter(jdPlaced(), new Date(t - 3000));
    const b = await letter(null, new Date(t - 2000));
    const c = await letter(jdPlaced(), new Date(t - 1000));
    const operator = uniqueId('op-support');
    const support = await api.operatorToken('support', operator);
    const bulk = (query: string, body: unknown) =>
      api.call<{ redriven: number; skipped: number; deadLetterIds: string[]; nextCursor: string | null }>('POST', `/v1/admin/dead-letters/redrive${query}`, {
        token: support,
        body,
        headers: { 'idempotency-key': ulid() },
      });
    // Act
    const noReason = await bulk('', {});
    const first = await bulk('?limit=2', { reason: 'jd is back' });
    const second = await bulk(`?limit=2&cursor=${first.body.nextCursor ?? ''}`, { reason: 'jd is back' });
    // Assess
    expect(noReason.status).toBe(400);
    expect(first.body).toMatchObject({ redriven: 1, skipped: 1, deadLetterIds: [a], nextCursor: expect.any(String) });
    expect(second.body).toMatchObject({ redriven: 1, skipped: 0, deadLetterIds: [c], nextCursor: null });
    expect((await call('admin', 'GET', `/v1/admin/dead-letters/${b}`)).body.status).toBe('OPEN');
    expect(await openCount()).toBe(1);
    const res = await api.call<{ items: AuditRecord[] }>('GET', `/v1/admin/audit?operatorId=${operator}`, { token: tokens.admin });
    expect(res.body.items.map((r) => [r.operation, r.target])).toEqual([
      ['redriveDeadLetters', 'dead-letters:all'],
      ['redriveDeadLetters', 'dead-letters:all'],
    ]);
    expect((await bulk('?limit=26', { reason: 'too many' })).status).toBe(400);
    expect((await api.call('POST', '/v1/admin/dead-letters/redrive', { token: tokens.marketer, body: { reason: 'not mine' } })).status).toBe(403);
  });
});

describe('the AWS dead-letter queues, as the outbox function records their messages', () => {
  const record = (body: string, attributes: Record<string, string>, messageId = ulid()): SQSRecord => ({
    messageId,
    receiptHandle: 'r',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 's', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] }])),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  });
  const envelope = (event: FailedEvent) => JSON.stringify({ version: '0', id: ulid(), 'detail-type': event.detailType, source: 'points-mall', detail: event.detail });

  it('records a rule DLQ message with its rule and error, a target DLQ message with the rules it matches, each message once', async () => {
    // Prepare
    const ruleEvent = jdPlaced();
    const fnEvent = jdPlaced();
    const fromRule = record(envelope(ruleEvent), { RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/points-mall-prod/PointsMall-SupplierJdPlacedRule-ABC', ERROR_CODE: 'Throttling', ERROR_MESSAGE: 'Rate exceeded', RETRY_ATTEMPTS: '7' });
    const fromFunction = record(envelope(fnEvent), { ErrorCode: '200', ErrorMessage: 'SupplierUnavailableError: jd is unavailable' });
    const garbage = record('not an event', {});
    // Act
    const result = await recordQueuedDeadLetters([fromRule, fromFunction, garbage, fromRule]);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const get = async (messageId: string) => (await call('admin', 'GET', `/v1/admin/dead-letters/sqs-${messageId}`)).body;
    expect(await get(fromRule.messageId)).toMatchObject({ target: 'PointsMall-SupplierJdPlacedRule-ABC', error: 'Throttling: Rate exceeded', attempts: 8, orderId: ruleEvent.detail.orderId, redrivable: true });
    expect(await get(fromFunction.messageId)).toMatchObject({ target: 'supplier-jd-placed', error: '200: SupplierUnavailableError: jd is unavailable', attempts: 3, source: 'fulfilment' });
    expect(await get(garbage.messageId)).toMatchObject({ redrivable: false, payload: 'not an event', source: 'other', target: 'unknown' });
  });
});

describe('fulfilment problems', () => {
  async function supplierOrderItem(orderId: string, supplierId: string, gsi2: { GSI2PK: string; GSI2SK: string }, status: string) {
    await db().send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.order.item(orderId),
          ...gsi2,
          entity: 'Order',
          orderId,
          memberId: 'm-prob',
          productId: 'p-prob',
          productName: 'Headphones',
          quantity: 1,
          status,
          supplier: { supplierId, sku: 'SKU-1' },
          history: [
            { status: 'PLACED', at: '2026-01-01T00:00:00.000Z', reason: 'placed' },
            { status, at: '2026-01-01T00:01:00.000Z', reason: status === 'FAILED' ? 'jd refused the order: no such sku' : 'submitted to jd (ref JD1)' },
          ],
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:01:00.000Z',
        },
      }),
    );
  }

  it('lists stuck orders (deadline passed) and failed ones, per supplier or merged, never the ones still within their deadline', async () => {
    // Prepare
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const stuckJd = uniqueId('o-prob');
    const waiting = uniqueId('o-prob');
    const failed = uniqueId('o-prob');
    await supplierOrderItem(stuckJd, 'jd', keys.fulfilment.awaitingEntry('jd', past, stuckJd), 'SUBMITTED');
    await supplierOrderItem(waiting, 'tmall', keys.fulfilment.awaitingEntry('tmall', future, waiting), 'SUBMITTED');
    await supplierOrderItem(failed, 'tmall', keys.fulfilment.failedEntry('tmall', past, failed), 'FAILED');
    // Act
    const stuck = await call<{ items: { orderId: string; kind: string; deadlineAt: string; since: string; supplierId: string }[] }>('analyst', 'GET', '/v1/admin/fulfilment/problems?kind=STUCK');
    const stuckTmall = await call<{ items: unknown[] }>('analyst', 'GET', '/v1/admin/fulfilment/problems?kind=STUCK&supplier=tmall');
    const failures = await call<{ items: { orderId: string; kind: string; reason: string; since: string }[] }>('support', 'GET', '/v1/admin/fulfilment/problems');
    // Assess
    expect(stuck.body.items.map((p) => p.orderId)).toContain(stuckJd);
    expect(stuck.body.items.map((p) => p.orderId)).not.toContain(waiting);
    expect(stuck.body.items.find((p) => p.orderId === stuckJd)).toMatchObject({ kind: 'STUCK', supplierId: 'jd', deadlineAt: past, since: '2026-01-01T00:01:00.000Z' });
    expect(stuckTmall.body.items).toEqual([]);
    expect(failures.body.items.find((p) => p.orderId === failed)).toMatchObject({ kind: 'FAILED', since: past, reason: 'jd refused the order: no such sku' });
    expect((await call('analyst', 'GET', '/v1/admin/fulfilment/problems?kind=LOST')).status).toBe(400);
    expect((await call('analyst', 'GET', '/v1/admin/fulfilment/problems?cursor=forged')).status).toBe(400);
  });
});

