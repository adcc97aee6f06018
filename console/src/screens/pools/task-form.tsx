import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Col, DatePicker, Descriptions, Flex, Form, Input, InputNumber, Modal, Radio, Row, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useApi } from '../../api/client';
import { ProblemError, unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { useIdempotencyKey, type IdempotencyKey } from '../../api/use-idempotency-key';
import { useProblemHandler } from '../../api/use-problem';
import { formatProgrammeTime, fromProgrammeInput, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { keepEnterInPicker, wallClock, wallClockNow } from '../campaigns/campaign-values';
import { poolMessages } from './messages';
import type { Pool, PoolI18n } from './pool-table';

export type Task = components['schemas']['Task'];
type TaskInput = components['schemas']['TaskInput'];
type TaskPatch = components['schemas']['TaskPatch'];
export type TaskType = Task['type'];
type Period = Task['period'];
type Status = Task['status'];

export const TASK_TYPES = ['SIGN_IN', 'SHARE', 'BROWSE_PRODUCT', 'CUSTOM', 'STREAK_CHALLENGE'] as const satisfies readonly TaskType[];
const PERIODS = ['DAILY', 'WEEKLY', 'ONCE'] as const satisfies readonly Period[];
const STATUSES = ['ACTIVE', 'PAUSED', 'ENDED'] as const satisfies readonly Status[];
const zone = PROGRAMME_TIME_ZONE;

/** The task dialog's form: the API's fields by their names (so field errors land), times as the pickers hold them. */
export interface TaskFormValues {
  type: TaskType;
  taskId?: string;
  name: string;
  description?: string;
  points?: number | null;
  poolId?: string;
  activity?: string;
  startsAt?: Dayjs | null;
  endsAt?: Dayjs | null;
  status: Status;
  sortOrder?: number | null;
  counterShards?: number | null;
  streakBonuses?: { day?: number | null; points?: number | null }[];
  streakBonusRepeats?: boolean;
  timesPerDay?: number | null;
  productId?: string;
  period?: Period;
  signInTaskId?: string;
  streakDays?: number | null;
}

/** Counter shards of a new task unless the form asks for others, and the most the API takes (POST /v1/admin/tasks). */
const DEFAULT_COUNTER_SHARDS = 8;
const MAX_COUNTER_SHARDS = 32;

/** The form's values as the API's task of their kind (only that kind's fields). */
export function taskInputOf(values: TaskFormValues): TaskInput {
  const common = {
    ...(values.taskId?.trim() ? { taskId: values.taskId.trim() } : {}),
    name: values.name.trim(),
    description: values.description ?? '',
    points: values.points ?? 0,
    poolId: values.poolId ?? '',
    activity: values.activity ?? '',
    startsAt: values.startsAt ? fromProgrammeInput(values.startsAt) : '',
    endsAt: values.endsAt ? fromProgrammeInput(values.endsAt) : null,
    status: values.status === 'PAUSED' ? ('PAUSED' as const) : ('ACTIVE' as const),
    sortOrder: values.sortOrder ?? 1000,
    counterShards: values.counterShards ?? DEFAULT_COUNTER_SHARDS,
  };
  switch (values.type) {
    case 'SIGN_IN':
      return {
        type: 'SIGN_IN',
        ...common,
        streakBonuses: (values.streakBonuses ?? []).map((b) => ({ day: b.day ?? 0, points: b.points ?? 0 })).sort((a, b) => a.day - b.day),
        streakBonusRepeats: values.streakBonusRepeats === true,
      };
    case 'SHARE':
      return { type: 'SHARE', ...common, timesPerDay: values.timesPerDay ?? 0 };
    case 'BROWSE_PRODUCT':
      return { type: 'BROWSE_PRODUCT', ...common, productId: values.productId?.trim() ?? '' };
    case 'CUSTOM':
      return { type: 'CUSTOM', ...common, period: values.period ?? 'DAILY' };
    case 'STREAK_CHALLENGE':
      return { type: 'STREAK_CHALLENGE', ...common, endsAt: common.endsAt ?? '', signInTaskId: values.signInTaskId?.trim() ?? '', streakDays: values.streakDays ?? 0 };
  }
}

/** Compares picked wall-clock times as the programme-zone instants they stand for. */
const instant = (value: Dayjs | null | undefined) => (value ? Date.parse(fromProgrammeInput(value)) : undefined);

export interface TaskFormDialogProps {
  readonly open: boolean;
  /** The task to edit; none: a new one. */
  readonly task?: Task | undefined;
  /** Pools the operator can pick from (those listed on the screen). */
  readonly pools: readonly Pool[];
  readonly onClose: () => void;
}

/** "New task" (every kind, its own fields) and "Edit task" (what the API lets change). */
export function TaskFormDialog({ open, task, pools, onClose }: TaskFormDialogProps) {
  const i18n = useMessages(poolMessages);
  const idempotency = useIdempotencyKey(open);
  return (
    <Modal
      open={open}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      width={760}
      title={task ? i18n.t('taskForm.editTitle', { name: task.name }) : i18n.t('taskForm.newTitle')}
    >
      {task ? (
        <TaskEditForm task={task} idempotency={idempotency} onClose={onClose} i18n={i18n} />
      ) : (
        <TaskCreateForm pools={pools} idempotency={idempotency} onClose={onClose} i18n={i18n} />
      )}
    </Modal>
  );
}

function useTaskSaved(idempotency: IdempotencyKey, onClose: () => void) {
  const queryClient = useQueryClient();
  return async () => {
    idempotency.succeeded();
    await queryClient.invalidateQueries({ queryKey: ['tasks'] });
    onClose();
  };
}

function endsAtRules(i18n: PoolI18n, required: boolean) {
  const { t } = i18n;
  return [
    ...(required ? [{ required: true, message: t('taskForm.endsAt.required') }] : []),
    ({ getFieldValue }: { getFieldValue: (name: string) => unknown }) => ({
      validator: (_: unknown, value: Dayjs | null | undefined) => {
        const start = instant(getFieldValue('startsAt') as Dayjs | null | undefined);
        const end = instant(value);
        return start === undefined || end === undefined || end > start ? Promise.resolve() : Promise.reject(new Error(t('taskForm.endsAt.afterStart')));
      },
    }),
  ];
}

function TaskCreateForm({ pools, idempotency, onClose, i18n }: { readonly pools: readonly Pool[]; readonly idempotency: IdempotencyKey; readonly onClose: () => void; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const saved = useTaskSaved(idempotency, onClose);
  const [form] = Form.useForm<TaskFormValues>();
  const [saving, setSaving] = useState(false);
  const [initialValues] = useState<Partial<TaskFormValues>>(() => ({
    type: 'SIGN_IN',
    name: '',
    description: '',
    status: 'ACTIVE',
    sortOrder: 1000,
    counterShards: DEFAULT_COUNTER_SHARDS,
    startsAt: wallClockNow().startOf('day'),
    endsAt: null,
    streakBonuses: [{ day: 7, points: 20 }],
    streakBonusRepeats: false,
    timesPerDay: 3,
    period: 'DAILY',
    streakDays: 7,
    ...(pools[0] ? { poolId: pools[0].poolId } : {}),
  }));
  const type = Form.useWatch('type', form) ?? 'SIGN_IN';
  const poolId = Form.useWatch('poolId', form);
  const activities = pools.find((p) => p.poolId === poolId)?.activities ?? [];

  const submit = async (values: TaskFormValues) => {
    setSaving(true);
    try {
      const created = await unwrap(api.POST('/v1/admin/tasks', { headers: { 'Idempotency-Key': idempotency.key }, body: taskInputOf(values) }));
      void message.success(t('taskForm.created', { name: created.name }));
      await saved();
    } catch (error) {
      showProblem(error, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<TaskFormValues> form={form} layout="vertical" requiredMark={false} initialValues={initialValues} onFinish={(values) => void submit(values)}>
      <Form.Item name="type" label={t('taskForm.type')}>
        <Radio.Group optionType="button" options={TASK_TYPES.map((value) => ({ value, label: t(`tasks.type.${value}`) }))} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={16}>
          <Form.Item name="name" label={t('taskForm.name')} rules={[{ required: true, whitespace: true, min: 2, message: t('taskForm.name.required') }]}>
            <Input maxLength={120} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="taskId" label={t('taskForm.taskId')}>
            <Input placeholder="t-sign-in" maxLength={64} />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="description" label={t('taskForm.description')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="points" label={t('taskForm.points')} rules={[{ required: true, type: 'integer', min: 1, message: t('taskForm.points.required') }]}>
            <InputNumber precision={0} min={1} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="poolId" label={t('taskForm.pool')} rules={[{ required: true, message: t('taskForm.pool.required') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={pools.map((p) => ({ value: p.poolId, label: `${p.name} (${p.poolId})` }))}
              onChange={() => form.setFieldValue('activity', undefined)}
            />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="activity" label={t('taskForm.activity')} rules={[{ required: true, message: t('taskForm.activity.required') }]}>
            <Select options={activities.map((a) => ({ value: a.activity, label: a.activity }))} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="startsAt" label={t('taskForm.startsAt', { zone })} rules={[{ required: true, message: t('taskForm.startsAt.required') }]}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="endsAt" label={t('taskForm.endsAt', { zone })} dependencies={['startsAt']} rules={endsAtRules(i18n, type === 'STREAK_CHALLENGE')}>
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <KindFields type={type} i18n={i18n} />
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="status" label={t('taskForm.status')}>
            <Radio.Group optionType="button" options={(['ACTIVE', 'PAUSED'] as const).map((value) => ({ value, label: t(`tasks.status.${value}`) }))} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="sortOrder" label={t('taskForm.sortOrder')} rules={[{ type: 'integer', min: 0, max: 1_000_000 }]}>
            <InputNumber precision={0} min={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      {/* Fixed at creation: the edit form has no such field. */}
      <Form.Item
        name="counterShards"
        label={t('taskForm.counterShards')}
        extra={t('taskForm.counterShards.help', { max: MAX_COUNTER_SHARDS })}
        rules={[{ type: 'integer', min: 1, max: MAX_COUNTER_SHARDS, message: t('taskForm.counterShards.range', { max: MAX_COUNTER_SHARDS }) }]}
      >
        <InputNumber precision={0} min={1} max={MAX_COUNTER_SHARDS} style={{ width: 160 }} />
      </Form.Item>
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('taskForm.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('taskForm.create')}
        </Button>
      </Flex>
    </Form>
  );
}

/** The fields of one kind of task. */
function KindFields({ type, i18n }: { readonly type: TaskType; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  switch (type) {
    case 'SIGN_IN':
      return (
        <>
          <Form.List
            name="streakBonuses"
            rules={[
              {
                validator: async (_, bonuses: TaskFormValues['streakBonuses']) => {
                  const days = (bonuses ?? []).map((b) => b?.day);
                  if (new Set(days).size !== days.length) throw new Error(t('taskForm.bonusDay.unique'));
                },
              },
            ]}
          >
            {(fields, { add, remove }, { errors }) => (
              <Form.Item label={t('taskForm.streakBonuses')}>
                {fields.map((field, index) => (
                  <Flex key={field.key} gap="small" align="start">
                    <Form.Item name={[field.name, 'day']} rules={[{ required: true, type: 'integer', min: 2, max: 366, message: t('taskForm.bonusDay.min') }]}>
                      <InputNumber precision={0} min={2} prefix={t('taskForm.bonusDay')} aria-label={`${t('taskForm.bonusDay')} (${index + 1})`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'points']} rules={[{ required: true, type: 'integer', min: 1, message: t('taskForm.points.required') }]}>
                      <InputNumber precision={0} min={1} prefix={t('taskForm.bonusPoints')} aria-label={`${t('taskForm.bonusPoints')} (${index + 1})`} />
                    </Form.Item>
                    <Button onClick={() => remove(field.name)}>{t('taskForm.remove')}</Button>
                  </Flex>
                ))}
                <Button type="dashed" onClick={() => add({ day: undefined, points: undefined })}>
                  {t('taskForm.addBonus')}
                </Button>
                <Form.ErrorList errors={errors} />
              </Form.Item>
            )}
          </Form.List>
          <Form.Item name="streakBonusRepeats" valuePropName="checked">
            <Checkbox>{t('taskForm.streakBonusRepeats')}</Checkbox>
          </Form.Item>
        </>
      );
    case 'SHARE':
      return (
        <Form.Item name="timesPerDay" label={t('taskForm.timesPerDay')} rules={[{ required: true, type: 'integer', min: 1, max: 100, message: t('taskForm.points.required') }]}>
          <InputNumber precision={0} min={1} max={100} />
        </Form.Item>
      );
    case 'BROWSE_PRODUCT':
      return (
        <Form.Item name="productId" label={t('taskForm.productId')} rules={[{ required: true, whitespace: true, message: t('taskForm.productId.required') }]}>
          <Input placeholder="p-tea-set" />
        </Form.Item>
      );
    case 'CUSTOM':
      return (
        <Form.Item name="period" label={t('taskForm.period')}>
          <Radio.Group options={PERIODS.map((value) => ({ value, label: t(`tasks.period.${value}`) }))} />
        </Form.Item>
      );
    case 'STREAK_CHALLENGE':
      return (
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="signInTaskId" label={t('taskForm.signInTaskId')} rules={[{ required: true, whitespace: true, message: t('taskForm.signInTaskId.required') }]}>
              <Input placeholder="t-sign-in" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="streakDays" label={t('taskForm.streakDays')} rules={[{ required: true, type: 'integer', min: 2, max: 366, message: t('taskForm.streakDays.required') }]}>
              <InputNumber precision={0} min={2} max={366} />
            </Form.Item>
          </Col>
        </Row>
      );
  }
}

interface TaskEditValues {
  status: Status;
  name: string;
  description: string;
  endsAt: Dayjs | null;
  sortOrder: number | null;
}

const editValuesOf = (task: Task): TaskEditValues => ({
  status: task.status,
  name: task.name,
  description: task.description,
  endsAt: task.endsAt ? wallClock(task.endsAt) : null,
  sortOrder: task.sortOrder,
});

/** What an edit changes against the task as opened (null endsAt: open-ended). */
export function taskChangesOf(before: TaskEditValues, after: TaskEditValues): Omit<TaskPatch, 'expectedVersion'> {
  const changes: Omit<TaskPatch, 'expectedVersion'> = {};
  if (after.status !== before.status) changes.status = after.status;
  if (after.name.trim() !== before.name) changes.name = after.name.trim();
  if ((after.description ?? '') !== before.description) changes.description = after.description ?? '';
  const endsBefore = before.endsAt ? fromProgrammeInput(before.endsAt) : null;
  const endsAfter = after.endsAt ? fromProgrammeInput(after.endsAt) : null;
  if (endsAfter !== endsBefore) changes.endsAt = endsAfter;
  if (after.sortOrder !== null && after.sortOrder !== before.sortOrder) changes.sortOrder = after.sortOrder;
  return changes;
}

function KindSummary({ task, i18n }: { readonly task: Task; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const kind: { key: string; label: string; children: string }[] = [];
  if (task.type === 'SIGN_IN') {
    kind.push({
      key: 'bonuses',
      label: t('taskForm.streakBonuses'),
      children: [task.streakBonuses.map((b) => t('tasks.streakBonus', { day: b.day, points: i18n.points(b.points) })).join(', ') || '—', task.streakBonusRepeats ? `(${t('tasks.repeats')})` : '']
        .join(' ')
        .trim(),
    });
  }
  if (task.type === 'SHARE') kind.push({ key: 'times', label: t('taskForm.timesPerDay'), children: String(task.timesPerPeriod) });
  if (task.type === 'BROWSE_PRODUCT') kind.push({ key: 'product', label: t('taskForm.productId'), children: task.productId ?? '' });
  if (task.type === 'CUSTOM') kind.push({ key: 'period', label: t('taskForm.period'), children: t(`tasks.period.${task.period}`) });
  if (task.type === 'STREAK_CHALLENGE') kind.push({ key: 'challenge', label: t('taskForm.streakDays'), children: t('tasks.challenge', { days: task.streakDays ?? 0, taskId: task.signInTaskId ?? '' }) });
  return (
    <Descriptions
      size="small"
      column={2}
      style={{ marginBottom: 16 }}
      items={[
        { key: 'type', label: t('taskForm.type'), children: t(`tasks.type.${task.type}`) },
        { key: 'points', label: t('taskForm.points'), children: i18n.points(task.points) },
        { key: 'pool', label: t('tasks.paidFrom'), children: `${task.poolId} / ${task.activity}` },
        { key: 'opens', label: t('taskForm.startsAt', { zone }), children: formatProgrammeTime(task.startsAt) },
        ...kind,
      ]}
    />
  );
}

function TaskEditForm({ task, idempotency, onClose, i18n }: { readonly task: Task; readonly idempotency: IdempotencyKey; readonly onClose: () => void; readonly i18n: PoolI18n }) {
  const { t } = i18n;
  const api = useApi();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const saved = useTaskSaved(idempotency, onClose);
  const [form] = Form.useForm<TaskEditValues>();
  const [before] = useState(() => editValuesOf(task));
  const [version, setVersion] = useState<{ version: number; newer: boolean }>({ version: task.version, newer: false });
  const [saving, setSaving] = useState(false);

  const submit = async (values: TaskEditValues) => {
    const changes = taskChangesOf(before, values);
    if (Object.keys(changes).length === 0) {
      void message.info(t('taskForm.noChanges'));
      return;
    }
    setSaving(true);
    try {
      const result = await unwrap(
        api.PATCH('/v1/admin/tasks/{taskId}', {
          params: { path: { taskId: task.taskId } },
          headers: { 'Idempotency-Key': idempotency.key },
          body: { expectedVersion: version.version, ...changes },
        }),
      );
      void message.success(t('taskForm.saved', { name: result.name }));
      await saved();
    } catch (error) {
      showProblem(error, form);
      if (error instanceof ProblemError && error.problem.code === 'CONFLICT') {
        try {
          const latest = await unwrap(api.GET('/v1/admin/tasks/{taskId}', { params: { path: { taskId: task.taskId } } }));
          setVersion({ version: latest.version, newer: true });
        } catch (reloadError) {
          showProblem(reloadError);
        }
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form<TaskEditValues> form={form} layout="vertical" requiredMark={false} initialValues={before} onFinish={(values) => void submit(values)}>
      {version.newer ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('taskForm.conflict', { version: version.version })} /> : null}
      <KindSummary task={task} i18n={i18n} />
      <Alert type="info" showIcon title={t('taskForm.fixed')} style={{ marginBottom: 16 }} />
      <Form.Item name="status" label={t('taskForm.status')}>
        <Radio.Group optionType="button" options={STATUSES.map((value) => ({ value, label: t(`tasks.status.${value}`) }))} />
      </Form.Item>
      <Form.Item name="name" label={t('taskForm.name')} rules={[{ required: true, whitespace: true, min: 2, message: t('taskForm.name.required') }]}>
        <Input maxLength={120} />
      </Form.Item>
      <Form.Item name="description" label={t('taskForm.description')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item
            name="endsAt"
            label={t('taskForm.endsAt', { zone })}
            rules={[
              ...(task.type === 'STREAK_CHALLENGE' ? [{ required: true, message: t('taskForm.endsAt.required') }] : []),
              {
                validator: (_, value: Dayjs | null | undefined) => {
                  const end = instant(value);
                  return end === undefined || end > Date.parse(task.startsAt) ? Promise.resolve() : Promise.reject(new Error(t('taskForm.endsAt.afterStart')));
                },
              },
            ]}
          >
            <DatePicker onKeyDown={keepEnterInPicker} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="sortOrder" label={t('taskForm.sortOrder')} rules={[{ type: 'integer', min: 0, max: 1_000_000 }]}>
            <InputNumber precision={0} min={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Flex justify="flex-end" gap="small">
        <Button onClick={onClose}>{t('taskForm.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('taskForm.save')}
        </Button>
      </Flex>
    </Form>
  );
}
