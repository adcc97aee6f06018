import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Empty, Flex, Row, Space, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { Chart, type ChartOption } from '../../charts/chart';
import { formatNumber, formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { EditDialog, StatusDialog, TopUpDialog, type StatusAction } from './draw-dialogs';
import { drawnShare, expectedPointsOfDraw, type DrawAdmin } from './draw-values';
import { DrawFormDialog, DrawStatusTag, useCanEditDraws, type DrawI18n } from './draws-page';
import { drawMessages } from './messages';

type Prize = DrawAdmin['prizes'][number];
type SeedPage = components['schemas']['DrawSeedPage'];
const percent = (share: number, i18n: DrawI18n) => `${formatNumber(share * 100, i18n.locale, 2)} %`;

/** Per prize, its published odds and its share of the spins so far, in percent, side by side. */
export function oddsOption(draw: DrawAdmin, i18n: DrawI18n): ChartOption {
  const { t } = i18n;
  const spins = draw.totals.spins;
  const round = (n: number) => Math.round(n * 10_000) / 100;
  return {
    tooltip: { trigger: 'axis', valueFormatter: (value) => `${String(value)} %` },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 48, bottom: 48 },
    xAxis: { type: 'category', data: draw.prizes.map((p) => p.name), axisLabel: { interval: 0, rotate: draw.prizes.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', name: '%', min: 0 },
    series: [
      { type: 'bar', name: t('page.chart.published'), data: draw.prizes.map((p) => round(p.odds)) },
      { type: 'bar', name: t('page.chart.drawn', { spins: i18n.points(spins) }), data: draw.prizes.map((p) => round(drawnShare(p.drawn, spins))) },
    ],
  };
}

function prizeColumns(draw: DrawAdmin, i18n: DrawI18n): TableColumnsType<Prize> {
  const { t } = i18n;
  const stockCell = (value: number | null) => (value === null ? t('page.unlimited') : i18n.points(value));
  return [
    {
      key: 'prize',
      title: t('page.prize'),
      render: (_, p) => (
        <Space size={4} wrap>
          <span>{p.name}</span>
          <Typography.Text type="secondary">({p.prizeId})</Typography.Text>
          {p.prizeId === draw.consolationPrizeId ? <Tag>{t('page.consolationTag')}</Tag> : null}
        </Space>
      ),
    },
    { key: 'kind', title: t('form.kind'), render: (_, p) => `${t(`form.kind.${p.kind}`)}${p.points !== null ? ` ${i18n.points(p.points)}` : ''}${p.couponTemplateId ?? p.productId ? ` ${p.couponTemplateId ?? p.productId}` : ''}` },
    { key: 'odds', title: t('page.odds'), render: (_, p) => percent(p.odds, i18n) },
    { key: 'share', title: t('page.drawnShare'), render: (_, p) => percent(drawnShare(p.drawn, draw.totals.spins), i18n) },
    { key: 'stock', title: t('page.stock'), render: (_, p) => stockCell(p.stock) },
    { key: 'left', title: t('page.stockLeft'), render: (_, p) => <span data-testid={`stock-left-${p.prizeId}`}>{stockCell(p.stockLeft)}</span> },
    { key: 'drawn', title: t('page.drawn'), render: (_, p) => i18n.points(p.drawn) },
    { key: 'awarded', title: t('page.awarded'), render: (_, p) => i18n.points(p.awarded) },
    { key: 'fellBack', title: t('page.fellBack'), render: (_, p) => i18n.points(p.fellBack) },
  ];
}

function Settings({ draw, i18n }: { readonly draw: DrawAdmin; readonly i18n: DrawI18n }) {
  const { t } = i18n;
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, lg: 2 }}
      items={[
        {
          key: 'window',
          label: t('draws.window', { zone: PROGRAMME_TIME_ZONE }),
          children: `${formatProgrammeTime(draw.startsAt).replace(` (${PROGRAMME_TIME_ZONE})`, '')} – ${formatProgrammeTime(draw.endsAt).replace(` (${PROGRAMME_TIME_ZONE})`, '')}`,
        },
        { key: 'spins', label: t('draws.spins'), children: t('draws.spinRule', { free: draw.freeSpinsPerDay, cost: i18n.points(draw.spinCostPoints), max: draw.maxSpinsPerDay }) },
        { key: 'operatorStatus', label: t('page.operatorStatus'), children: <span data-testid="operator-status">{t(`page.operatorStatus.${draw.operatorStatus}`)}</span> },
        { key: 'pool', label: t('page.pool'), children: draw.poolId ? `${draw.poolId} / ${draw.activity ?? ''}` : t('page.noPool') },
        { key: 'expected', label: t('page.expected'), children: `${formatNumber(expectedPointsOfDraw(draw), i18n.locale, 2)} / ${i18n.points(draw.spinCostPoints)}` },
        { key: 'version', label: t('page.version'), children: <span data-testid="draw-version">{draw.version}</span> },
        { key: 'created', label: t('draws.createdBy'), children: `${draw.createdBy}, ${formatProgrammeTime(draw.createdAt)}` },
        { key: 'description', label: t('form.description'), children: draw.description || '—' },
      ]}
    />
  );
}

function Totals({ draw, i18n }: { readonly draw: DrawAdmin; readonly i18n: DrawI18n }) {
  const { t } = i18n;
  const items = [
    ['page.totalSpins', draw.totals.spins],
    ['page.paidSpins', draw.totals.paidSpins],
    ['page.costPoints', draw.totals.costPoints],
    ['page.pointsAwarded', draw.totals.pointsAwarded],
    ['page.fallbacks', draw.totals.fallbacks],
  ] as const;
  return (
    <Row gutter={[16, 16]}>
      {items.map(([key, value]) => (
        <Col key={key} xs={12} lg={4}>
          <Statistic title={t(key)} value={i18n.points(value)} />
        </Col>
      ))}
    </Row>
  );
}

function Seeds({ drawId, i18n }: { readonly drawId: string; readonly i18n: DrawI18n }) {
  const { t } = i18n;
  const api = useApi();
  const seeds = useCursorList(['draw', drawId, 'seeds'], (cursor) =>
    unwrap(api.GET('/v1/admin/draws/{drawId}/seeds', { params: { path: { drawId }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  // The first page also carries the hashes of today's and tomorrow's seeds (not yet revealed).
  const first = seeds.data?.pages[0] as SeedPage | undefined;
  const zone = PROGRAMME_TIME_ZONE;
  const rows = [
    ...(first?.tomorrow ? [{ key: `t-${first.tomorrow.day}`, day: first.tomorrow.day, seedHash: first.tomorrow.seedHash, seed: t('page.seedTomorrow'), at: first.tomorrow.hashPublishedAt }] : []),
    ...(first?.today ? [{ key: `d-${first.today.day}`, day: first.today.day, seedHash: first.today.seedHash, seed: t('page.seedToday'), at: first.today.hashPublishedAt }] : []),
    ...seeds.items.map((s) => ({ key: s.day, day: s.day, seedHash: s.seedHash, seed: s.seed, at: s.hashPublishedAt })),
  ];
  const mono = { fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' as const };
  return (
    <>
      <Typography.Paragraph type="secondary">{t('page.seedsNote')}</Typography.Paragraph>
      {seeds.error ? <ProblemAlert error={seeds.error} /> : null}
      {first && !first.today ? <Typography.Paragraph>{t('page.noSeedToday')}</Typography.Paragraph> : null}
      <Table
        rowKey="key"
        size="small"
        pagination={false}
        loading={seeds.isPending && !seeds.error}
        dataSource={rows}
        columns={[
          { key: 'day', title: t('page.seedDay'), dataIndex: 'day' },
          { key: 'hash', title: t('page.seedHash'), render: (_, r) => <span style={mono}>{r.seedHash}</span> },
          { key: 'seed', title: t('page.seed'), render: (_, r) => <span style={mono}>{r.seed}</span> },
          { key: 'at', title: t('page.hashPublishedAt', { zone }), render: (_, r) => formatProgrammeTime(r.at).replace(` (${zone})`, '') },
        ]}
      />
      <LoadMore count={seeds.items.length} hasNextPage={seeds.hasNextPage} isFetchingNextPage={seeds.isFetchingNextPage} fetchNextPage={seeds.fetchNextPage} />
    </>
  );
}

function History({ draw, i18n }: { readonly draw: DrawAdmin; readonly i18n: DrawI18n }) {
  const { t } = i18n;
  const zone = PROGRAMME_TIME_ZONE;
  return (
    <Table
      rowKey="version"
      size="small"
      pagination={false}
      dataSource={draw.history}
      locale={{ emptyText: t('page.historyEmpty') }}
      columns={[
        { key: 'version', title: t('page.version'), dataIndex: 'version' },
        { key: 'at', title: t('page.historyAt', { zone }), render: (_, h) => formatProgrammeTime(h.at).replace(` (${zone})`, '') },
        { key: 'by', title: t('page.historyBy'), dataIndex: 'by' },
        {
          key: 'what',
          title: t('page.historyWhat'),
          render: (_, h) =>
            [
              ...Object.entries(h.changes).map(([field, c]) => `${field}: ${c.from} → ${c.to}`),
              ...h.stockTopUps.map((s) => t('page.historyStock', { prizeId: s.prizeId, add: s.add > 0 ? `+${s.add}` : String(s.add), before: s.stockBefore, after: s.stockAfter })),
            ].join('; '),
        },
      ]}
    />
  );
}

type Dialog = { kind: 'status'; action: StatusAction } | { kind: 'edit' } | { kind: 'topUp' } | { kind: 'copy' } | { kind: 'prizes' };

/** Until a minute before it opens (the API's rule), an upcoming draw's prizes and odds can be replaced. */
const PRIZES_FIXED_BEFORE_START_MS = 60_000;

/**
 * One draw (/console/draws/:drawId): its settings and status, pause / resume / end, edit (name, description, end),
 * stock top-ups, the prizes with odds, stock and counts, the drawn-against-odds chart, the published seeds and the
 * change history; "New draw from this one" starts a new draw from its prizes and odds.
 */
export function DrawPage() {
  const { drawId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(drawMessages);
  const { t } = i18n;
  const writer = useCanEditDraws();
  const [dialog, setDialog] = useState<{ open: boolean; which?: Dialog }>({ open: false });
  const draw = useQuery({
    queryKey: ['draw', drawId],
    queryFn: () => unwrap(api.GET('/v1/admin/draws/{drawId}', { params: { path: { drawId } } })),
  });
  const data = draw.data;
  const chart = useMemo(() => (data ? oddsOption(data, i18n) : undefined), [data, i18n]);
  const columns = useMemo(() => (data ? prizeColumns(data, i18n) : []), [data, i18n]);
  const show = (which: Dialog) => setDialog({ open: true, which });
  const close = () => setDialog((d) => ({ ...d, open: false }));

  if (draw.error) {
    return (
      <>
        <Link to="/draws">← {t('page.back')}</Link>
        <div style={{ marginTop: 16 }}>
          <ProblemAlert error={draw.error} />
        </div>
      </>
    );
  }
  const ended = data?.status === 'ENDED';
  // As of when the draw was read (the API refuses a late edit anyway, and the page reads the draw again after it).
  const prizesEditable = data !== undefined && !ended && Date.parse(data.startsAt) - PRIZES_FIXED_BEFORE_START_MS > draw.dataUpdatedAt;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Link to="/draws">← {t('page.back')}</Link>
        <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginTop: 8 }}>
          <Space align="center">
            <Typography.Title level={3} style={{ margin: 0 }}>
              {data?.name ?? drawId}
            </Typography.Title>
            {data ? <DrawStatusTag status={data.status} i18n={i18n} /> : null}
          </Space>
          {writer && data ? (
            <Space wrap>
              {!ended && data.operatorStatus === 'ACTIVE' ? <Button onClick={() => show({ kind: 'status', action: 'PAUSED' })}>{t('page.pause')}</Button> : null}
              {!ended && data.operatorStatus === 'PAUSED' ? <Button onClick={() => show({ kind: 'status', action: 'ACTIVE' })}>{t('page.resume')}</Button> : null}
              {!ended ? <Button onClick={() => show({ kind: 'edit' })}>{t('page.edit')}</Button> : null}
              {prizesEditable ? <Button onClick={() => show({ kind: 'prizes' })}>{t('page.editPrizes')}</Button> : null}
              {!ended && data.prizes.some((p) => p.stock !== null) ? <Button onClick={() => show({ kind: 'topUp' })}>{t('page.topUp')}</Button> : null}
              {!ended ? (
                <Button danger onClick={() => show({ kind: 'status', action: 'ENDED' })}>
                  {t('page.end')}
                </Button>
              ) : null}
              <Button type="primary" onClick={() => show({ kind: 'copy' })}>
                {t('page.copy')}
              </Button>
            </Space>
          ) : null}
        </Flex>
      </div>
      <Card title={t('page.settings')} loading={draw.isPending}>
        {data ? <Settings draw={data} i18n={i18n} /> : null}
      </Card>
      <Card title={t('page.totals')} loading={draw.isPending}>
        {data ? <Totals draw={data} i18n={i18n} /> : null}
      </Card>
      <Card title={t('page.prizeTable')} loading={draw.isPending}>
        {data ? <Table rowKey="prizeId" size="small" columns={columns} dataSource={data.prizes} pagination={false} scroll={{ x: 'max-content' }} /> : null}
      </Card>
      <Card title={t('page.chart')} loading={draw.isPending}>
        {data && data.totals.spins === 0 ? <Empty description={t('page.chart.noSpins')} /> : null}
        {chart ? <Chart option={chart} label={t('page.chart')} /> : null}
      </Card>
      <Card title={t('page.seeds')}>
        <Seeds drawId={drawId} i18n={i18n} />
      </Card>
      <Card title={t('page.history')} loading={draw.isPending}>
        {data ? <History draw={data} i18n={i18n} /> : null}
      </Card>
      {writer && data && dialog.which ? (
        dialog.which.kind === 'status' ? (
          <StatusDialog key={`status-${dialog.which.action}`} open={dialog.open} action={dialog.which.action} draw={data} i18n={i18n} onClose={close} />
        ) : dialog.which.kind === 'edit' ? (
          <EditDialog open={dialog.open} draw={data} i18n={i18n} onClose={close} />
        ) : dialog.which.kind === 'topUp' ? (
          <TopUpDialog open={dialog.open} draw={data} i18n={i18n} onClose={close} />
        ) : (
          <Suspense>
            <DrawFormDialog key={dialog.which.kind} open={dialog.open} from={data} mode={dialog.which.kind === 'prizes' ? 'edit' : 'new'} onClose={close} />
          </Suspense>
        )
      ) : null}
    </Space>
  );
}
