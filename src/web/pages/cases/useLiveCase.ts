// One case on a page that acts on it: loaded, kept current by live events (a reload waits while a step's form is
// open), and the step dialog's outcomes — done (show the answer) or conflict (say why and reload).
import { useEffect, useRef, useState } from 'react'
import { getCase, type ApiError, type CaseActionType, type CaseDetail } from '../../api/client'
import { useDebounced, useLiveEvents } from '../../app/useLiveEvents'
import { useLoad } from '../../app/useLoad'

export function useLiveCase(id: string) {
  const loaded = useLoad(() => getCase(id), null as CaseDetail | null, [id])
  const [detail, setDetail] = useState<CaseDetail | null>(null)
  const [action, setAction] = useState<CaseActionType | null>(null)
  const [conflict, setConflict] = useState<string | null>(null)

  useEffect(() => {
    if (loaded.data) setDetail(loaded.data)
  }, [loaded.data])

  // Someone changed this case: show it as it is now. While a step's form is open the reload waits for it to close.
  const dialogOpen = useRef(false)
  const stale = useRef(false)
  useEffect(() => {
    dialogOpen.current = action !== null
  }, [action])
  const reloadSoon = useDebounced(loaded.reload, 300)
  useLiveEvents((event) => {
    if (event.caseId !== id) return
    if (dialogOpen.current) stale.current = true
    else reloadSoon()
  })

  /** What the ActionDialog needs besides the case and the action. */
  const dialog = {
    onClose: () => {
      setAction(null)
      if (stale.current) {
        stale.current = false
        loaded.reload()
      }
    },
    onDone: (next: CaseDetail) => {
      stale.current = false
      setAction(null)
      setConflict(null)
      setDetail(next)
    },
    onConflict: (error: ApiError) => {
      stale.current = false
      setAction(null)
      setConflict(error.message)
      loaded.reload()
    },
  }

  const reload = () => {
    setConflict(null)
    loaded.reload()
  }

  return { loaded, detail, action, setAction, conflict, setConflict, dialog, reload }
}
