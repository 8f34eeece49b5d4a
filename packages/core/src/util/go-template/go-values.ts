/**
 * How JavaScript data stands in for Go values inside a template:
 *
 *   undefined        no value (Go's invalid reflect.Value: a missing map key) - prints `<no value>`
 *   null             nil - prints `<nil>`
 *   boolean, string  bool, string
 *   number           int when integral, else float64; GoFloat marks an integral float64 (`1.0`)
 *   array            a slice: `[]string` when every element is a string, else `[]interface {}`
 *   plain object     a map with string keys, visited in sorted key order
 *   GoObject         a struct (unknown fields are an error) or a map with methods
 *   function         a func value (for `call`)
 *
 * Types are read off the values because JavaScript has none to declare; the
 * names appear in Go's messages ("can't evaluate field X in type string").
 */

/** A float64 constant or result whose value happens to be integral (`1.0`): prints and compares as a float. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Parameter types a template function can declare; Go checks arguments against them. */
export type GoParamType = 'any' | 'value' | 'string' | 'int' | 'bool' | 'float64' | '[]string'

/**
 * A function callable from a template: `params` are checked as Go checks a
 * function's signature; `variadic` is the element type of a final `...`
 * parameter. `fn` returns the result or throws `Error` (Go's error return).
 */
export interface GoFunc {
  params: GoParamType[]
  variadic?: GoParamType
  fn: (...args: unknown[]) => unknown
}

/**
 * A Go struct or a map with methods: `fields` are read by `.Name`; `methods`
 * are called by `.Name args...` (a niladic one by `.Name` alone), methods
 * first, as Go does. A 'struct' refuses an unknown field ("can't evaluate
 * field X in type T"); a 'map' answers no value for a missing key, or an
 * error when `missingKeyError` is set (Go's missingkey=error).
 */
export class GoObject {
  constructor(
    readonly typeName: string,
    readonly kind: 'struct' | 'map',
    readonly fields: Record<string, unknown>,
    readonly methods: Record<string, GoFunc> = {},
    readonly options: { json?: () => unknown } = {},
  ) {}
}

/** Go's kinds, as far as templates tell them apart. */
export type GoKind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'complex' | 'string' | 'slice' | 'map' | 'struct' | 'func'

/** The kind of a value in the model above. */
export function kindOf(v: unknown): GoKind {
  if (v === undefined) return 'invalid'
  if (v === null) return 'nil'
  switch (typeof v) {
    case 'boolean':
      return 'bool'
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float'
    case 'bigint':
      return 'int'
    case 'string':
      return 'string'
    case 'function':
      return 'func'
  }
  if (v instanceof GoFloat) return 'float'
  if (Array.isArray(v)) return 'slice'
  if (v instanceof GoObject) return v.kind
  return 'map'
}

/** The Go type name of a value, for messages and `%T`. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<nil>'
    case 'nil':
      return '<nil>'
    case 'bool':
      return 'bool'
    case 'int':
      return 'int'
    case 'float':
      return 'float64'
    case 'complex':
      return 'complex128'
    case 'string':
      return 'string'
    case 'func':
      return 'func(...interface {}) (interface {}, error)'
    case 'slice':
      return (v as unknown[]).every((e) => typeof e === 'string') ? '[]string' : '[]interface {}'
    default:
      if (v instanceof GoObject) return v.typeName
      return Object.values(v as object).every((e) => typeof e === 'string') ? 'map[string]string' : 'map[string]interface {}'
  }
}

/** The number inside an int or float value. */
export function numberOf(v: unknown): number {
  return v instanceof GoFloat ? v.value : Number(v)
}

/** Length of a string, slice or map value (strings count UTF-8 bytes, as Go's len does). */
export function lengthOf(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8')
  if (Array.isArray(v)) return v.length
  if (v instanceof GoObject) return Object.keys(v.fields).length
  return Object.keys(v as object).length
}

/**
 * Go's truth (`if`, `with`, `and`, `or`, `not`): false, 0, nil, no value and
 * empty strings, slices and maps are false; structs are always true.
 */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return false
    case 'bool':
      return v as boolean
    case 'int':
    case 'float':
      return numberOf(v) !== 0
    case 'string':
    case 'slice':
      return lengthOf(v) > 0
    case 'map':
      return lengthOf(v) > 0
    case 'struct':
    case 'func':
      return true
    default:
      return true
  }
}

/** Map entries in Go's order for printing and ranging: keys sorted. */
export function sortedEntries(v: object): Array<[string, unknown]> {
  const fields = v instanceof GoObject ? v.fields : (v as Record<string, unknown>)
  return Object.keys(fields)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => [k, fields[k]])
}

/** Whether the value is assignable to a declared parameter type. */
export function assignable(v: unknown, t: GoParamType): boolean {
  switch (t) {
    case 'any':
    case 'value':
      return true
    case 'string':
      return typeof v === 'string'
    case 'int':
      return kindOf(v) === 'int'
    case 'bool':
      return typeof v === 'boolean'
    case 'float64':
      return kindOf(v) === 'float'
    case '[]string':
      return v === null || (Array.isArray(v) && v.every((e) => typeof e === 'string'))
  }
}

/** How a parameter type reads in Go's messages. */
export function paramTypeName(t: GoParamType): string {
  return t === 'any' ? 'interface {}' : t === 'value' ? 'reflect.Value' : t
}
