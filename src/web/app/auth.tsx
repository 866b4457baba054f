// Session state for the whole app: the public config, the signed-in user (from /api/auth/me), login, logout.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import * as api from '../api/client'
import type { AppConfig, Me } from '../api/client'

interface AuthState {
  /** undefined while the first /api/auth/me is in flight; null when nobody is signed in. */
  me: Me | null | undefined
  config: AppConfig | null
  /** A failure other than 401 on start-up (server down …). */
  startError: api.ApiError | null
  login: (username: string, password: string) => Promise<Me>
  logout: () => Promise<void>
  refresh: () => Promise<void>
  can: (permission: string) => boolean
  /** Whether the user may change things in an area: any permission of it beyond `<area>:read`. */
  canChange: (area: string) => boolean
}

const AuthContext = createContext<AuthState | null>(null)

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const [config, setConfig] = useState<AppConfig | null>(null)
  const [startError, setStartError] = useState<api.ApiError | null>(null)

  const refresh = useCallback(async () => {
    try {
      setMe(await api.getMe())
      setStartError(null)
    } catch (error) {
      if (error instanceof api.ApiError && error.status === 401) setMe(null)
      else setStartError(error instanceof api.ApiError ? error : new api.ApiError(0, 'NETWORK', String(error)))
    }
  }, [])

  useEffect(() => {
    api.onUnauthorized(() => setMe(null))
    void refresh()
    api.getConfig().then(setConfig, () => setConfig(null))
    return () => api.onUnauthorized(undefined)
  }, [refresh])

  const login = useCallback(async (username: string, password: string) => {
    const result = await api.login(username, password)
    setMe(result.user)
    return result.user
  }, [])

  const logout = useCallback(async () => {
    try {
      await api.logout()
    } finally {
      setMe(null)
    }
  }, [])

  const value = useMemo<AuthState>(() => {
    const permissions = new Set(me?.permissions ?? [])
    return {
      me,
      config,
      startError,
      login,
      logout,
      refresh,
      can: (permission) => permissions.has(permission),
      canChange: (area) => [...permissions].some((p) => p.startsWith(`${area}:`) && p !== `${area}:read` && p !== `${area}:view`),
    }
  }, [me, config, startError, login, logout, refresh])

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext)
  if (!state) throw new Error('useAuth outside AuthProvider')
  return state
}
