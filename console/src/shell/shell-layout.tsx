import { useQueryClient } from '@tanstack/react-query';
import { Button, Flex, Layout, Menu, Space, Spin, Tag, Typography, type MenuProps } from 'antd';
import { Suspense, type ReactNode } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { cognitoSignOut } from '../auth/cognito';
import { useConfig } from '../auth/config-context';
import { endSession, useSession } from '../auth/session';
import { LocaleSwitch, useI18n } from '../i18n/locale';
import { canSee } from '../roles';
import { screenRoutes, type ScreenRoute } from './screens';

export function Loading() {
  return (
    <Flex justify="center" style={{ padding: 48 }}>
      <Spin size="large" />
    </Flex>
  );
}

/** A page-level notice (no access, no such page); plain rather than antd's Result, whose illustrations weigh ~10 kB on every screen. */
function Notice({ code, title, detail, action }: { readonly code: string; readonly title: string; readonly detail?: string; readonly action?: ReactNode }) {
  return (
    <Flex vertical align="center" gap="small" style={{ padding: '64px 16px', textAlign: 'center' }}>
      <Typography.Text type="secondary" style={{ fontSize: 48, lineHeight: 1 }}>
        {code}
      </Typography.Text>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {title}
      </Typography.Title>
      {detail ? <Typography.Text type="secondary">{detail}</Typography.Text> : null}
      {action}
    </Flex>
  );
}

/** A screen behind its role check: the menu hides it, and a typed-in URL gets this instead of the screen. */
export function ScreenGate({ route }: { readonly route: ScreenRoute }) {
  const { t } = useI18n();
  const session = useSession();
  const held = session?.roles ?? [];
  if (!canSee(held, route.screen)) {
    return <Notice code="403" title={t(route.label)} detail={t('screen.forbidden', { role: held.map((r) => t(`role.${r}`)).join(', ') || t('role.none') })} />;
  }
  return <route.Page />;
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <Notice
      code="404"
      title={t('screen.notFound')}
      action={
        <Link to="/">
          <Button type="primary">{t('screen.backHome')}</Button>
        </Link>
      }
    />
  );
}

/** The console's frame: the side menu (screens the role may use, and the API reference), the header, the screen. */
export function ShellLayout() {
  const { t } = useI18n();
  const config = useConfig();
  const session = useSession();
  const queryClient = useQueryClient();
  const { pathname } = useLocation();
  const held = session?.roles ?? [];
  const selected = pathname.split('/')[1] ?? '';
  const items: MenuProps['items'] = [
    ...screenRoutes
      .filter((route) => canSee(held, route.screen))
      .map((route) => ({ key: route.path || 'dashboard', label: <Link to={`/${route.path}`}>{t(route.label)}</Link> })),
    { type: 'divider' as const },
    {
      key: 'api-reference',
      label: (
        <a href={`${config.apiBaseUrl}/v1/docs`} target="_blank" rel="noreferrer">
          {t('menu.apiReference')}
        </a>
      ),
    },
  ];
  const signOut = () => {
    endSession();
    queryClient.clear();
    if (config.auth.kind === 'cognito') void cognitoSignOut(config.auth);
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider theme="light" breakpoint="lg" collapsedWidth={0} width={208}>
        <Typography.Title level={5} style={{ padding: '16px 24px', margin: 0 }}>
          {t('app.title')}
        </Typography.Title>
        <Menu mode="inline" selectedKeys={[selected || 'dashboard']} items={items} />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', paddingInline: 24 }}>
          <Flex justify="flex-end" align="center" style={{ height: '100%' }}>
            <Space size="middle">
              <Space size={4}>
                {held.map((role) => (
                  <Tag key={role} color="blue">
                    {t(`role.${role}`)}
                  </Tag>
                ))}
                <Typography.Text>{session?.operatorId}</Typography.Text>
              </Space>
              <LocaleSwitch />
              <Button onClick={signOut}>{t('signOut')}</Button>
            </Space>
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
