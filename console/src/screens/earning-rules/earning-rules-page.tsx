import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Form, Spin, Tabs, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { campaignOf, type CampaignFormValues } from './draft-campaign-form';
import { HistoryPanel } from './history-panel';
import { rulesMessages } from './messages';
import { PreviewPanel } from './preview-panel';
import { diffDocuments, documentOf, draftOf, type Change, type EarningRules, type RulesFormValues } from './rules-document';
import { RulesEditor } from './rules-editor';
import { WhatIfPanel } from './what-if-panel';

const RULES_KEY = ['earning-rules'] as const;

/**
 * Earning rules: the rules in force as a form that saves the whole document with its version (after a diff), their
 * version history, a preview calculator and what-if replays of the unsaved draft (and of a draft campaign).
 */
export function EarningRulesPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const i18n = useMessages(rulesMessages);
  const { t } = i18n;
  const session = useSession();
  const writer = canWrite(session?.roles ?? [], 'earningRules');
  const rules = useQuery({ queryKey: RULES_KEY, queryFn: () => unwrap(api.GET('/v1/admin/earning-rules')), staleTime: 0 });

  // The version the form edits: set from the first answer, then only by a save or a reload (never under the operator's edits).
  const [base, setBase] = useState<EarningRules | undefined>(undefined);
  if (base === undefined && rules.data) setBase(rules.data);

  const [rulesForm] = Form.useForm<RulesFormValues>();
  const [campaignForm] = Form.useForm<CampaignFormValues>();
  const [campaignOn, setCampaignOn] = useState(false);
  const [changes, setChanges] = useState<readonly Change[]>([]);
  const [reloading, setReloading] = useState(false);

  const draftRules = useCallback(() => {
    if (!base) throw new Error('the rules are not loaded');
    return draftOf(documentOf(base), rulesForm.getFieldsValue(true));
  }, [base, rulesForm]);
  const draftCampaign = useCallback(() => (campaignOn ? campaignOf(campaignForm.getFieldsValue(true)) : undefined), [campaignOn, campaignForm]);
  const recount = useCallback(() => {
    if (base) setChanges(diffDocuments(documentOf(base), draftRules()));
  }, [base, draftRules]);

  // A new version to edit (saved, reloaded): the form starts again from it.
  useEffect(() => {
    if (!base) return;
    rulesForm.resetFields();
  }, [base, rulesForm]);

  const adopt = (next: EarningRules) => {
    queryClient.setQueryData(RULES_KEY, next);
    void queryClient.invalidateQueries({ queryKey: [...RULES_KEY, 'versions'] });
    setBase(next);
    setChanges([]);
  };
  const reload = async () => {
    setReloading(true);
    try {
      const fresh = await queryClient.fetchQuery({ queryKey: RULES_KEY, queryFn: () => unwrap(api.GET('/v1/admin/earning-rules')), staleTime: 0 });
      adopt(fresh);
    } finally {
      setReloading(false);
    }
  };

  if (rules.error && !base) return <ProblemAlert error={rules.error} />;
  if (!base) return <Spin />;

  return (
    <>
      <Typography.Title level={3}>{t('rules.title')}</Typography.Title>
      <Typography.Paragraph type="secondary" data-testid="rules-version">
        {base.version === 0
          ? t('rules.versionDefaults')
          : t('rules.versionLine', { version: base.version, at: formatProgrammeTime(base.updatedAt), by: base.updatedBy })}
      </Typography.Paragraph>
      <Tabs
        items={[
          {
            key: 'rules',
            label: t('tab.rules'),
            children: (
              <RulesEditor
                base={base}
                form={rulesForm}
                i18n={i18n}
                canWrite={writer}
                changes={changes}
                onValuesChange={recount}
                onSaved={adopt}
                onReload={reload}
                reloading={reloading}
              />
            ),
          },
          {
            key: 'preview',
            label: t('tab.preview'),
            children: (
              <PreviewPanel
                i18n={i18n}
                rulesForm={rulesForm}
                campaignForm={campaignForm}
                draftRules={draftRules}
                draftCampaign={draftCampaign}
                rulesVersion={base.version}
                ruleChanges={changes.length}
                campaignOn={campaignOn}
              />
            ),
          },
          {
            key: 'what-if',
            label: t('tab.whatIf'),
            children: (
              <WhatIfPanel
                i18n={i18n}
                canWrite={writer}
                rulesForm={rulesForm}
                campaignForm={campaignForm}
                campaignOn={campaignOn}
                onCampaignOn={setCampaignOn}
                ruleChanges={changes.length}
                draftRules={draftRules}
              />
            ),
          },
          { key: 'history', label: t('tab.history'), children: <HistoryPanel current={base} i18n={i18n} /> },
        ]}
      />
    </>
  );
}
