import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Flex, Spin, Tag, Typography } from 'antd';
import { Navigate, useLocation, useNavigate } from 'react-router';
import type { LocalOperatorList, LocalOperatorToken, LocalOperatorTokenRequest } from '../../../bin/local/console-operators';
import { ProblemError } from '../api/problem';
import { ProblemAlert, useProblemHandler } from '../api/use-problem';
import type { CognitoAuthConfig } from '../config';
import { LocaleSwitch, useI18n } from '../i18n/locale';
import { roles } from '../roles';
import { beginCognitoSignIn } from './cognito';
import { useConfig } from './config-context';
import { startSession, useSession } from './session';

/** Where to go after signing in: the page that sent the operator here, else the dashboard. */
function useReturnPath(): string {
  const state: unknown = useLocation().state;
  const from = typeof state === 'object' && state !== null ? (state as { from?: unknown }).from : undefined;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/sign-in') ? from : '/';
}

async function localJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new ProblemError(
      typeof body === 'object' && body !== null && 'code' in body
        ? (body as ProblemError['problem'])
        : { type: 'about:blank', title: `HTTP ${response.status}`, status: response.status, detail: url, code: `HTTP_${response.status}` },
    );
  }
  return body as T;
}

const rowStyle = { padding: '12px 0', borderBottom: '1px solid #f0f0f0' } as const;

/** The local runtime's demo operators, one per role; a click signs in as that operator. */
function LocalSignIn({ apiBaseUrl }: { readonly apiBaseUrl: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const returnPath = useReturnPath();
  const showProblem = useProblemHandler();
  const operators = useQuery({
    queryKey: ['local-operators'],
    queryFn: () => localJson<LocalOperatorList>(`${apiBaseUrl}/local/operators`),
  });
  const signIn = useMutation({
    mutationFn: (request: LocalOperatorTokenRequest) =>
      localJson<LocalOperatorToken>(`${apiBaseUrl}/local/operator-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      }),
    onSuccess: ({ token }) => {
      if (startSession(token)) void navigate(returnPath, { replace: true });
    },
    onError: (error) => showProblem(error),
  });
  return (
    <>
      <Typography.Paragraph>{t('signIn.localIntro')}</Typography.Paragraph>
      {operators.error ? <ProblemAlert error={operators.error} /> : null}
      {operators.isPending ? <Spin /> : null}
      <Flex vertical gap="small">
        {[...(operators.data?.items ?? [])]
          .sort((a, b) => roles.indexOf(a.role) - roles.indexOf(b.role))
          .map((operator) => (
            <Flex key={operator.operatorId} justify="space-between" align="center" gap="middle" style={rowStyle}>
              <span>
                <Typography.Text strong>{operator.name}</Typography.Text> <Tag>{t(`role.${operator.role}`)}</Tag>
              </span>
              <Button
                type="primary"
                loading={signIn.isPending && signIn.variables.operatorId === operator.operatorId}
                disabled={signIn.isPending}
                onClick={() => signIn.mutate({ operatorId: operator.operatorId })}
              >
                {t('signIn.as', { name: operator.operatorId })}
              </Button>
            </Flex>
          ))}
      </Flex>
    </>
  );
}

function CognitoSignIn({ config }: { readonly config: CognitoAuthConfig }) {
  const { t } = useI18n();
  const showProblem = useProblemHandler();
  const begin = useMutation({ mutationFn: () => beginCognitoSignIn(config), onError: (error) => showProblem(error) });
  return (
    <>
      <Typography.Paragraph>{t('signIn.cognitoIntro')}</Typography.Paragraph>
      <Button type="primary" size="large" block loading={begin.isPending} onClick={() => begin.mutate()}>
        {t('signIn.cognitoButton')}
      </Button>
    </>
  );
}

/** /console/sign-in: the demo operators locally, Cognito's hosted UI on AWS. */
export function SignInPage() {
  const { t } = useI18n();
  const config = useConfig();
  const session = useSession();
  const returnPath = useReturnPath();
  if (session) return <Navigate to={returnPath} replace />;
  return (
    <Flex justify="center" align="flex-start" style={{ minHeight: '100vh', padding: '10vh 16px', background: '#f5f5f5' }}>
      {/* Plain markup, not antd's Card (which brings Tabs): this page's JavaScript has a budget of its own. */}
      <main style={{ width: '100%', maxWidth: 560, background: '#fff', borderRadius: 8, padding: 24, boxShadow: '0 1px 2px rgba(0,0,0,0.06)' }}>
        <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('app.title')} · {t('signIn.title')}
          </Typography.Title>
          <LocaleSwitch />
        </Flex>
        {config.auth.kind === 'local' ? <LocalSignIn apiBaseUrl={config.apiBaseUrl} /> : <CognitoSignIn config={config.auth} />}
      </main>
    </Flex>
  );
}
