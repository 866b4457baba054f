// Server-side paginated list state for tables: filters + page → fetch, with loading, error and reload.
import { useCallback, useState } from 'react'
import type { TablePaginationConfig } from 'antd'
import type { TFunction } from 'i18next'
import type { Page } from '../api/client'
import { useLoad } from './useLoad'

export interface PagedList<T, F> {
  items: T[]
  total: number
  loading: boolean
  error: unknown
  filters: F
  /** Replace the filters and go back to page 1. */
  setFilters: (next: F) => void
  reload: () => void
  /** What an antd Table of this list needs: `<Table {...list.table(t)} … />`. */
  table: (t: TFunction) => { loading: boolean; dataSource: T[]; pagination: TablePaginationConfig }
}

export function usePagedList<T, F extends object>(
  fetch: (query: F & { page: number; pageSize: number }) => Promise<Page<T>>,
  initial: F,
  initialPageSize = 20,
): PagedList<T, F> {
  const [filters, setFiltersState] = useState<F>(initial)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(initialPageSize)
  const { data, loading, error, reload } = useLoad(() => fetch({ ...filters, page, pageSize }), { items: [], total: 0 } as Page<T>, [filters, page, pageSize])


  const setFilters = useCallback((next: F) => {
    setFiltersState(next)
    setPage(1)
  }, [])

  const pagination = (t: TFunction): TablePaginationConfig => ({
    current: page,
    pageSize,
    total: data.total,
    showSizeChanger: true,
    pageSizeOptions: [10, 20, 50, 100],
    showTotal: (total) => (data.totalCapped ? t('common.totalCapped', { count: total }) : t('common.total', { count: total })),
    onChange: (p, size) => {
      if (size !== pageSize) {
        setPageSize(size)
        setPage(1)
      } else setPage(p)
    },
  })

  return {
    items: data.items,
    total: data.total,
    loading,
    error,
    filters,
    setFilters,
    reload,
    table: (t) => ({ loading, dataSource: data.items, pagination: pagination(t) }),
  }
}
