/**
 * The functions every Go template has (text/template's builtins), with Go's
 * signatures and error messages: comparison (eq ne lt le gt ge), logic (and
 * or not; and/or short-circuit in exec.ts), index, slice, len, print,
 * printf, println, html, js, urlquery and call.
 */
import { goSprint, goSprintf, goSprintln } from './go-fmt'
import { isGoPrintable } from './go-literals'
import { GoObject, isTrue, kindOf, lengthOf, numberOf, typeName, type GoFunc } from './go-values'

type Kind = 'bool' | 'int' | 'float' | 'string'

/** The comparable basic kind of a value; nil, slices, maps, structs and funcs have none. */
function basicKind(v: unknown): Kind | undefined {
  const k = kindOf(v)
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : undefined
}

const isNil = (v: unknown): boolean => v === undefined || v === null

function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function incompatible(a: unknown, b: unknown): Error {
  return new Error(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`)
}

/** Go's eq: arg1 == arg2 || arg1 == arg3 ...; integers compare by value, other mixes are an error. */
function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison')
  const ka = basicKind(a)
  for (const b of rest) {
    const kb = basicKind(b)
    let truth = false
    if (ka !== kb) {
      if (!isNil(a) && !isNil(b)) throw incompatible(a, b)
    } else if (ka === undefined) {
      // Neither is a basic value: nil equals only nil; slices, maps and funcs do not compare.
      if (!isNil(a) && !isNil(b) && kindOf(a) !== kindOf(b)) throw new Error(goSprintf('non-comparable types %s: %v, %s: %v', [a, typeName(a), typeName(b), b]))
      if (isNil(a) || isNil(b)) truth = isNil(a) === isNil(b)
      else {
        const k = kindOf(b)
        if (k === 'slice' || k === 'map' || k === 'func') throw new Error(goSprintf('non-comparable type %s: %v', [b, typeName(b)]))
        truth = a === b
      }
    } else if (ka === 'string' || ka === 'bool') {
      truth = a === b
    } else {
      truth = numberOf(a) === numberOf(b)
    }
    if (truth) return true
  }
  return false
}

/** Go's lt: only basic kinds of the same sort compare; bools do not order. */
function lt(a: unknown, b: unknown): boolean {
  const ka = basicKind(a)
  const kb = basicKind(b)
  if (ka === undefined || kb === undefined) throw new Error('invalid type for comparison')
  if (ka !== kb) throw incompatible(a, b)
  if (ka === 'bool') throw new Error('invalid type for comparison')
  if (ka === 'string') return compareStrings(a as string, b as string) < 0
  return numberOf(a) < numberOf(b)
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b)

/** indexArg: an int index within [0, cap]. */
function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index)
  if (k === 'invalid' || k === 'nil') throw new Error('cannot index slice/array with nil')
  if (k !== 'int') throw new Error(`cannot index slice/array with type ${typeName(index)}`)
  const x = Number(index)
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`)
  return x
}

/** The zero value a missing key of this map gives `index`: "" for map[string]string, else nil (prints <no value>). */
function mapZero(m: object): unknown {
  return typeName(m) === 'map[string]string' ? '' : undefined
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error('index of untyped nil')
  for (const ix of indexes) {
    if (isNil(item)) throw new Error('index of nil pointer')
    const k = kindOf(item)
    if (k === 'slice' || k === 'string') {
      const x = indexArg(ix, lengthOf(item))
      if (k === 'string') {
        const bytes = Buffer.from(item as string, 'utf8')
        if (x >= bytes.length) throw new Error('reflect: string index out of range')
        item = bytes[x]
      } else {
        const arr = item as unknown[]
        if (x >= arr.length) throw new Error('reflect: slice index out of range')
        item = arr[x] ?? null
      }
    } else if (k === 'map') {
      if (isNil(ix)) throw new Error('value is nil; should be of type string')
      if (typeof ix !== 'string') throw new Error(`value has type ${typeName(ix)}; should be string`)
      const fields = item instanceof GoObject ? item.fields : (item as Record<string, unknown>)
      item = Object.hasOwn(fields, ix) ? fields[ix] : mapZero(fields)
    } else {
      throw new Error(`can't index item of type ${typeName(item)}`)
    }
  }
  return item
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error('slice of untyped nil')
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`)
  const k = kindOf(item)
  let len: number
  if (k === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string')
    len = lengthOf(item)
  } else if (k === 'slice') {
    len = (item as unknown[]).length
  } else {
    throw new Error(`can't slice item of type ${typeName(item)}`)
  }
  const idx = [0, len, len]
  indexes.forEach((ix, i) => (idx[i] = indexArg(ix, len)))
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`)
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`)
  if (k === 'string') return Buffer.from(item as string, 'utf8').subarray(idx[0], idx[1]).toString('utf8')
  return (item as unknown[]).slice(idx[0], idx[1])
}

function length(item: unknown): number {
  if (item === null) throw new Error('len of nil pointer')
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value')
  const k = kindOf(item)
  if (k === 'string' || k === 'slice' || k === 'map') return lengthOf(item)
  throw new Error(`len of type ${typeName(item)}`)
}

/** What html/js/urlquery escape: one string as it is, else the arguments printed as print does (nil as <no value>). */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0]
  return goSprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)))
}

const HTML_ESCAPES: Record<string, string> = { '\0': '\ufffd', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Go's HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c])
}

const JS_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' }

/** Go's JSEscapeString. */
export function jsEscape(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (JS_ESCAPES[ch]) out += JS_ESCAPES[ch]
    else if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`
    else if (c >= 0x80 && !isGoPrintable(c)) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`
    else out += ch
  }
  return out
}

/** Go's url.QueryEscape: unreserved characters kept, space as +, the rest %XX of the UTF-8 bytes. */
export function queryEscape(s: string): string {
  let out = ''
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b)
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c
    else if (c === ' ') out += '+'
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** `call FN args...`: FN must be a function value from the data. `name` is how the template spelled FN. */
export function callFunction(name: string, fn: unknown, ...args: unknown[]): unknown {
  if (isNil(fn)) throw new Error('call of nil')
  if (typeof fn !== 'function') throw new Error(`non-function ${name} of type ${typeName(fn)}`)
  return (fn as (...a: unknown[]) => unknown)(...args)
}

/** The builtin function table. `and`, `or` and `call` are special-cased by the executor. */
export const BUILTINS: Record<string, GoFunc> = {
  and: { params: ['value'], variadic: 'value', fn: () => undefined },
  or: { params: ['value'], variadic: 'value', fn: () => undefined },
  call: { params: ['value'], variadic: 'value', fn: () => undefined },
  not: { params: ['value'], fn: (a) => !isTrue(a) },
  eq: { params: ['value'], variadic: 'value', fn: eq },
  ne: { params: ['value', 'value'], fn: (a, b) => !eq(a, b) },
  lt: { params: ['value', 'value'], fn: lt },
  le: { params: ['value', 'value'], fn: le },
  gt: { params: ['value', 'value'], fn: (a, b) => !le(a, b) },
  ge: { params: ['value', 'value'], fn: (a, b) => !lt(a, b) },
  index: { params: ['value'], variadic: 'value', fn: index },
  slice: { params: ['value'], variadic: 'value', fn: slice },
  len: { params: ['value'], fn: length },
  print: { params: [], variadic: 'any', fn: (...a) => goSprint(a) },
  printf: { params: ['string'], variadic: 'any', fn: (f, ...a) => goSprintf(f as string, a) },
  println: { params: [], variadic: 'any', fn: (...a) => goSprintln(a) },
  html: { params: [], variadic: 'any', fn: (...a) => htmlEscape(evalArgs(a)) },
  js: { params: [], variadic: 'any', fn: (...a) => jsEscape(evalArgs(a)) },
  urlquery: { params: [], variadic: 'any', fn: (...a) => queryEscape(evalArgs(a)) },
}
