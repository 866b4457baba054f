// Shows a failed API call inside a form or page: the server's message in the UI language, plus listed details.
import type { CSSProperties } from 'react'
import { Alert } from 'antd'
import { ApiError } from '../api/client'
import i18n from './i18n'

/** The text to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK') return i18n.t('common.networkError')
    return error.message
  }
  return error instanceof Error ? error.message : String(error)
}

/** Detail lines when the server lists them (validation problems): strings or objects with a message. */
function detailLines(details: unknown): string[] {
  const list = Array.isArray(details) ? details : (details as { errors?: unknown } | null)?.errors
  if (!Array.isArray(list)) return []
  return list
    .map((d: unknown) => {
      if (typeof d === 'string') return d
      if (d && typeof d === 'object') {
        const o = d as { message?: unknown; path?: unknown; field?: unknown; instancePath?: unknown }
        const where = [o.field, o.path, o.instancePath].find((v) => typeof v === 'string' && v)
        return typeof o.message === 'string' ? (where ? `${String(where)}: ${o.message}` : o.message) : ''
      }
      return ''
    })
    .filter(Boolean)
    .slice(0, 10)
}

export function ServerError({ error, style }: { error: unknown; style?: CSSProperties }) {
  if (!error) return null
  const lines = error instanceof ApiError ? detailLines(error.details) : []
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="server-error"
      style={{ marginBottom: 16, ...style }}
      title={errorMessage(error)}
      description={lines.length ? <ul style={{ margin: 0, paddingInlineStart: 18 }}>{lines.map((l, i) => <li key={i}>{l}</li>)}</ul> : undefined}
    />
  )
}
