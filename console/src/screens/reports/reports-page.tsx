import { Tabs, Typography } from 'antd';
import { useMessages } from '../../i18n/locale';
import { CampaignReport } from './campaign-report';
import { DailyReport } from './daily-report';
import { reportMessages } from './messages';

/**
 * The points report by day over a chosen range (GET /v1/admin/reports/points/daily) and per campaign
 * (GET /v1/admin/reports/campaigns): charts, tables and a CSV of each table. Read only, for every role that sees it.
 */
export function ReportsPage() {
  const { t } = useMessages(reportMessages);
  return (
    <>
      <Typography.Title level={3}>{t('reports.title')}</Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'daily', label: t('reports.tab.daily'), children: <DailyReport /> },
          { key: 'campaigns', label: t('reports.tab.campaigns'), children: <CampaignReport /> },
        ]}
      />
    </>
  );
}
