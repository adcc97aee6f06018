import { useQueryClient } from '@tanstack/react-query';
import { Button, Flex, Segmented, Select, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessage, useMessages, type ScreenI18n } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { fulfilmentMessages, type FulfilmentI18nKey } from './messages';
import { ReasonDialog } from './reason-dialog';

type Problem = components['schemas']['FulfilmentProblem'];
type DeadLetter = components['schemas']['DeadLetter'];
type Kind = Problem['kind'];
type Status = DeadLetter['status'];
type Source = DeadLetter['source'];
type I18n = ScreenI18n<FulfilmentI18nKey>;

const KINDS: readonly Kind[] = ['FAILED', 'STUCK'];
const STATUSES: readonly Status[] = ['OPEN', 'REDRIVEN', 'DISCARDED'];
const SOURCES: readonly Source[] = ['outbox', 'fulfilment', 'callbacks', 'other'];
const SUPPLIERS = ['jd', 'tmall'] as const;

const orderLink = (orderId: string) => (
  <Link to={`/orders/${encodeURIComponent(orderId)}`} data-testid="order-link">
    {orderId}
  </Link>
);
const memberLink = (memberId: string) => <Link to={`/members/${encodeURIComponent(memberId)}`}>{memberId}</Link>;

/** Replaces one search parameter (or removes it), keeping the others. */
function useParam(name: string): [string | null, (value: string | null) => void] {
  const [params, setParams] = useSearchParams();
  return [
    params.get(name),
    (value) => {
      const next = new URLSearchParams(params);
      if (value === null) next.delete(name);
      else next.set(name, value);
      setParams(next, { replace: true });
    },
  ];
}

function problemColumns(i18n: I18n, kind: Kind): TableColumnsType<Problem> {
  const { t } = i18n;
  return [
    { key: 'since', title: t(`fulfilment.since.${kind}`), render: (_, p) => formatProgrammeTime(p.since) },
    ...(kind === 'STUCK'
      ? ([{ key: 'deadline', title: t('fulfilment.deadline'), render: (_: unknown, p: Problem) => (p.deadlineAt ? formatProgrammeTime(p.deadlineAt) : '') }] satisfies TableColumnsType<Problem>)
      : []),
    { key: 'order', title: t('fulfilment.order'), render: (_, p) => orderLink(p.orderId) },
    { key: 'member', title: t('fulfilment.member'), render: (_, p) => memberLink(p.memberId) },
    { key: 'product', title: t('fulfilment.product'), render: (_, p) => `${p.productName} ×${p.quantity}` },
    { key: 'supplier', title: t('fulfilment.supplier'), render: (_, p) => `${p.supplierId} · ${p.sku}` },
    { key: 'status', title: t('fulfilment.status'), render: (_, p) => <Tag color={p.status === 'FAILED' ? 'red' : 'orange'}>{p.status}</Tag> },
    { key: 'reason', title: t('fulfilment.reason'), dataIndex: 'reason' },
  ];
}

function ProblemsTab() {
  const api = useApi();
  const i18n = useMessages(fulfilmentMessages);
  const { t } = i18n;
  const [kindParam, setKind] = useParam('kind');
  const [supplierParam, setSupplier] = useParam('supplier');
  const kind: Kind = KINDS.find((k) => k === kindParam) ?? 'FAILED';
  const supplier = SUPPLIERS.find((s) => s === supplierParam);
  const list = useCursorList(['fulfilment-problems', kind, supplier ?? ''], (cursor) =>
    unwrap(api.GET('/v1/admin/fulfilment/problems', { params: { query: { kind, limit: PAGE_SIZE, ...(supplier ? { supplier } : {}), ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => problemColumns(i18n, kind), [i18n, kind]);
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Segmented<Kind> value={kind} onChange={(next) => setKind(next)} options={KINDS.map((k) => ({ value: k, label: t(`fulfilment.kind.${k}`) }))} />
        <Select<string>
          style={{ minWidth: 160 }}
          value={supplier ?? ''}
          onChange={(value) => setSupplier(value === '' ? null : value)}
          options={[{ value: '', label: t('fulfilment.allSuppliers') }, ...SUPPLIERS.map((s) => ({ value: s, label: s }))]}
        />
        <Typography.Text type="secondary">{kind === 'FAILED' ? t('fulfilment.failedOrder') : t('fulfilment.stuckOrder')}</Typography.Text>
      </Space>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<Problem>
        rowKey="orderId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('fulfilment.noProblems') }}
        data-testid="fulfilment-problems-table"
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/** What a dialog is open on. */
type Opened = { readonly action: 'redrive' | 'discard'; readonly letter: DeadLetter } | { readonly action: 'redriveAll'; readonly source: Source | undefined };

function DeadLettersTab({ mayAct, onOpen }: { readonly mayAct: boolean; readonly onOpen: (opened: Opened) => void }) {
  const api = useApi();
  const i18n = useMessages(fulfilmentMessages);
  const { t } = i18n;
  const [statusParam, setStatus] = useParam('status');
  const [sourceParam, setSource] = useParam('source');
  const status: Status = STATUSES.find((s) => s === statusParam) ?? 'OPEN';
  const source = SOURCES.find((s) => s === sourceParam);
  const list = useCursorList(['dead-letters', status, source ?? ''], (cursor) =>
    unwrap(api.GET('/v1/admin/dead-letters', { params: { query: { status, limit: PAGE_SIZE, ...(source ? { source } : {}), ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo<TableColumnsType<DeadLetter>>(
    () => [
      { key: 'failedAt', title: t('deadLetters.failedAt'), render: (_, l) => formatProgrammeTime(l.failedAt) },
      { key: 'source', title: t('deadLetters.sourceColumn'), render: (_, l) => <Tag>{t(`deadLetters.source.${l.source}`)}</Tag> },
      { key: 'event', title: t('deadLetters.event'), render: (_, l) => l.detailType ?? '' },
      { key: 'target', title: t('deadLetters.target'), dataIndex: 'target' },
      { key: 'order', title: t('deadLetters.order'), render: (_, l) => (l.orderId ? orderLink(l.orderId) : '') },
      {
        key: 'error',
        title: t('deadLetters.error'),
        render: (_, l) => (
          <Typography.Text type="danger" style={{ maxWidth: 360 }} ellipsis={{ tooltip: l.error }} data-testid="dead-letter-error">
            {l.error}
          </Typography.Text>
        ),
      },
      { key: 'attempts', title: t('deadLetters.attempts'), align: 'right', dataIndex: 'attempts' },
      ...(status === 'OPEN'
        ? ([
            {
              key: 'actions',
              title: t('deadLetters.actions'),
              render: (_: unknown, letter: DeadLetter) =>
                mayAct ? (
                  <Space>
                    <Button size="small" type="primary" disabled={!letter.redrivable} title={letter.redrivable ? undefined : t('deadLetters.notRedrivable')} onClick={() => onOpen({ action: 'redrive', letter })}>
                      {t('deadLetters.redrive')}
                    </Button>
                    <Button size="small" danger onClick={() => onOpen({ action: 'discard', letter })}>
                      {t('deadLetters.discard')}
                    </Button>
                  </Space>
                ) : null,
            },
          ] satisfies TableColumnsType<DeadLetter>)
        : ([
            {
              key: 'closed',
              title: t('deadLetters.closed'),
              render: (_: unknown, l: DeadLetter) => {
                const at = l.redrivenAt ?? l.discardedAt;
                const by = l.redrivenBy ?? l.discardedBy ?? '';
                return (
                  <Flex vertical gap={2}>
                    <span>{at ? t('deadLetters.closedBy', { at: formatProgrammeTime(at), by }) : ''}</span>
                    {l.discardReason ? <Typography.Text type="secondary">{l.discardReason}</Typography.Text> : null}
                  </Flex>
                );
              },
            },
          ] satisfies TableColumnsType<DeadLetter>)),
    ],
    [t, status, mayAct, onOpen],
  );
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Segmented<Status> value={status} onChange={(next) => setStatus(next)} options={STATUSES.map((s) => ({ value: s, label: t(`deadLetters.status.${s}`) }))} />
        <Select<string>
          style={{ minWidth: 160 }}
          value={source ?? ''}
          onChange={(value) => setSource(value === '' ? null : value)}
          options={[{ value: '', label: t('deadLetters.allSources') }, ...SOURCES.map((s) => ({ value: s, label: t(`deadLetters.source.${s}`) }))]}
        />
        {mayAct && status === 'OPEN' ? (
          <Button onClick={() => onOpen({ action: 'redriveAll', source })} disabled={list.items.length === 0} data-testid="redrive-all">
            {t('deadLetters.redriveAll')}
          </Button>
        ) : null}
        {mayAct ? null : <Typography.Text type="secondary">{t('deadLetters.readOnly')}</Typography.Text>}
      </Space>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<DeadLetter>
        rowKey="deadLetterId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('deadLetters.empty') }}
        expandable={{
          expandedRowRender: (l) => (
            <Flex vertical gap={8}>
              <Typography.Text strong>{t('deadLetters.error')}</Typography.Text>
              <Typography.Paragraph type="danger" copyable style={{ marginBottom: 0 }}>
                {l.error}
              </Typography.Paragraph>
              <Typography.Text strong>{t('deadLetters.payload')}</Typography.Text>
              <pre style={{ maxHeight: 320, overflow: 'auto', margin: 0, padding: 8, background: 'rgba(0,0,0,0.04)' }} data-testid="dead-letter-payload">
                {l.payload}
              </pre>
            </Flex>
          ),
        }}
        data-testid="dead-letters-table"
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/** The dialog for what is open: redrive one (reason optional), redrive all (reason), discard (reason). */
function OpenDialog({ opened, open, onClose }: { readonly opened: Opened; readonly open: boolean; readonly onClose: () => void }) {
  const api = useApi();
  const i18n = useMessages(fulfilmentMessages);
  const { t } = i18n;
  const message = useMessage();
  const queryClient = useQueryClient();
  const refresh = () => Promise.all(['dead-letters', 'fulfilment-problems', 'dashboard', 'audit'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
  const header = (key: string) => ({ 'Idempotency-Key': key });

  if (opened.action === 'redriveAll') {
    const { source } = opened;
    return (
      <ReasonDialog
        open={open}
        title={t('dialog.redriveAllTitle')}
        subject={t('dialog.redriveAllSubject', { source: source ? ` (${t(`deadLetters.source.${source}`)})` : '' })}
        effect={t('dialog.redriveAllEffect')}
        okText={t('deadLetters.redriveAll')}
        reasonRequired
        send={async (reason, key) => {
          // Page after page (each call at most 25, one transaction) until no cursor is left; each page its own key derived from the dialog's.
          let redriven = 0;
          let skipped = 0;
          let cursor: string | undefined;
          for (let call = 0; call < 200; call += 1) {
            const page = await unwrap(
              api.POST('/v1/admin/dead-letters/redrive', {
                params: { query: { limit: 25, ...(source ? { source } : {}), ...(cursor ? { cursor } : {}) }, header: header(call === 0 ? key : `${key}-${call}`) },
                body: { reason: reason ?? '' },
              }),
            );
            redriven += page.redriven;
            skipped += page.skipped;
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          return { redriven, skipped };
        }}
        onDone={(result) => {
          onClose();
          void message.success(t('dialog.redrivenAll', { count: i18n.points(result.redriven), skipped: i18n.points(result.skipped) }));
          void refresh();
        }}
        onCancel={onClose}
      />
    );
  }
  const { letter } = opened;
  const subject = t('dialog.redriveSubject', {
    event: letter.detailType ?? '—',
    target: letter.target,
    order: letter.orderId ? ` (${letter.orderId})` : '',
    error: letter.error,
  });
  if (opened.action === 'redrive') {
    return (
      <ReasonDialog
        open={open}
        title={t('dialog.redriveTitle', { id: letter.deadLetterId })}
        subject={subject}
        effect={t('dialog.redriveEffect')}
        okText={t('deadLetters.redrive')}
        reasonRequired={false}
        send={(reason, key) =>
          unwrap(
            api.POST('/v1/admin/dead-letters/{deadLetterId}/redrive', {
              params: { path: { deadLetterId: letter.deadLetterId }, header: header(key) },
              body: reason ? { reason } : {},
            }),
          )
        }
        onDone={() => {
          onClose();
          void message.success(t('dialog.redriven'));
          void refresh();
        }}
        onCancel={onClose}
      />
    );
  }
  return (
    <ReasonDialog
      open={open}
      title={t('dialog.discardTitle', { id: letter.deadLetterId })}
      subject={subject}
      effect={t('dialog.discardEffect')}
      okText={t('deadLetters.discard')}
      danger
      reasonRequired
      send={(reason, key) =>
        unwrap(
          api.POST('/v1/admin/dead-letters/{deadLetterId}/discard', {
            params: { path: { deadLetterId: letter.deadLetterId }, header: header(key) },
            body: { reason: reason ?? '' },
          }),
        )
      }
      onDone={() => {
        onClose();
        void message.success(t('dialog.discarded'));
        void refresh();
      }}
      onCancel={onClose}
    />
  );
}

const openedKey = (opened: Opened) => (opened.action === 'redriveAll' ? `all:${opened.source ?? ''}` : `${opened.action}:${opened.letter.deadLetterId}`);

/** Failed and stuck supplier orders, and the dead letters with their error and payload: redrive one or all, discard with a reason. */
export function FulfilmentPage() {
  const { t } = useMessages(fulfilmentMessages);
  const session = useSession();
  const mayAct = canWrite(session?.roles ?? [], 'fulfilment');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'dead-letters' ? 'dead-letters' : 'problems';
  // The last dialog stays mounted while closed: reopening it after a failure resends its Idempotency-Key.
  const [opened, setOpened] = useState<Opened | null>(null);
  const [open, setOpen] = useState(false);
  const openDialog = useMemo(
    () => (next: Opened) => {
      setOpened(next);
      setOpen(true);
    },
    [],
  );
  return (
    <>
      <Typography.Title level={3}>{t('fulfilment.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('fulfilment.intro')}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(new URLSearchParams({ tab: key }), { replace: true })}
        items={[
          { key: 'problems', label: t('fulfilment.tab.problems'), children: <ProblemsTab /> },
          { key: 'dead-letters', label: t('fulfilment.tab.deadLetters'), children: <DeadLettersTab mayAct={mayAct} onOpen={openDialog} /> },
        ]}
      />
      {opened ? <OpenDialog key={openedKey(opened)} opened={opened} open={open} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
