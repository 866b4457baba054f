// The field pages' pure parts: distances and their display, which failures the outbox retries, and its backoff.
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/client'
import { distanceMetres, formatDistance } from './geo'
import { backoffMs, isTransient, newClientId } from './outbox'

describe('distances', () => {
  it('measures along the great circle and shows metres or kilometres in the UI language', () => {
    // 0.001° of latitude is about 111 m anywhere; 0.001° of longitude at 30.9° N about 95 m.
    expect(distanceMetres([114.8, 30.9], [114.8, 30.901])).toBeCloseTo(111.2, 0)
    expect(distanceMetres([114.8, 30.9], [114.801, 30.9])).toBeCloseTo(95.4, 0)
    expect(formatDistance(3, 'zh-CN')).toBe('10 米')
    expect(formatDistance(344, 'zh-CN')).toBe('340 米')
    expect(formatDistance(1234, 'zh-CN')).toBe('1.2 公里')
    expect(formatDistance(344, 'en')).toBe('340 m')
    expect(formatDistance(23_456, 'en')).toBe('23 km')
  })
})

describe('the outbox', () => {
  it('retries what the network or the server failed, not what the server refused', () => {
    expect(isTransient(new ApiError(0, 'NETWORK', 'offline'))).toBe(true)
    expect(isTransient(new ApiError(503, 'UNAVAILABLE', 'busy'))).toBe(true)
    expect(isTransient(new ApiError(401, 'SESSION_EXPIRED', 'signed out'))).toBe(true)
    expect(isTransient(new ApiError(403, 'PASSWORD_CHANGE_REQUIRED', 'change it'))).toBe(true)
    expect(isTransient(new ApiError(400, 'BAD_REQUEST', 'unknown class'))).toBe(false)
    expect(isTransient(new ApiError(403, 'FORBIDDEN', 'not yours'))).toBe(false)
    expect(isTransient(new TypeError('Failed to fetch'))).toBe(true)
  })

  it('waits 2 s, 4 s, 8 s … and at most a minute between tries', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
  })

  it('makes client ids the server accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, newClientId))
    expect(ids.size).toBe(50)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_.:-]{8,64}$/)
  })
})
