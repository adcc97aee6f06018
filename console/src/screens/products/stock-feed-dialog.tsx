import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Alert, Button, Modal, Progress, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState, type ChangeEvent, type ReactNode } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert, useProblemHandler } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { productMessages } from './messages';
import type { ProductI18n } from './product-values';
import {
  csvReady,
  feedFinished,
  MAX_FEED_LINES,
  stockLinesOfCsv,
  type CsvLineProblem,
  type StockCsv,
  type StockFeed,
  type StockFeedLineStatus,
  type StockFeedResult,
} from './stock-feed-values';

/** How often a feed answered 202 (applied in the background) is read again until it is DONE or FAILED. */
export const FEED_POLL_MS = 2_000;
/** Results per page when a finished feed's results are read back (the API takes 1-1,000). */
const RESULTS_PAGE = 100;
/** Rows per page of the tables kept in the browser (the file's problems, a 201's results). */
const TABLE_PAGE = 10;

interface ChosenFile {
  readonly name: string;
  /** Generated when the file is chosen: every send of this file is the same feed, applied once by the API. */
  readonly feedId: string;
  readonly csv: StockCsv;
}

interface Sent {
  readonly feed: StockFeed;
  /** Answered 201: every line's result is in the answer. 202: the feed runs in the background and is followed. */
  readonly whole: boolean;
}

/** After a feed applied lines: the product lists and pages showing stock are read again. */
async function stockChanged(queryClient: QueryClient): Promise<void> {
  await queryClient.invalidateQueries({ queryKey: ['products'] });
  await queryClient.invalidateQueries({ queryKey: ['product'] });
}

/**
 * "Upload stock levels": a CSV of `productId,mode,quantity` read and checked in the browser (a file with a wrong
 * line is not sent), sent as one stock feed (POST /v1/admin/stock-feeds), then its results: at once for a small
 * feed (201), or its progress read every FEED_POLL_MS until it is over for a large one (202). Polling stops when
 * the dialog closes (it is unmounted); the feed goes on in the background.
 */
export function StockFeedDialog({ onClose }: { readonly onClose: () => void }) {
  const i18n = useMessages(productMessages);
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const showProblem = useProblemHandler();
  const [file, setFile] = useState<ChosenFile>();
  const [sent, setSent] = useState<Sent>();
  const [sending, setSending] = useState(false);
  const read = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (!chosen) return;
    // A new feed per file chosen: a double click or a retry after a lost answer resends this id, and the API
    // answers the feed it already took instead of applying it again. Choosing a file again is a new upload.
    const feedId = `console-${crypto.randomUUID()}`;
    setFile({ name: chosen.name, feedId, csv: stockLinesOfCsv(await chosen.text()) });
  };
  const upload = async () => {
    if (!file || !csvReady(file.csv) || sending) return;
    setSending(true);
    try {
      const call = api.POST('/v1/admin/stock-feeds', {
        // The feedId makes the feed idempotent; the same value as the key, as every console write sends one.
        headers: { 'Idempotency-Key': file.feedId },
        body: { feedId: file.feedId, lines: file.csv.lines },
      });
      const feed = await unwrap(call);
      const whole = (await call).response.status === 201;
      setSent({ feed, whole });
      if (whole) await stockChanged(queryClient);
    } catch (error) {
      showProblem(error);
    } finally {
      setSending(false);
    }
  };
  const fileLines = file?.csv.fileLines ?? [];
  return (
    <Modal
      open
      width={880}
      onCancel={onClose}
      title={t('feed.title')}
      okText={t('feed.upload')}
      cancelText={t('form.cancel')}
      okButtonProps={{ disabled: !file || !csvReady(file.csv) }}
      onOk={() => void upload()}
      confirmLoading={sending}
      footer={sent ? <Button onClick={onClose}>{t('feed.close')}</Button> : undefined}
      destroyOnHidden
    >
      {!sent ? (
        <>
          <Typography.Paragraph>{t('feed.intro', { max: i18n.points(MAX_FEED_LINES) })}</Typography.Paragraph>
          <label>
            {t('feed.file')}: <input type="file" accept=".csv,.txt,text/csv,text/plain" aria-label={t('feed.file')} onChange={(event) => void read(event)} />
          </label>
          {file ? <FileCheck file={file} i18n={i18n} /> : null}
        </>
      ) : sent.whole ? (
        <>
          <FeedStatus feed={sent.feed} i18n={i18n} />
          <ResultTabs feed={sent.feed} i18n={i18n} tab={(status) => <ResultsTable rows={sent.feed.results.filter((r) => r.status === status)} status={status} fileLines={fileLines} i18n={i18n} paged />} />
        </>
      ) : (
        <FollowedFeed first={sent.feed} fileLines={fileLines} i18n={i18n} />
      )}
    </Modal>
  );
}

/** What the browser found in the chosen file: ready to send, or what to fix first. */
function FileCheck({ file, i18n }: { readonly file: ChosenFile; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const { csv, name } = file;
  const max = i18n.points(MAX_FEED_LINES);
  return (
    <Space orientation="vertical" style={{ marginTop: 12, width: '100%' }}>
      {csv.header ? <Typography.Text type="secondary">{t('feed.header', { line: csv.header.line, text: csv.header.text })}</Typography.Text> : null}
      {csv.count === 0 ? <Alert type="error" showIcon title={t('feed.empty', { file: name })} /> : null}
      {csv.count > MAX_FEED_LINES ? <Alert type="error" showIcon title={t('feed.tooMany', { file: name, count: i18n.points(csv.count), max })} /> : null}
      {csv.problems.length > 0 ? (
        <>
          <Alert type="error" showIcon title={t('feed.invalid', { file: name, count: i18n.points(csv.problems.length) })} />
          <ProblemsTable problems={csv.problems} i18n={i18n} />
        </>
      ) : null}
      {csvReady(csv) ? <Alert type="success" showIcon title={t('feed.read', { file: name, count: i18n.points(csv.count) })} /> : null}
    </Space>
  );
}

function issueText(issue: CsvLineProblem['issues'][number], i18n: ProductI18n): string {
  return issue.kind === 'repeat' ? i18n.t('feed.issue.repeat', { line: issue.firstLine }) : i18n.t(`feed.issue.${issue.kind}`);
}

function ProblemsTable({ problems, i18n }: { readonly problems: readonly CsvLineProblem[]; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  return (
    <Table
      data-testid="feed-problems"
      size="small"
      rowKey="line"
      dataSource={[...problems]}
      pagination={problems.length > TABLE_PAGE ? { pageSize: TABLE_PAGE, showSizeChanger: false } : false}
      columns={[
        { key: 'line', title: t('feed.line'), dataIndex: 'line', width: 70 },
        { key: 'text', title: t('feed.text'), render: (_, p) => <Typography.Text code>{p.text}</Typography.Text> },
        { key: 'fix', title: t('feed.fix'), render: (_, p) => p.issues.map((issue) => issueText(issue, i18n)).join('; ') },
      ]}
    />
  );
}

/** A 202 feed: read again every FEED_POLL_MS until DONE or FAILED (then the product lists are read again). */
function FollowedFeed({ first, fileLines, i18n }: { readonly first: StockFeed; readonly fileLines: readonly number[]; readonly i18n: ProductI18n }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { feedId } = first;
  const query = useQuery({
    queryKey: ['stock-feed', feedId],
    // The state and counts only: the results are read once it is over, a page at a time, per tab.
    queryFn: () => unwrap(api.GET('/v1/admin/stock-feeds/{feedId}', { params: { path: { feedId }, query: { limit: 1 } } })),
    refetchInterval: (q) => (feedFinished(q.state.data?.state) ? false : FEED_POLL_MS),
    staleTime: 0,
  });
  const feed = query.data ?? first;
  const done = feedFinished(feed.state);
  useEffect(() => {
    if (done) void stockChanged(queryClient);
  }, [done, queryClient]);
  return (
    <>
      {query.error ? <ProblemAlert error={query.error} /> : null}
      <FeedStatus feed={feed} i18n={i18n} />
      {done ? <ResultTabs feed={feed} i18n={i18n} tab={(status) => <PagedResults feedId={feedId} status={status} fileLines={fileLines} i18n={i18n} />} /> : null}
    </>
  );
}

/** The feed's state: its progress while it runs, the applied and refused counts when DONE, the error when FAILED. */
function FeedStatus({ feed, i18n }: { readonly feed: StockFeed; readonly i18n: ProductI18n }) {
  const { t } = i18n;
  const { progress } = feed;
  const counts = { applied: i18n.points(progress.applied), refused: i18n.points(progress.refused) };
  return (
    <Space orientation="vertical" style={{ width: '100%', marginBottom: 8 }} data-testid="feed-status" data-state={feed.state}>
      <Space wrap>
        <Tag color={feed.state === 'DONE' ? 'green' : feed.state === 'FAILED' ? 'red' : 'blue'}>{t(`feed.state.${feed.state}`)}</Tag>
        <Typography.Text type="secondary" copyable={{ text: feed.feedId }}>
          {t('feed.id', { feedId: feed.feedId })}
        </Typography.Text>
      </Space>
      {!feedFinished(feed.state) ? (
        <>
          <Progress percent={feed.lineCount === 0 ? 0 : Math.floor((progress.linesDone / feed.lineCount) * 100)} />
          <Typography.Text>{t('feed.progress', { done: i18n.points(progress.linesDone), total: i18n.points(feed.lineCount), ...counts })}</Typography.Text>
          <Typography.Text type="secondary">{t('feed.background', { seconds: FEED_POLL_MS / 1000 })}</Typography.Text>
        </>
      ) : null}
      {feed.state === 'DONE' ? <Alert type={progress.refused > 0 ? 'warning' : 'success'} showIcon title={t('feed.done', counts)} /> : null}
      {feed.state === 'FAILED' ? (
        <Alert type="error" showIcon title={t('feed.failed', { error: feed.error ?? '' })} description={t('feed.progress', { done: i18n.points(progress.linesDone), total: i18n.points(feed.lineCount), ...counts })} />
      ) : null}
    </Space>
  );
}

/** Refused and applied lines in two tabs, the refused first when there are any. */
function ResultTabs({ feed, i18n, tab }: { readonly feed: StockFeed; readonly i18n: ProductI18n; readonly tab: (status: StockFeedLineStatus) => ReactNode }) {
  const { t } = i18n;
  return (
    <Tabs
      defaultActiveKey={feed.progress.refused > 0 || feed.progress.applied === 0 ? 'REFUSED' : 'APPLIED'}
      items={[
        { key: 'REFUSED', label: t('feed.tab.refused', { count: i18n.points(feed.progress.refused) }), children: tab('REFUSED') },
        { key: 'APPLIED', label: t('feed.tab.applied', { count: i18n.points(feed.progress.applied) }), children: tab('APPLIED') },
      ]}
    />
  );
}

/** A finished feed's results of one status, read back a page at a time with the API's cursor. */
function PagedResults({ feedId, status, fileLines, i18n }: { readonly feedId: string; readonly status: StockFeedLineStatus; readonly fileLines: readonly number[]; readonly i18n: ProductI18n }) {
  const api = useApi();
  const list = useCursorList(['stock-feed', feedId, status], async (cursor) => {
    const feed = await unwrap(api.GET('/v1/admin/stock-feeds/{feedId}', { params: { path: { feedId }, query: { limit: RESULTS_PAGE, status, ...(cursor ? { cursor } : {}) } } }));
    return { items: feed.results, nextCursor: feed.nextCursor };
  });
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <ResultsTable rows={list.items} status={status} fileLines={fileLines} i18n={i18n} loading={list.isPending && !list.error} />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

function ResultsTable({
  rows,
  status,
  fileLines,
  i18n,
  paged = false,
  loading = false,
}: {
  readonly rows: readonly StockFeedResult[];
  readonly status: StockFeedLineStatus;
  readonly fileLines: readonly number[];
  readonly i18n: ProductI18n;
  /** Paged in the browser (every result is in hand) rather than by the API's cursor. */
  readonly paged?: boolean;
  readonly loading?: boolean;
}) {
  const { t } = i18n;
  const columns: TableColumnsType<StockFeedResult> = [
      // The line as numbered in the operator's file (header and blank lines counted), else its place in the feed.
      { key: 'line', title: t('feed.line'), width: 70, render: (_, r) => fileLines[r.index] ?? r.index + 1 },
      { key: 'product', title: t('feed.product'), dataIndex: 'productId' },
      { key: 'change', title: t('feed.change'), render: (_, r) => t(r.mode === 'add' ? 'feed.change.add' : 'feed.change.set', { quantity: i18n.points(r.quantity) }) },
      ...(status === 'REFUSED'
        ? [
            {
              key: 'problem',
              title: t('feed.problem'),
              render: (_: unknown, r: StockFeedResult) =>
                r.problem ? (
                  <Space size={4} wrap>
                    <Tag>{r.problem.code}</Tag>
                    <span>{r.problem.detail}</span>
                  </Space>
                ) : null,
            },
          ]
        : [
            { key: 'before', title: t('feed.before'), align: 'right' as const, render: (_: unknown, r: StockFeedResult) => (r.before === null ? '' : i18n.points(r.before)) },
            { key: 'after', title: t('feed.after'), align: 'right' as const, render: (_: unknown, r: StockFeedResult) => (r.after === null ? '' : i18n.points(r.after)) },
          ]),
  ];
  return (
    <Table
      data-testid={`feed-results-${status}`}
      size="small"
      rowKey="index"
      dataSource={[...rows]}
      columns={columns}
      loading={loading}
      pagination={paged && rows.length > TABLE_PAGE ? { pageSize: TABLE_PAGE, showSizeChanger: false } : false}
      locale={{ emptyText: t(status === 'REFUSED' ? 'feed.noneRefused' : 'feed.noneApplied') }}
    />
  );
}
