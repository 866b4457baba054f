// The field supervisor's outbox: a report made without a connection (or refused by a network fault or a server fault)
// waits in IndexedDB — its fields and its photo Blobs — and goes up by itself, oldest first, when the browser is
// online again (the `online` event, each page load, and retries with backoff). The report and its photos go up in one
// request, and its clientId makes a retry answer the same case without storing the photos again, so nothing is doubled.
import { useSyncExternalStore } from 'react'
import { createStore, del, entries, set, type UseStore } from 'idb-keyval'
import { ApiError, reportCase, reportCaseWithPhotos, type CaseReport, type CaseReportReply } from '../../api/client'

/** Everything of a report but its photos (the same clientId on every try). */
export type ReportFields = Omit<CaseReport, 'photoIds'>

export interface QueuedPhoto {
  name: string
  blob: Blob
}

export interface QueuedReport {
  clientId: string
  /** Whose report it is: a phone shared by two people uploads each one's reports under their own session only. */
  userId: string
  queuedAt: number
  fields: ReportFields
  photos: QueuedPhoto[]
  attempts: number
  /** Not before this time (ms since the epoch): the backoff after a failed try. */
  nextAttemptAt: number
  lastError?: string
  /** The server refused the report itself (not a fault of the network or the server): it waits for the user. */
  refused?: string
}

/** Where a report being sent is: photo n of m, then the report itself. */
export interface SendProgress {
  step: 'photo' | 'report'
  /** Photos already stored. */
  done: number
  total: number
  /** 0…1 over the whole report. */
  fraction: number
}

export interface SentReport {
  clientId: string
  caseId: string
  ticket: string
  description: string
}

export interface OutboxSnapshot {
  /** This user's queued reports, oldest first. */
  items: readonly QueuedReport[]
  /** The queued report going up now. */
  sending: { clientId: string; progress: SendProgress } | null
  /** Reports of this page load that went up from the queue, newest first. */
  sent: readonly SentReport[]
  online: boolean
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Sends one report with its photos in one request (POST /api/cases as multipart; JSON when there are none): the
 * server stores the case and its photos together, so a lost answer retried stores nothing twice.
 */
export async function sendReport(fields: ReportFields, photos: readonly QueuedPhoto[], onProgress?: (progress: SendProgress) => void): Promise<CaseReportReply> {
  const total = photos.length
  if (!total) {
    onProgress?.({ step: 'report', done: 0, total, fraction: 0 })
    const reply = await reportCase(fields)
    onProgress?.({ step: 'report', done: 0, total, fraction: 1 })
    return reply
  }
  onProgress?.({ step: 'photo', done: 0, total, fraction: 0 })
  const reply = await reportCaseWithPhotos(fields, photos, (f) => {
    // the bytes go up photo after photo; once all are up the server is storing the report
    if (f >= 1) onProgress?.({ step: 'report', done: total, total, fraction: 0.95 })
    else onProgress?.({ step: 'photo', done: Math.min(total - 1, Math.floor(f * total)), total, fraction: f * 0.95 })
  })
  onProgress?.({ step: 'report', done: total, total, fraction: 1 })
  return reply
}

/** Codes that say "not now" rather than "not this report": the session ended or a password change is due. */
const LATER_CODES = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED', 'PASSWORD_CHANGE_REQUIRED'])

/** Whether a failed send is worth trying again unchanged: no connection, a server fault, too many requests, no session. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true
  return error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429 || error.status === 401 || LATER_CODES.has(error.code)
}

/** 2 s, 4 s, 8 s … up to a minute between tries. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempts - 1))
}

/** A client id for a new report; randomUUID needs a secure context, which a plain-HTTP intranet server is not. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

// ---------------------------------------------------------------------------------------------------------------
// The queue: one per tab, the IndexedDB store shared by the tabs (a Web Lock lets one tab send at a time).

let store: UseStore | undefined
const db = () => (store ??= createStore('xiuhua-field', 'outbox'))

let userId: string | null = null
let snapshot: OutboxSnapshot = { items: [], sending: null, sent: [], online: typeof navigator === 'undefined' ? true : navigator.onLine }
const subscribers = new Set<() => void>()
let running = false
let again = false
let timer: ReturnType<typeof setTimeout> | undefined

function publish(change: Partial<OutboxSnapshot>): void {
  snapshot = { ...snapshot, ...change }
  for (const notify of subscribers) notify()
}

export function subscribe(notify: () => void): () => void {
  subscribers.add(notify)
  return () => subscribers.delete(notify)
}

export function getSnapshot(): OutboxSnapshot {
  return snapshot
}

async function mine(): Promise<QueuedReport[]> {
  if (!userId) return []
  const all = await entries<string, QueuedReport>(db())
  return all.map(([, item]) => item).filter((item) => item.userId === userId).sort((a, b) => a.queuedAt - b.queuedAt)
}

async function refresh(): Promise<QueuedReport[]> {
  const items = await mine()
  publish({ items })
  return items
}

function schedule(at: number): void {
  clearTimeout(timer)
  timer = setTimeout(() => void flush(), Math.max(0, at - Date.now()))
}

/** Runs `fn` while no other tab of this browser sends (where Web Locks exist). */
async function exclusively(fn: () => Promise<void>): Promise<void> {
  if ('locks' in navigator) await navigator.locks.request('xiuhua-field-outbox', fn)
  else await fn()
}

/** One pass over the queue, oldest first; a report that cannot go now stops the pass so the order holds. */
async function pass(force: boolean): Promise<void> {
  for (const item of await refresh()) {
    if (item.refused) continue
    if (!navigator.onLine) return
    if (!force && item.nextAttemptAt > Date.now()) {
      schedule(item.nextAttemptAt)
      return
    }
    try {
      publish({ sending: { clientId: item.clientId, progress: { step: 'photo', done: 0, total: item.photos.length, fraction: 0 } } })
      const reply = await sendReport(item.fields, item.photos, (progress) => publish({ sending: { clientId: item.clientId, progress } }))
      await del(item.clientId, db())
      publish({ sent: [{ clientId: item.clientId, caseId: reply.case.id, ticket: reply.case.ticket, description: item.fields.description }, ...snapshot.sent].slice(0, 20) })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (isTransient(error)) {
        const attempts = item.attempts + 1
        const nextAttemptAt = Date.now() + backoffMs(attempts)
        await set(item.clientId, { ...item, attempts, nextAttemptAt, lastError: message }, db())
        schedule(nextAttemptAt)
        return
      }
      await set(item.clientId, { ...item, attempts: item.attempts + 1, refused: message, lastError: message }, db())
    } finally {
      publish({ sending: null })
      await refresh()
    }
  }
}

/** Sends what is queued (now, ignoring the backoff, when `force`); calls during a pass run one more pass after it. */
export async function flush(force = false): Promise<void> {
  if (!userId) return
  if (running) {
    again = true
    return
  }
  running = true
  try {
    do {
      again = false
      await exclusively(() => pass(force))
    } while (again)
  } catch {
    // IndexedDB unavailable (private mode of some browsers): nothing was queued either
  } finally {
    running = false
  }
}

/** Keeps a report for later; it goes up by itself once the browser is online. */
export async function enqueue(fields: ReportFields, photos: readonly QueuedPhoto[], lastError?: string): Promise<void> {
  if (!userId) throw new Error('outbox not started')
  const item: QueuedReport = { clientId: fields.clientId, userId, queuedAt: Date.now(), fields, photos: [...photos], attempts: 0, nextAttemptAt: 0, lastError }
  await set(item.clientId, item, db())
  await refresh()
  void flush()
}

/** Drops a queued report (the user gave up on a refused one). */
export async function discard(clientId: string): Promise<void> {
  await del(clientId, db())
  await refresh()
}

/** Starts the queue for the signed-in user: loads it, sends it, and sends again whenever the browser comes online. */
export function startOutbox(user: string): () => void {
  userId = user
  publish({ items: [], sent: [], online: navigator.onLine })
  const online = () => {
    publish({ online: true })
    void flush(true)
  }
  const offline = () => publish({ online: false })
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  void flush(true)
  return () => {
    window.removeEventListener('online', online)
    window.removeEventListener('offline', offline)
    clearTimeout(timer)
    if (userId === user) userId = null
    publish({ items: [], sending: null, sent: [] })
  }
}

/** The queue as the pages show it (re-rendering on every change). */
export function useOutbox(): OutboxSnapshot {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}
