import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes.js';
import { TestApi, uniqueId } from '../support/api.js';

/** A value for each path parameter: ids that would exist for a member, so only the token decides. */
function pathFor(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(uniqueId(name)));
}

let api: TestApi;

beforeAll(async () => {
  api = await TestApi.create();
});

describe('operator tokens on member routes', () => {
  const memberRoutes = routes.filter((r) => r.auth === 'member');

  it('covers every member route of the route table', () => {
    expect(memberRoutes.length).toBeGreaterThan(20);
  });

  it.each(memberRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('refuses an operator token on %s', async (_name, route) => {
    // Prepare: an operator whose id is also a plausible member id.
    const operatorId = uniqueId('operator');
    const operator = await api.token('admin', operatorId);

    // Act
    const answer = await api.call(route.method, pathFor(route.path), {
      token: operator,
      body: route.method === 'GET' ? undefined : { productId: 'p-tea-set', amount: 100, tier: 'gold', birthday: '1990-01-01' },
      headers: { 'idempotency-key': uniqueId('key') },
    });

    // Assess: 403 problem+json naming the admin routes, and no member was created or changed under the operator's id.
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(String((answer.body as { detail: string }).detail)).toContain('/v1/admin');
    const asMember = await api.call('GET', `/v1/admin/members/${operatorId}`, { token: operator });
    expect(asMember.status).toBe(404);
  });

  it('still lets members use their routes', async () => {
    // Prepare
    const { token } = await api.newMember();

    // Act
    const me = await api.call('GET', '/v1/me', { token });

    // Assess
    expect(me.status).toBe(200);
  });
});
