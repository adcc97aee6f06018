import { Button, DatePicker, Form } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { ProblemError } from '../../api/problem';
import { useProblemHandler } from '../../api/use-problem';
import { DATE_FORMAT, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { reportMessages } from './messages';

/** A range of programme-local days, both included, as the report routes take them (`YYYY-MM-DD`). */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/** Today in the programme's time zone, whatever the browser's zone. */
export function programmeToday(now: Date = new Date()): string {
  return dayjs(now).tz(PROGRAMME_TIME_ZONE).format(DATE_FORMAT);
}

/** The `days` programme days up to today. */
export function lastDays(days: number, now: Date = new Date()): DayRange {
  const to = programmeToday(now);
  return { from: dayjs(to).subtract(days - 1, 'day').format(DATE_FORMAT), to };
}

/** Days from `from` to `to`, both included. */
export function daysIn(range: DayRange): number {
  return dayjs(range.to).diff(dayjs(range.from), 'day') + 1;
}

interface Values {
  range: [Dayjs | null, Dayjs | null] | null;
}

/**
 * A problem about the report's `from` or `to` (the route's query) is about the one range field: the form has no
 * `from` or `to` field for showProblem to place it on.
 */
function onRangeField(error: unknown): unknown {
  if (!(error instanceof ProblemError) || !error.problem.errors) return error;
  const errors = error.problem.errors.map((e) => (/^(query\.)?(from|to)$/.test(e.path) ? { ...e, path: 'range' } : e));
  return new ProblemError({ ...error.problem, errors });
}

export interface DateRangeFormProps {
  /** The longest range the route takes. */
  readonly maxDays: number;
  readonly initial: DayRange;
  /** Loads the report for the range; a failure is shown, with its field errors on the range. */
  readonly onSubmit: (range: DayRange) => Promise<void>;
}

/**
 * The range of programme days a report covers: a range picker of calendar days (days in the programme's zone, which
 * it names; nothing after the programme's today), at most `maxDays`.
 */
export function DateRangeForm({ maxDays, initial, onSubmit }: DateRangeFormProps) {
  const i18n = useMessages(reportMessages);
  const { t } = i18n;
  const showProblem = useProblemHandler();
  const [form] = Form.useForm<Values>();
  const [submitting, setSubmitting] = useState(false);
  const today = programmeToday();

  const submit = async (values: Values) => {
    const [first, last] = values.range ?? [null, null];
    if (!first || !last) return;
    setSubmitting(true);
    try {
      await onSubmit({ from: first.format(DATE_FORMAT), to: last.format(DATE_FORMAT) });
    } catch (error) {
      showProblem(onRangeField(error), form);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Form<Values>
      form={form}
      layout="inline"
      initialValues={{ range: [dayjs(initial.from), dayjs(initial.to)] }}
      onFinish={(values) => void submit(values)}
      style={{ marginBottom: 16, rowGap: 8 }}
    >
      <Form.Item
        name="range"
        label={t('reports.range')}
        extra={t('reports.range.zone', { zone: PROGRAMME_TIME_ZONE })}
        rules={[
          {
            validator: async (_, value: Values['range']) => {
              if (!value?.[0] || !value[1]) throw new Error(t('reports.range.required'));
              const days = daysIn({ from: value[0].format(DATE_FORMAT), to: value[1].format(DATE_FORMAT) });
              if (days > maxDays) throw new Error(t('reports.range.tooLong', { days: maxDays }));
            },
          },
        ]}
      >
        <DatePicker.RangePicker allowClear={false} format={DATE_FORMAT} disabledDate={(day) => day.format(DATE_FORMAT) > today} />
      </Form.Item>
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={submitting}>
          {t('reports.show')}
        </Button>
      </Form.Item>
    </Form>
  );
}
