// Statements of a fixed shape, built with Kysely once and then run with new values. Building and compiling a wide
// statement (a case's insert with its CTEs, ~60 nodes) costs 0.2–0.3 ms of CPU each time, as much as the database
// takes to run it; intake runs two such statements per report (bench/cases.ts, bench/open311.ts). The native engine
// also keeps them prepared on each connection (prepared.ts), so the database parses and plans them once.
import { type Compilable, type Kysely, type RawBuilder, sql } from 'kysely'
import { keepPrepared } from './prepared.js'

/** Column names as a statement's list (`a, b, c`), or qualified by a table or alias (`r.a, r.b, r.c`). */
export const columns = (names: readonly string[], from?: string) => sql.join(names.map((k) => sql.ref(from ? `${from}.${k}` : k)))

const SLOT = Symbol('slot')

interface Slot {
  readonly [SLOT]: string
}

const isSlot = (value: unknown): value is Slot => typeof value === 'object' && value !== null && SLOT in value

/**
 * `build` writes the statement (on the handle it is first run with) with a placeholder for each value (`values.x`), used as a whole value: a column's
 * value, a parameter of `sql`, the right side of `=` (a list goes in one array parameter: `= any(${values.list})`).
 * It runs once, on first use; the placeholders must not be inspected or combined in JavaScript there (no string
 * concatenation, no arithmetic, no branching on them), since they are not the values. Each run binds the values in
 * the compiled statement's order and goes through the database's plugins like any raw `sql`.
 */
export function precompiled<DB, V extends object, R>(build: (db: Kysely<DB>, values: V) => Compilable<R> | RawBuilder<R>) {
  let shape: { fragments: TemplateStringsArray; slots: Array<{ name: keyof V } | { fixed: unknown }> } | undefined
  return async (db: Kysely<DB>, values: V): Promise<R[]> => {
    if (!shape) {
      shape = compileShape(db, build)
      keepPrepared(sql(shape.fragments, ...shape.slots).compile(db).sql) // the text each run sends: the native engine prepares it once per connection
    }
    const parameters = shape.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.fixed))
    return (await sql<R>(shape.fragments, ...parameters).execute(db)).rows
  }
}

function compileShape<DB, V extends object, R>(db: Kysely<DB>, build: (db: Kysely<DB>, values: V) => Compilable<R> | RawBuilder<R>) {
  const used = new Set<string>()
  const placeholders = new Proxy({}, {
    get: (_, name) => {
      if (typeof name !== 'string') return undefined
      used.add(name)
      return { [SLOT]: name }
    },
  }) as V
  const { sql: text, parameters } = (build(db, placeholders) as RawBuilder<R>).compile(db) // a query builder's compile takes no argument and ignores it
  // Kysely numbers its parameters $1, $2 … in order, each used once
  const fragments = text.split(/\$(\d+)\b/)
  const pieces: string[] = []
  for (let i = 0; i < fragments.length; i += 2) {
    pieces.push(fragments[i]!)
    if (i + 1 < fragments.length && Number(fragments[i + 1]) !== i / 2 + 1) throw new Error(`precompiled: unexpected parameter $${fragments[i + 1]} in ${text}`)
  }
  if (pieces.length !== parameters.length + 1) throw new Error(`precompiled: ${parameters.length} parameters but ${pieces.length - 1} placeholders in ${text}`)
  const slots = parameters.map((p) => (isSlot(p) ? { name: p[SLOT] as keyof V } : { fixed: p }))
  // a placeholder read in the build but bound nowhere was used as something other than a value (e.g. concatenated)
  const bound = new Set(slots.flatMap((slot) => ('name' in slot ? [String(slot.name)] : [])))
  const lost = [...used].filter((name) => !bound.has(name))
  if (lost.length) throw new Error(`precompiled: ${lost.join(', ')} read but not bound as a value in ${text}`)
  return { fragments: Object.assign(pieces, { raw: pieces }) as unknown as TemplateStringsArray, slots }
}
