// Where the phone is: the device's position (WGS-84, as the server expects by default), distances and their display.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Lang } from '../../api/client'

export interface Fix {
  lng: number
  lat: number
  /** Radius of the 68 % confidence circle, in metres. */
  accuracy: number
}

export type GeoProblem = 'unsupported' | 'denied' | 'unavailable' | 'timeout'

export interface Geolocation {
  fix: Fix | null
  locating: boolean
  problem: GeoProblem | null
  /** Asks the device again (a fresh fix, not a cached one). */
  locate: () => void
}

const OPTIONS: PositionOptions = { enableHighAccuracy: true, timeout: 20_000, maximumAge: 30_000 }

function problemOf(error: GeolocationPositionError): GeoProblem {
  if (error.code === error.PERMISSION_DENIED) return 'denied'
  if (error.code === error.TIMEOUT) return 'timeout'
  return 'unavailable'
}

/** The device's position, asked once on mount and again on `locate()`. */
export function useGeolocation(): Geolocation {
  const [fix, setFix] = useState<Fix | null>(null)
  const [locating, setLocating] = useState(false)
  const [problem, setProblem] = useState<GeoProblem | null>(null)
  const live = useRef(true)

  const ask = useCallback((maximumAge: number) => {
    if (!('geolocation' in navigator)) {
      setProblem('unsupported')
      return
    }
    setLocating(true)
    navigator.geolocation.getCurrentPosition(
      (position) => {
        if (!live.current) return
        setFix({ lng: position.coords.longitude, lat: position.coords.latitude, accuracy: position.coords.accuracy })
        setProblem(null)
        setLocating(false)
      },
      (error) => {
        if (!live.current) return
        setProblem(problemOf(error))
        setLocating(false)
      },
      { ...OPTIONS, maximumAge },
    )
  }, [])

  useEffect(() => {
    live.current = true
    ask(OPTIONS.maximumAge ?? 0)
    return () => {
      live.current = false
    }
  }, [ask])

  const locate = useCallback(() => ask(0), [ask])
  return { fix, locating, problem, locate }
}

const EARTH_RADIUS = 6_371_008.8

/** Great-circle distance in metres between two [lng, lat] points. */
export function distanceMetres(a: readonly [number, number], b: readonly [number, number]): number {
  const rad = Math.PI / 180
  const dLat = (b[1] - a[1]) * rad
  const dLng = (b[0] - a[0]) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** "350 米" / "1.2 公里", "350 m" / "1.2 km": metres to the nearest 10 below a kilometre. */
export function formatDistance(metres: number, lang: Lang): string {
  if (metres < 1000) return lang === 'en' ? `${Math.max(10, Math.round(metres / 10) * 10)} m` : `${Math.max(10, Math.round(metres / 10) * 10)} 米`
  const km = new Intl.NumberFormat(lang, { maximumFractionDigits: metres < 10_000 ? 1 : 0 }).format(metres / 1000)
  return lang === 'en' ? `${km} km` : `${km} 公里`
}
