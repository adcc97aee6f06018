import { Button, Flex, Result, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../i18n/locale';
import { finishCognitoSignIn } from './cognito';
import { useConfig } from './config-context';
import { startSession } from './session';

/** /console/callback: Cognito's hosted UI comes back here with the code; the sign-in finishes and the shell opens. */
export function CallbackPage() {
  const { t } = useI18n();
  const config = useConfig();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    if (config.auth.kind !== 'cognito') {
      void navigate('/sign-in', { replace: true });
      return;
    }
    finishCognitoSignIn(config.auth).then(
      (token) => {
        if (startSession(token)) void navigate('/', { replace: true });
        else setFailure('the access token has no usable claims');
      },
      (error: unknown) => setFailure(error instanceof Error ? error.message : String(error)),
    );
  }, [config, navigate]);
  if (failure) {
    return (
      <Result
        status="error"
        title={t('signIn.failed')}
        subTitle={failure}
        extra={
          <Link to="/sign-in">
            <Button type="primary">{t('signIn.title')}</Button>
          </Link>
        }
      />
    );
  }
  return (
    <Flex justify="center" align="center" style={{ minHeight: '100vh' }}>
      <Spin description={t('signIn.completing')} size="large" />
    </Flex>
  );
}
