import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { Button, Flex, Typography } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../i18n/locale';

/** What every list route of the API answers (`?cursor=&limit=` in). */
export interface CursorPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Rows a page asks for: enough to fill a screen, small enough to answer fast. */
export const PAGE_SIZE = 20;

/**
 * A list read page by page with the API's sealed cursors: the first page at once, the next ones when asked ("Load
 * more"). Never fetches everything. `fetchPage` gets the previous page's `nextCursor` (undefined for the first).
 */
export function useCursorList<T>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  return { ...query, items };
}

/** The "Load more" button under a list, and how many rows are shown. */
export function LoadMore({
  count,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
}: {
  readonly count: number;
  readonly hasNextPage: boolean;
  readonly isFetchingNextPage: boolean;
  readonly fetchNextPage: () => unknown;
}) {
  const { t } = useI18n();
  return (
    <Flex justify="center" align="center" gap="middle" style={{ marginTop: 16 }}>
      <Typography.Text type="secondary">{t('list.shown', { count })}</Typography.Text>
      {hasNextPage ? (
        <Button onClick={() => void fetchNextPage()} loading={isFetchingNextPage}>
          {t('list.loadMore')}
        </Button>
      ) : (
        count > 0 && <Typography.Text type="secondary">{t('list.end')}</Typography.Text>
      )}
    </Flex>
  );
}
