// Specifies the synthetic Xinzhou demo geometry: valid codes, an exact gap-free tiling, and plausible sizes.
import { describe, expect, it } from 'vitest'
import { GridIndex } from '../../platform/geo/grid-index.js'
import { generateDemoGeometry, traceOutlines } from './demo-geometry.js'
import type { DemoCell, DemoGeometry, LngLat, Ring } from './demo-geometry.js'
import demo from './seed/xinzhou-demo.json' with { type: 'json' }

const geometry = generateDemoGeometry(demo)
const [minLng, minLat, maxLng, maxLat] = demo.district.bbox as [number, number, number, number]
const allCells = (g: DemoGeometry) => g.streets.flatMap((s) => s.communities.flatMap((c) => c.cells))

/** Shoelace area in square degrees: positive for a counter-clockwise ring. */
function ringArea(ring: Ring): number {
  let sum = 0
  for (let k = 0; k + 1 < ring.length; k++) sum += ring[k]![0] * ring[k + 1]![1] - ring[k + 1]![0] * ring[k]![1]
  return sum / 2
}
const multiArea = (polygons: Ring[][]) => polygons.reduce((a, p) => a + p.reduce((b, r) => b + ringArea(r), 0), 0)

describe('generateDemoGeometry', () => {
  it('is deterministic for a seed, and the seed matters', () => {
    expect(generateDemoGeometry(demo)).toEqual(geometry)
    expect(generateDemoGeometry(demo, { seed: 7 })).toEqual(generateDemoGeometry(demo, { seed: 7 }))
    expect(generateDemoGeometry(demo, { seed: 7 })).not.toEqual(geometry)
    expect(geometry.demo).toBe(true)
  })

  it('runs well under a second', () => {
    const start = performance.now()
    generateDemoGeometry(demo, { seed: 1 })
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('covers every street and zone of the demo, in order, with their own codes and centres', () => {
    expect(geometry.streets.map((s) => s.code)).toEqual([...demo.streets, ...demo.zones].map((u) => u.code))
    expect(geometry.streets.filter((s) => s.kind === 'zone').map((s) => s.name)).toEqual(['阳逻经济开发区'])
    expect(geometry.streets[0]!.centre).toEqual([114.8, 30.84])
  })

  it('makes a few thousand cells, fine ones only in the urban streets', () => {
    const cells = allCells(geometry)
    expect(cells.length).toBeGreaterThanOrEqual(3000)
    expect(cells.length).toBeLessThanOrEqual(6000)
    const urban = new Set([...demo.streets, ...demo.zones].filter((u) => 'urban' in u && u.urban).map((u) => u.code))
    for (const street of geometry.streets) {
      const fine = street.communities.flatMap((c) => c.cells).filter((cell) => cell.sizeM === 100).length
      if (urban.has(street.code)) expect(fine, street.name).toBeGreaterThan(300)
      else expect(fine, street.name).toBe(0)
    }
  })

  it('makes fine cells about 100 m a side', () => {
    const cell = allCells(geometry).find((c) => c.sizeM === 100)!
    const [x0, y0] = cell.polygon[0]!
    const [x1, y1] = farCorner(cell)
    const widthM = (x1 - x0) * 111_320 * Math.cos((y0 * Math.PI) / 180)
    const heightM = (y1 - y0) * 110_574
    expect(widthM).toBeGreaterThan(90)
    expect(widthM).toBeLessThan(110)
    expect(heightM).toBeGreaterThan(90)
    expect(heightM).toBeLessThan(110)
  })

  it('gives every street at least 3 communities of at most 64 cells, with codes and demo names', () => {
    for (const street of geometry.streets) {
      expect(street.communities.length, street.name).toBeGreaterThanOrEqual(3)
      street.communities.forEach((community, k) => {
        const seq = String(k + 1).padStart(3, '0')
        expect(community.code).toBe(`${street.code}${seq}`)
        expect(community.cells.length).toBeGreaterThan(0)
        expect(community.cells.length).toBeLessThanOrEqual(64)
        expect(community.name).toMatch(/第\d{2,3}社区（演示）$/)
        expect(community.nameEn).toMatch(/ Community \d{2,3} \(demo\)$/)
        community.cells.forEach((cell, c) => expect(cell.code).toBe(`${community.code}${String(c + 1).padStart(3, '0')}`))
      })
    }
    expect(geometry.streets[0]!.communities[0]!.name).toBe('邾城街第01社区（演示）')
    expect(geometry.streets.find((s) => s.code === '420117013')!.communities[0]!.name).toBe('凤凰镇第01社区（演示）')
  })

  it('uses each code once: 12 digits for communities, 15 for cells', () => {
    const communities = geometry.streets.flatMap((s) => s.communities.map((c) => c.code))
    const cells = allCells(geometry).map((c) => c.code)
    expect(new Set(communities).size).toBe(communities.length)
    expect(new Set(cells).size).toBe(cells.length)
    expect(communities.every((code) => /^\d{12}$/.test(code))).toBe(true)
    expect(cells.every((code) => /^\d{15}$/.test(code))).toBe(true)
  })

  it('closes every ring counter-clockwise inside the district', () => {
    for (const cell of allCells(geometry)) {
      expect(cell.polygon[0]).toEqual(cell.polygon.at(-1))
      expect(ringArea(cell.polygon)).toBeGreaterThan(0)
      for (const [lng, lat] of cell.polygon) {
        expect(lng >= minLng && lng <= maxLng && lat >= minLat && lat <= maxLat).toBe(true)
      }
    }
  })

  it('tiles the district exactly: the areas add up to the bounding box', () => {
    const total = allCells(geometry).reduce((a, cell) => a + ringArea(cell.polygon), 0)
    expect(total).toBeCloseTo((maxLng - minLng) * (maxLat - minLat), 12)
  })

  it('leaves no gap and no overlap: a point off the edges touches exactly one cell', () => {
    const index = GridIndex.build(
      allCells(geometry).map((cell) => ({ id: cell.code, code: cell.code, geometry: [cell.polygon] })),
      1,
    )
    let seed = 1
    const rnd = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
    for (let k = 0; k < 20_000; k++) {
      const lng = minLng + (maxLng - minLng) * rnd()
      const lat = minLat + (maxLat - minLat) * rnd()
      expect(index.touching(lng, lat)).toHaveLength(1)
    }
    for (const cell of allCells(geometry).slice(0, 500)) {
      const a = cell.polygon[0]!
      const c = farCorner(cell)
      expect(index.lookup((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)?.code).toBe(cell.code)
    }
  })

  it('shares every inner edge vertex for vertex with exactly one neighbour', () => {
    const edges = new Map<string, number>()
    const key = (a: LngLat, b: LngLat) => `${a[0]},${a[1]}>${b[0]},${b[1]}`
    for (const cell of allCells(geometry)) {
      for (let k = 0; k + 1 < cell.polygon.length; k++) edges.set(key(cell.polygon[k]!, cell.polygon[k + 1]!), 1)
    }
    for (const [edge] of edges) {
      const [from, to] = edge.split('>').map((p) => p.split(',').map(Number) as LngLat) as [LngLat, LngLat]
      const onBorder =
        (from[0] === to[0] && (from[0] === minLng || from[0] === maxLng)) ||
        (from[1] === to[1] && (from[1] === minLat || from[1] === maxLat))
      if (!onBorder) expect(edges.has(key(to, from)), edge).toBe(true)
    }
  })

  it('outlines each street territory and community as the union of its cells', () => {
    for (const street of geometry.streets) {
      const cells = street.communities.flatMap((c) => c.cells)
      const cellArea = cells.reduce((a, cell) => a + ringArea(cell.polygon), 0)
      expect(multiArea(street.territory)).toBeCloseTo(cellArea, 12)
      for (const community of street.communities) {
        expect(multiArea(community.outline)).toBeCloseTo(community.cells.reduce((a, c) => a + ringArea(c.polygon), 0), 12)
      }
    }
  })

  it('puts each community centre inside one of its own cells', () => {
    for (const community of geometry.streets.flatMap((s) => s.communities)) {
      const [lng, lat] = community.centre
      const inOwn = community.cells.some((cell) => {
        const c = farCorner(cell)
        const a = cell.polygon[0]!
        return lng > a[0] && lng < c[0] && lat > a[1] && lat < c[1]
      })
      expect(inOwn, community.code).toBe(true)
    }
  })
})

/** A cell is a lattice square: its ring starts at the south-west corner; this is the north-east one. */
function farCorner(cell: DemoCell): LngLat {
  const xs = cell.polygon.map((p) => p[0])
  const ys = cell.polygon.map((p) => p[1])
  return [Math.max(...xs), Math.max(...ys)]
}

describe('traceOutlines', () => {
  const lines = (n: number) => Float64Array.from({ length: n + 1 }, (_, k) => k)

  it('returns an exterior and a hole for a ring-shaped region', () => {
    // 4 × 4 units: region 0 around a 2 × 2 block of region 1.
    const keyAt = Int32Array.from({ length: 16 }, (_, u) => {
      const i = u % 4
      const j = Math.floor(u / 4)
      return i >= 1 && i <= 2 && j >= 1 && j <= 2 ? 1 : 0
    })
    const [ring, block] = traceOutlines(keyAt, 4, 4, 2, lines(4), lines(4))
    expect(ring).toHaveLength(1)
    expect(ring![0]).toHaveLength(2)
    expect(ringArea(ring![0]![0]!)).toBe(16)
    expect(ringArea(ring![0]![1]!)).toBe(-4)
    expect(multiArea(block!)).toBe(4)
  })

  it('splits regions that touch only at a corner into simple rings', () => {
    // 2 × 2 units: a chequerboard, so each region is two units meeting at the centre vertex.
    const keyAt = Int32Array.from([0, 1, 1, 0])
    const outlines = traceOutlines(keyAt, 2, 2, 2, lines(2), lines(2))
    for (const outline of outlines) {
      expect(outline).toHaveLength(2)
      for (const [exterior] of outline) {
        expect(exterior).toHaveLength(5)
        expect(new Set(exterior!.slice(0, -1).map(String)).size).toBe(4)
        expect(ringArea(exterior!)).toBe(1)
      }
    }
  })
})
