import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redactLogValue } from '../../shared/observability/powertools.js';
import { uniqueId, type TestApi } from '../support/api.js';

/**
 * Runs the common flows (registration with a birthday, points, ledger, operator
 * adjustments, POS purchase and refund, a mall order and its cancellation,
 * refusals of bad input and bad tokens, an unsigned webhook) with the logger at
 * DEBUG, and searches everything written to stdout and stderr for credentials
 * and personal data.
 */
let api: TestApi;
const written: string[] = [];

beforeAll(async () => {
  // The logger reads its level once, when its module loads (and the Lambda middleware restores that level on every
  // invocation): load the handlers afresh with DEBUG, as a function deployed with POWERTOOLS_LOG_LEVEL=DEBUG would run.
  vi.resetModules();
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const { useLocalEventSink } = await import('../../shared/events/publisher.js');
  useLocalEventSink(async () => undefined);
  const { TestApi: FreshApi } = await import('../support/api.js');
  api = await FreshApi.create();
  const capture = (chunk: unknown) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  vi.restoreAllMocks();
});

describe('logs carry no credentials or personal data', () => {
  it('keeps tokens and birthdays out of every log line of the common flows', async () => {
    // Prepare
    const birthday = '1987-06-05';
    const memberId = uniqueId('private');
    const member = await api.token('member', memberId);
    const admin = await api.token('admin', 'operator-logs');
    const storeId = uniqueId('store-logs');
    const pos = await api.registerStore(storeId);
    const tokens = [member, admin, pos];
    const json = (token: string, body: unknown, key?: string) => ({ token, body, headers: key ? { 'idempotency-key': key } : ({} as Record<string, string>) });

    // Act: the flows, successes and refusals.
    await api.call('POST', '/v1/me/register', json(member, { birthday }));
    await api.call('POST', '/v1/me/register', json(member, { birthday: '1987-13-45' }));
    await api.call('GET', '/v1/me', { token: member });
    await api.call('GET', '/v1/me/points', { token: member });
    await api.call('GET', '/v1/me/ledger?limit=2', { token: member });
    await api.call('GET', '/v1/me/ledger?cursor=not-a-cursor', { token: member });
    await api.call('POST', `/v1/admin/members/${memberId}/adjustments`, json(admin, { points: 900, reason: 'goodwill credit' }, uniqueId('adj')));
    await api.call('GET', `/v1/admin/members/${memberId}`, { token: admin });
    const purchaseId = uniqueId('buy');
    await api.call('POST', '/v1/pos/purchases', json(pos, {
      purchaseId,
      memberId,
      storeId,
      paidAt: new Date().toISOString(),
      lines: [{ sku: 'sku-1', category: 'A', amountCents: 12_000, quantity: 1 }],
    }));
    await api.call('POST', `/v1/pos/purchases/${purchaseId}/refunds`, json(pos, { refundId: uniqueId('ref'), amountCents: 2_000 }));
    const paymentCode = await api.paymentCode(memberId);
    await api.call('POST', '/v1/pos/redemptions', json(pos, { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode }));
    await api.call('POST', '/v1/pos/redemptions', json(pos, { redemptionId: uniqueId('rd'), memberId, points: 100, paymentCode }));
    const productId = uniqueId('prod');
    await api.call('POST', '/v1/admin/products', json(admin, { productId, name: 'Mug', type: 'PHYSICAL', zone: 'logs', pricePoints: 100, initialStock: 5 }));
    const placed = await api.call<{ orderId: string }>('POST', '/v1/orders', json(member, { productId }, uniqueId('order')));
    await api.call('POST', `/v1/orders/${placed.body.orderId}/cancel`, { token: member });
    await api.call('POST', '/v1/orders', json(member, { productId: 'x'.repeat(500) }, uniqueId('order')));
    await api.call('GET', '/v1/me', { token: `${member}tampered` });
    await api.call('GET', '/v1/me', { token: admin });
    await api.call('POST', '/v1/webhooks/suppliers/jd', {
      body: { messageId: 'm-1', orderId: 'o-1', status: 'SHIPPED' },
      headers: { 'x-timestamp': String(Date.now()), 'x-nonce': 'n-1', 'x-signature': 'c2lnbmF0dXJl' },
    });
    await api.call('DELETE', '/v1/me', { token: member });

    // Assess: something was logged (the capture works), and none of it is secret or personal.
    const logs = written.join('');
    expect(logs).toContain('request refused');
    expect(logs).toContain('consumed capacity');
    expect(logs).toContain('POST /v1/pos/redemptions');
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
    }
    expect(logs).not.toMatch(/bearer\s/i);
    expect(logs).not.toContain(birthday);
    expect(logs).not.toContain('1987-13-45');
    expect(logs).not.toContain('c2lnbmF0dXJl');
    expect(logs).not.toContain(paymentCode);
  });

  it('redacts credential and personal keys wherever an object is logged', () => {
    // Prepare
    const record = { memberId: 'm1', Authorization: 'Bearer abc', nested: { birthday: '1990-01-01', paymentCode: '123' }, code: 'FORBIDDEN' };

    // Act
    const line = JSON.stringify(record, redactLogValue);

    // Assess
    expect(line).not.toContain('abc');
    expect(line).not.toContain('1990-01-01');
    expect(line).not.toContain('"123"');
    expect(line).toContain('FORBIDDEN');
    expect(line).toContain('m1');
  });
});
