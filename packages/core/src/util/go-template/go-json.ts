/**
 * JSON as Go's encoding/json writes it with HTML escaping off (what Docker's
 * `json` template function does): structs in field order, maps with sorted
 * keys, nil as null, U+2028/U+2029 escaped. Plain objects keep their key
 * order: in tsrun's data they stand for Docker's structs (inspect views).
 * A value Go cannot encode (a function, NaN, infinity) gives undefined.
 */
import { GoFloat, GoObject, sortedEntries } from './go-values'

class Unencodable extends Error {}

function toPlain(v: unknown): unknown {
  if (v === undefined || v === null) return null
  if (v instanceof GoFloat) return v.value
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new Unencodable()
      return v
    case 'string':
    case 'boolean':
      return v
    case 'bigint':
      // Kept as it is: encode() writes its digits (Go's int64 marshals exactly).
      return v
    case 'function':
    case 'symbol':
      throw new Unencodable()
  }
  if (Array.isArray(v)) return v.map(toPlain)
  if (v instanceof GoObject) {
    if (v.options.json) return toPlain(v.options.json())
    const entries = v.kind === 'map' ? sortedEntries(v) : Object.entries(v.fields)
    return Object.fromEntries(entries.filter(([, e]) => e !== undefined).map(([k, e]) => [k, toPlain(e)]))
  }
  const out: Record<string, unknown> = {}
  for (const [k, e] of Object.entries(v as object)) if (e !== undefined) out[k] = toPlain(e)
  return out
}

/** The value as Go's json.Marshal prints it, or undefined when Go would refuse it. */
export function goJSON(v: unknown): string | undefined {
  let plain: unknown
  try {
    plain = toPlain(v)
  } catch (err) {
    if (err instanceof Unencodable) return undefined
    throw err
  }
  return encode(plain).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

/** JSON.stringify, but a bigint is written as its exact integer (JSON.stringify refuses bigints). */
function encode(v: unknown): string {
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return `[${v.map(encode).join(',')}]`
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, e]) => `${JSON.stringify(k)}:${encode(e)}`).join(',')}}`
  return JSON.stringify(v)
}
