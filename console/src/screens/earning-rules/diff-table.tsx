import { Table, Typography } from 'antd';
import { changeValueText, type Change } from './rules-document';
import type { RulesI18n } from './rules-form';

/** Field paths with their value before and after, one row each (the save dialog and the version history). */
export function DiffTable({
  changes,
  i18n,
  testId,
  beforeTitle,
  afterTitle,
}: {
  readonly changes: readonly Change[];
  readonly i18n: RulesI18n;
  readonly testId?: string;
  readonly beforeTitle?: string;
  readonly afterTitle?: string;
}) {
  const { t } = i18n;
  if (changes.length === 0) return <Typography.Text type="secondary">{t('rules.diff.none')}</Typography.Text>;
  return (
    <Table<Change>
      data-testid={testId}
      size="small"
      rowKey="path"
      pagination={false}
      dataSource={[...changes]}
      columns={[
        { key: 'path', title: t('rules.diff.field'), render: (_, c) => <Typography.Text code>{c.path}</Typography.Text> },
        { key: 'before', title: beforeTitle ?? t('rules.diff.before'), render: (_, c) => changeValueText(c.before) },
        { key: 'after', title: afterTitle ?? t('rules.diff.after'), render: (_, c) => <Typography.Text strong>{changeValueText(c.after)}</Typography.Text> },
      ]}
    />
  );
}
