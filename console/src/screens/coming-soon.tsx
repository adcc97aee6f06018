import { Typography } from 'antd';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/locale';

/** A screen not built yet: its title and a note (the screens are built on this shell one by one). */
export function ComingSoon({ title }: { readonly title: MessageKey }) {
  const { t } = useI18n();
  return (
    <>
      <Typography.Title level={3}>{t(title)}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('screen.coming')}</Typography.Paragraph>
    </>
  );
}
