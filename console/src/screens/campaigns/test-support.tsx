import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { newQueryClient } from '../../app';
import { ApiContext, createApiClient } from '../../api/client';
import { startSession } from '../../auth/session';
import { LocaleProvider, type Locale } from '../../i18n/locale';
import type { Role } from '../../roles';

/** The component tests' API: each request recorded (with its body read), answered by `answer`. */
export interface FakeApi {
  readonly requests: { readonly method: string; readonly url: URL; readonly headers: Headers; readonly body: unknown }[];
}

export function json(body: unknown, status = 200): Response {
  const problem = status >= 400;
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': problem ? 'application/problem+json' : 'application/json' } });
}

export function stubApi(answer: (request: { method: string; url: URL; body: unknown }) => Response | Promise<Response>): FakeApi {
  const api: FakeApi = { requests: [] };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const text = request.method === 'GET' ? '' : await request.text();
      const entry = { method: request.method, url: new URL(request.url), headers: request.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
      api.requests.push(entry);
      return answer(entry);
    }),
  );
  return api;
}

function fakeToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part(claims)}.signature`;
}

/** Signs a fake operator in (the console reads the claims only; the fake API checks nothing). */
export function signInAs(role: Role): void {
  startSession(fakeToken({ sub: `op-${role}`, 'cognito:groups': [role], exp: Date.now() / 1000 + 3600 }));
}

/** Renders a screen's component with the console's providers, at `path`. */
export function renderWithConsole(ui: ReactNode, { locale = 'en', path = '/' }: { locale?: Locale; path?: string } = {}) {
  return render(
    <ApiContext value={createApiClient('http://api.test')}>
      <QueryClientProvider client={newQueryClient()}>
        <LocaleProvider initial={locale}>
          <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
        </LocaleProvider>
      </QueryClientProvider>
    </ApiContext>,
  );
}
