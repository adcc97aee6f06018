import { Button, Card, Space, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { poolMessages } from './messages';
import { PoolTable } from './pool-table';
import type { Task } from './task-form';
import { TaskTable } from './task-table';

// The dialogs (forms, date pickers) load when first opened: an analyst never downloads them.
const PoolFormDialog = lazy(() => import('./pool-form').then((m) => ({ default: m.PoolFormDialog })));
const TaskFormDialog = lazy(() => import('./task-form').then((m) => ({ default: m.TaskFormDialog })));

/**
 * Pools & tasks (/console/pools): the points pools with their budget, what they issued and the split by activity
 * (GET /v1/admin/pools), and the task centre's tasks (GET /v1/admin/tasks), each a page at a time; "New pool",
 * "New task" and each task's "Edit" for the roles that may write.
 */
export function PoolsPage() {
  const api = useApi();
  const i18n = useMessages(poolMessages);
  const { t } = i18n;
  const session = useSession();
  const writer = canWrite(session?.roles ?? [], 'pools');
  const [poolDialog, setPoolDialog] = useState<{ open: boolean; opened: boolean }>({ open: false, opened: false });
  const [taskDialog, setTaskDialog] = useState<{ open: boolean; opened?: boolean; task?: Task | undefined }>({ open: false });
  const pools = useCursorList(['pools'], (cursor) => unwrap(api.GET('/v1/admin/pools', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })));
  const tasks = useCursorList(['tasks'], (cursor) => unwrap(api.GET('/v1/admin/tasks', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })));
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('pools.title')}
      </Typography.Title>
      <Card
        title={t('pools.pools')}
        extra={
          writer ? (
            <Button type="primary" onClick={() => setPoolDialog({ open: true, opened: true })}>
              {t('pools.new')}
            </Button>
          ) : null
        }
      >
        <Typography.Paragraph type="secondary">{t('pools.poolsIntro')}</Typography.Paragraph>
        {pools.error ? <ProblemAlert error={pools.error} /> : null}
        <PoolTable pools={pools.items} loading={pools.isPending && !pools.error} i18n={i18n} />
        <LoadMore count={pools.items.length} hasNextPage={pools.hasNextPage} isFetchingNextPage={pools.isFetchingNextPage} fetchNextPage={pools.fetchNextPage} />
      </Card>
      <Card
        title={t('tasks.tasks')}
        extra={
          writer ? (
            <Button type="primary" onClick={() => setTaskDialog({ open: true, opened: true })}>
              {t('tasks.new')}
            </Button>
          ) : null
        }
      >
        <Typography.Paragraph type="secondary">{t('tasks.tasksIntro')}</Typography.Paragraph>
        {tasks.error ? <ProblemAlert error={tasks.error} /> : null}
        <TaskTable tasks={tasks.items} loading={tasks.isPending && !tasks.error} i18n={i18n} onEdit={writer ? (task) => setTaskDialog({ open: true, opened: true, task }) : undefined} />
        <LoadMore count={tasks.items.length} hasNextPage={tasks.hasNextPage} isFetchingNextPage={tasks.isFetchingNextPage} fetchNextPage={tasks.fetchNextPage} />
      </Card>
      {writer ? (
        <Suspense>
          {poolDialog.opened ? <PoolFormDialog open={poolDialog.open} onClose={() => setPoolDialog({ open: false, opened: true })} /> : null}
          {taskDialog.opened ? (
            <TaskFormDialog
              key={taskDialog.task?.taskId ?? 'new'}
              open={taskDialog.open}
              task={taskDialog.task}
              pools={pools.items}
              onClose={() => setTaskDialog((d) => ({ ...d, open: false }))}
            />
          ) : null}
        </Suspense>
      ) : null}
    </Space>
  );
}
