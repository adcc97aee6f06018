import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './app';
import { loadConfig } from './config';
import { LocaleProvider, useI18n } from './i18n/locale';

function ConfigFailed({ reason }: { readonly reason: string }) {
  const { t } = useI18n();
  // Plain markup: antd's Result (with its illustrations) would weigh on every page's first load for this rare case.
  return (
    <div role="alert" style={{ padding: 48, fontFamily: 'sans-serif' }}>
      <h2>{t('app.configFailed')}</h2>
      <p>{reason}</p>
    </div>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <ConsoleApp config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <LocaleProvider>
        <ConfigFailed reason={error instanceof Error ? error.message : String(error)} />
      </LocaleProvider>,
    ),
);
