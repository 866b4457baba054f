// Display formats shared by the pages: dates and times, areas, in the UI language.
import type { Lang } from '../api/client'

export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(lang, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(date)
}

/** Square metres below one hectare, hectares above (the unit grid work is talked about in). */
export function formatArea(m2: number, lang: Lang): string {
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: m2 >= 10000 ? 2 : 0 })
  return m2 >= 10000 ? `${number.format(m2 / 10000)} ${lang === 'en' ? 'ha' : '公顷'}` : `${number.format(m2)} m²`
}
