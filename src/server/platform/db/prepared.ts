// Statements the native engine keeps prepared on each connection (PostgreSQL's named statements), by their text.
// Planning a wide statement costs the database more than running it: intake's lookup plans in 0.6 ms and runs in
// 0.2 ms, its insert plans in 0.6 ms (bench/open311.ts with pg_stat_statements). A named statement is parsed once per
// connection and, once PostgreSQL finds a generic plan as good as the custom ones (after five runs), planned once too.
// PGlite has no use for it: its statements are planned in-process and the engine ignores the names.

const names = new Map<string, string>()

/** Marks a statement text (exactly as it will be sent, with $n parameters) to be run as a named prepared statement. */
export function keepPrepared(text: string): void {
  if (!names.has(text)) names.set(text, `xiuhua_${names.size + 1}`)
}

/** The name a statement text is kept prepared under, if it is one. */
export const preparedName = (text: string): string | undefined => names.get(text)
