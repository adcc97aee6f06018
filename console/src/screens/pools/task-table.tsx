import { Button, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useMemo } from 'react';
import { formatProgrammeTime } from '../../format';
import type { PoolI18n } from './pool-table';
import type { Task } from './task-form';

const statusColours: Record<Task['status'], string> = { ACTIVE: 'green', PAUSED: 'default', ENDED: 'default' };

function pointsText(task: Task, i18n: PoolI18n): string {
  const base = i18n.points(task.points);
  if (task.type !== 'SIGN_IN' || task.streakBonuses.length === 0) return base;
  const bonuses = task.streakBonuses.map((b) => i18n.t('tasks.streakBonus', { day: b.day, points: i18n.points(b.points) })).join(', ');
  return `${base} (${bonuses}${task.streakBonusRepeats ? `, ${i18n.t('tasks.repeats')}` : ''})`;
}

function periodText(task: Task, i18n: PoolI18n): string {
  if (task.type === 'SHARE') return i18n.t('tasks.timesPerDay', { times: task.timesPerPeriod });
  if (task.type === 'BROWSE_PRODUCT') return `${i18n.t('tasks.period.DAILY')} · ${i18n.t('tasks.product', { productId: task.productId ?? '' })}`;
  if (task.type === 'STREAK_CHALLENGE') return i18n.t('tasks.challenge', { days: task.streakDays ?? 0, taskId: task.signInTaskId ?? '' });
  return i18n.t(`tasks.period.${task.period}`);
}

/** The tasks' table; `onEdit` when the role may edit. */
export function TaskTable({
  tasks,
  loading,
  i18n,
  onEdit,
}: {
  readonly tasks: readonly Task[];
  readonly loading: boolean;
  readonly i18n: PoolI18n;
  readonly onEdit?: ((task: Task) => void) | undefined;
}) {
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Task>>(() => {
    const list: TableColumnsType<Task> = [
      {
        key: 'name',
        title: t('tasks.name'),
        render: (_, task) => (
          <>
            <div>{task.name}</div>
            <Typography.Text type="secondary">{task.taskId}</Typography.Text>
          </>
        ),
      },
      { key: 'type', title: t('tasks.type'), render: (_, task) => <Tag>{t(`tasks.type.${task.type}`)}</Tag> },
      { key: 'points', title: t('tasks.points'), render: (_, task) => pointsText(task, i18n) },
      { key: 'period', title: t('tasks.period'), render: (_, task) => periodText(task, i18n) },
      { key: 'pool', title: t('tasks.paidFrom'), render: (_, task) => `${task.poolId} / ${task.activity}` },
      {
        key: 'window',
        title: t('tasks.window'),
        render: (_, task) => (
          <>
            <div>{formatProgrammeTime(task.startsAt)}</div>
            <Typography.Text type="secondary">{task.endsAt ? formatProgrammeTime(task.endsAt) : t('tasks.openEnded')}</Typography.Text>
          </>
        ),
      },
      { key: 'status', title: t('tasks.status'), render: (_, task) => <Tag color={statusColours[task.status]}>{t(`tasks.status.${task.status}`)}</Tag> },
      { key: 'sortOrder', title: t('tasks.sortOrder'), align: 'right', dataIndex: 'sortOrder' },
    ];
    if (onEdit) {
      list.push({
        key: 'actions',
        title: t('tasks.actions'),
        fixed: 'right',
        render: (_, task) => (
          <Button size="small" onClick={() => onEdit(task)}>
            {t('tasks.edit')}
          </Button>
        ),
      });
    }
    return list;
  }, [t, i18n, onEdit]);
  return (
    <Table
      rowKey="taskId"
      columns={columns}
      dataSource={[...tasks]}
      loading={loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('tasks.empty') }}
    />
  );
}
