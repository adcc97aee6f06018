import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiContext, createApiClient } from './api/client';
import { ProblemError } from './api/problem';
import { ConfigContext } from './auth/config-context';
import { useSession } from './auth/session';
import type { ConsoleConfig } from './config';
import { LocaleProvider } from './i18n/locale';
import { screenRoutes } from './shell/screens';

// Each a chunk of its own: the sign-in page does not load the shell, the shell does not load the sign-in page.
const SignInPage = lazy(() => import('./auth/sign-in-page').then((m) => ({ default: m.SignInPage })));
const CallbackPage = lazy(() => import('./auth/callback-page').then((m) => ({ default: m.CallbackPage })));
const ShellLayout = lazy(() => import('./shell/shell-layout').then((m) => ({ default: m.ShellLayout })));
const ScreenGate = lazy(() => import('./shell/shell-layout').then((m) => ({ default: m.ScreenGate })));
const NotFound = lazy(() => import('./shell/shell-layout').then((m) => ({ default: m.NotFound })));

function RequireSession({ children }: { readonly children: ReactNode }) {
  const session = useSession();
  const { pathname, search } = useLocation();
  if (!session) return <Navigate to="/sign-in" state={{ from: `${pathname}${search}` }} replace />;
  return children;
}

/** The console's routes under /console/ (its base). */
function ConsoleRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<Suspense><SignInPage /></Suspense>} />
      <Route path="/callback" element={<Suspense><CallbackPage /></Suspense>} />
      <Route
        path="/"
        element={
          <RequireSession>
            <Suspense>
              <ShellLayout />
            </Suspense>
          </RequireSession>
        }
      >
        {screenRoutes.map((route) =>
          route.path === '' ? (
            <Route key={route.screen} index element={<ScreenGate route={route} />} />
          ) : (
            // `/*`: a screen may have pages of its own below its path (members/m-gold), routed inside the screen.
            <Route key={route.screen} path={`${route.path}/*`} element={<ScreenGate route={route} />} />
          ),
        )}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/** Client errors (4xx) are answers, not outages: retrying them changes nothing. */
function retryable(failures: number, error: unknown): boolean {
  if (error instanceof ProblemError && error.problem.status < 500) return false;
  return failures < 2;
}

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: retryable, staleTime: 30_000, refetchOnWindowFocus: false },
      // A write is retried by the operator (with the dialog's same Idempotency-Key), never behind their back.
      mutations: { retry: false },
    },
  });
}

/** The whole console for a configuration: API client, server state, locale, routes. */
export function ConsoleApp({ config }: { readonly config: ConsoleConfig }) {
  const [queryClient] = useState(newQueryClient);
  const [api] = useState(() => createApiClient(config.apiBaseUrl));
  return (
    <ConfigContext value={config}>
      <ApiContext value={api}>
        <QueryClientProvider client={queryClient}>
          <LocaleProvider>
            <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
              <ConsoleRoutes />
            </BrowserRouter>
          </LocaleProvider>
        </QueryClientProvider>
      </ApiContext>
    </ConfigContext>
  );
}
