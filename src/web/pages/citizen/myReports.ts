// The reports made on this device (我的反映): ticket and secret token kept in localStorage, newest first, so the
// citizen follows and rates them without an account.
const KEY = 'xiuhua.citizen.reports'
const MAX = 50

export interface SavedReport {
  ticket: string
  token: string
  /** When it was saved here (ISO). */
  at: string
}

export function savedReports(): SavedReport[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '[]')
    if (!Array.isArray(value)) return []
    return value.filter((r): r is SavedReport =>
      !!r && typeof r === 'object' && typeof (r as SavedReport).ticket === 'string' && typeof (r as SavedReport).token === 'string')
  } catch {
    return []
  }
}

/** Keeps a report on this device (once per token; the newest first). */
export function saveReport(ticket: string, token: string): void {
  const list = [{ ticket, token, at: new Date().toISOString() }, ...savedReports().filter((r) => r.token !== token)].slice(0, MAX)
  try {
    window.localStorage.setItem(KEY, JSON.stringify(list))
  } catch {
    // private mode or full: the ticket on the result screen still lets the citizen follow it
  }
}

export function forgetReport(token: string): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(savedReports().filter((r) => r.token !== token)))
  } catch {
    // nothing kept to forget
  }
}
