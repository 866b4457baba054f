// The two formats of GeoReport v2: a document is built once as its JSON (the spec's "Spark convention") and turned
// into the spec's XML by wrapping each list in its plural element with one singular element per item.
import { XMLBuilder } from 'fast-xml-parser'

export type Format = 'json' | 'xml'

export const CONTENT_TYPE: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

/** The singular element of each list of the spec. */
const ITEM: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  errors: 'error',
}

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json }
type Tree = string | number | null | Tree[] | { [key: string]: Tree }

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g

// unindented: a 1,000-request search is half the work without the whitespace
const builder = new XMLBuilder({ format: false, ignoreAttributes: false, suppressBooleanAttributes: false })

function itemOf(list: string): string {
  const item = ITEM[list]
  if (!item) throw new Error(`no XML item element for the list "${list}"`)
  return item
}

/** One value as the builder's tree: lists become <plural><singular/>…</plural>, null an empty element. */
function tree(name: string, value: Json): Tree {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) {
    const item = itemOf(name)
    return value.length ? { [item]: value.map((v) => tree(item, v)) } : ''
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'object') {
    const out: Record<string, Tree> = {}
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = tree(key, v)
    return out
  }
  // characters XML 1.0 cannot carry at all (a pasted description may hold them)
  return typeof value === 'string' ? value.replace(NOT_XML, '') : value
}

/** A document in the spec's XML, with the declaration; `root` names the outer element (services, errors …). */
export function toXml(root: string, value: Json): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' }, [root]: tree(root, value) }) as string
}

/** A document in the requested format. */
export function render(format: Format, root: string, value: Json): string {
  return format === 'json' ? JSON.stringify(value) : toXml(root, value)
}
