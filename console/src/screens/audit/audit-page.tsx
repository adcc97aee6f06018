import { Button, DatePicker, Form, Input, Space, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { fromProgrammeInput, programmeTime, PROGRAMME_TIME_ZONE, TIME_FORMAT } from '../../format';
import { useMessages } from '../../i18n/locale';
import { AuditTable, type AuditFilters } from './audit-table';
import { auditMessages } from './messages';

interface FilterValues {
  readonly target?: string;
  readonly operatorId?: string;
  /** Wall-clock times meant in the programme's zone. */
  readonly time?: readonly [Dayjs | null, Dayjs | null] | null;
}

const TARGET = /^[a-z][a-z0-9-]*:\S+$/;
const OPERATOR_ID = /^[A-Za-z0-9._:@+-]+$/;

/** The filters as the URL keeps them (`?target=&operatorId=&from=&to=`, times as ISO instants). */
function filtersOf(params: URLSearchParams): AuditFilters {
  const pick = (name: keyof AuditFilters) => (params.get(name) ? { [name]: params.get(name) ?? '' } : {});
  return { ...pick('target'), ...pick('operatorId'), ...pick('from'), ...pick('to') };
}

/** A picked wall-clock time as the picker shows it (the programme's zone, whatever the browser's). */
function pickerValue(iso: string | undefined): Dayjs | null {
  return iso ? dayjs(programmeTime(iso).format('YYYY-MM-DDTHH:mm:ss')) : null;
}

/** Operator changes, filterable by target, operator and time range (GET /v1/admin/audit), a page at a time. */
export function AuditPage() {
  const i18n = useMessages(auditMessages);
  const { t } = i18n;
  const [form] = Form.useForm<FilterValues>();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersOf(params), [params]);

  const apply = (values: FilterValues) => {
    const next = new URLSearchParams();
    if (values.target?.trim()) next.set('target', values.target.trim());
    if (values.operatorId?.trim()) next.set('operatorId', values.operatorId.trim());
    const [from, to] = values.time ?? [null, null];
    if (from) next.set('from', fromProgrammeInput(from.second(0).millisecond(0)));
    // The end minute is included whole.
    if (to) next.set('to', fromProgrammeInput(to.second(59).millisecond(999)));
    setParams(next);
  };
  const clear = () => {
    form.resetFields();
    setParams(new URLSearchParams());
  };

  return (
    <>
      <Typography.Title level={3}>{t('audit.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('audit.intro')}</Typography.Paragraph>
      <Form<FilterValues>
        form={form}
        layout="inline"
        name="audit-filters"
        onFinish={apply}
        initialValues={{
          target: filters.target,
          operatorId: filters.operatorId,
          time: filters.from || filters.to ? [pickerValue(filters.from), pickerValue(filters.to)] : null,
        }}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="target" label={t('audit.filter.target')} tooltip={t('audit.filter.targetHelp')} rules={[{ pattern: TARGET, message: t('audit.filter.targetInvalid') }]}>
          <Input allowClear placeholder="member:m-gold" style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="operatorId" label={t('audit.filter.operatorId')} rules={[{ pattern: OPERATOR_ID, message: t('audit.filter.operatorIdInvalid') }]}>
          <Input allowClear placeholder="op-support" style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="time" label={t('audit.filter.time', { zone: PROGRAMME_TIME_ZONE })}>
          <DatePicker.RangePicker allowEmpty={[true, true]} showTime={{ format: 'HH:mm' }} format={TIME_FORMAT} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('audit.filter.submit')}
            </Button>
            <Button onClick={clear}>{t('audit.filter.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      <AuditTable filters={filters} />
    </>
  );
}
