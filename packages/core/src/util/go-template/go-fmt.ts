/**
 * Go's fmt.Sprint, Sprintln and Sprintf over the value model of go-values.ts:
 * what `{{.}}`, `print`, `println` and `printf` produce. Slices print as
 * `[a b]`, maps as `map[k:v]` in sorted key order, structs as `{a b}`, nil as
 * `<nil>`; floats in Go's shortest form (`1e+06`). Sprintf knows the verbs
 * %v %+v %s %q %d %b %o %O %x %X %c %U %t %e %E %f %F %g %G %T %%, the flags
 * `+ - # 0 space`, widths and precisions (also `*`), and reports misuse in
 * Go's words: `%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`.
 */
import { formatGoFloat } from './go-float'
import { goQuote } from './go-literals'
import { GoFloat, GoObject, kindOf, numberOf, sortedEntries, typeName } from './go-values'

interface Spec {
  plus: boolean
  /** %+v: struct fields with their names (the + is not a sign then). */
  plusV?: boolean
  /** %#v: Go syntax (strings quoted). */
  sharpV?: boolean
  minus: boolean
  sharp: boolean
  space: boolean
  zero: boolean
  width?: number
  prec?: number
}

const NO_FLAGS: Spec = { plus: false, minus: false, sharp: false, space: false, zero: false }

/** fmt.Sprint: operands in their %v form, a space between two operands when neither is a string. */
export function goSprint(args: unknown[]): string {
  let out = ''
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += formatValue(a, 'v', NO_FLAGS)
  })
  return out
}

/** fmt.Sprintln: operands in their %v form separated by spaces, then a newline. */
export function goSprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a, 'v', NO_FLAGS)).join(' ') + '\n'
}

/** fmt.Sprintf, argument indexes (`%[2]d`) included. */
export function goSprintf(format: string, args: unknown[]): string {
  let out = ''
  let argNum = 0
  let reordered = false
  let i = 0
  const n = format.length
  // `[n]` at i: the argument to use next. Sets goodArgNum false when n is out of range.
  let goodArgNum = true
  const argIndex = (): boolean => {
    if (format[i] !== '[') return false
    reordered = true
    const close = format.indexOf(']', i + 1)
    const digits = close < 0 ? '' : format.slice(i + 1, close)
    if (close < 0 || !/^\d+$/.test(digits)) {
      goodArgNum = false
      i = close < 0 ? i + 1 : close + 1
      return false
    }
    i = close + 1
    const index = Number(digits) - 1
    if (index < 0 || index >= args.length) {
      goodArgNum = false
      return true
    }
    argNum = index
    return true
  }
  const starArg = (): number | undefined => {
    const a = args[argNum]
    const ok = argNum < args.length && kindOf(a) === 'int'
    if (argNum < args.length) argNum++
    return ok ? numberOf(a) : undefined
  }
  while (i < n) {
    const pct = format.indexOf('%', i)
    if (pct < 0) {
      out += format.slice(i)
      break
    }
    out += format.slice(i, pct)
    i = pct + 1
    goodArgNum = true
    const spec: Spec = { ...NO_FLAGS }
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '#':
          spec.sharp = true
          break
        case '0':
          spec.zero = true
          break
        case '+':
          spec.plus = true
          break
        case '-':
          spec.minus = true
          break
        case ' ':
          spec.space = true
          break
        default:
          break flags
      }
    }
    let afterIndex = argIndex()
    if (format[i] === '*') {
      i++
      const w = starArg()
      if (w === undefined) out += '%!(BADWIDTH)'
      else if (w < 0) {
        spec.minus = true
        spec.width = -w
      } else spec.width = w
      afterIndex = false
    } else {
      const m = /^\d+/.exec(format.slice(i))
      if (m) {
        spec.width = Number(m[0])
        i += m[0].length
        if (afterIndex) goodArgNum = false // %[3]2d
      }
    }
    if (format[i] === '.') {
      i++
      if (afterIndex) goodArgNum = false // %[3].2d
      afterIndex = argIndex()
      if (format[i] === '*') {
        i++
        const p = starArg()
        if (p === undefined || p < 0) out += '%!(BADPREC)'
        else spec.prec = p
        afterIndex = false
      } else {
        const m = /^\d+/.exec(format.slice(i))
        spec.prec = m ? Number(m[0]) : 0
        if (m) i += m[0].length
      }
    }
    if (!afterIndex) afterIndex = argIndex()
    if (spec.minus) spec.zero = false // zero padding only ever goes on the left
    if (i >= n) {
      out += '%!(NOVERB)'
      break
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!)
    i += verb.length
    if (verb === '%') {
      out += '%'
      continue
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`
      continue
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`
      continue
    }
    const arg = args[argNum++]
    if (verb === 'v') {
      // %+v names struct fields and %#v prints Go syntax: neither is a sign or an alternate form then.
      spec.plusV = spec.plus
      spec.sharpV = spec.sharp
      spec.plus = false
      spec.sharp = false
    }
    out += verb === 'T' ? pad(typeName(arg), spec) : formatValue(arg, verb, spec)
  }
  if (!reordered && argNum < args.length) {
    out += '%!(EXTRA ' + args.slice(argNum).map((a) => (a === null || a === undefined ? '<nil>' : `${typeName(a)}=${formatValue(a, 'v', NO_FLAGS)}`)).join(', ') + ')'
  }
  return out
}

/** One operand under one verb, as fmt's printArg/printValue do. */
export function formatValue(v: unknown, verb: string, spec: Spec, depth = 0): string {
  // A value with a String() method (Go's fmt.Stringer) prints as what it says.
  const str = v instanceof GoObject && Object.hasOwn(v.methods, 'String') ? v.methods.String : undefined
  if (str && str.params.length === 0 && !str.variadic && (verb === 'v' || verb === 's' || verb === 'q')) return formatString(String(str.fn()), verb, spec)
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      // A nil element of a slice or map prints <nil> under any verb; an operand only under %v.
      return verb === 'v' || depth > 0 ? pad('<nil>', spec) : `%!${verb}(<nil>)`
    case 'bool':
      if (verb === 'v' || verb === 't') return pad(String(v), spec)
      return badVerb(v, verb)
    case 'int':
      // A bigint is an int64 beyond 2^53 (events' timeNano): its digits are printed exactly.
      return formatInt(Number(v), verb, spec, v, typeof v === 'bigint' ? v : undefined)
    case 'float':
      return formatFloat(numberOf(v), verb, spec, v)
    case 'string':
      return formatString(v as string, verb, spec)
    // Containers pass the verb, flags and width on to each element, as fmt does.
    case 'slice':
      return `[${(v as unknown[]).map((e) => formatValue(e, verb, spec, depth + 1)).join(' ')}]`
    case 'map':
      return `map[${sortedEntries(v as object).map(([k, e]) => `${formatValue(k, verb, spec, depth + 1)}:${formatValue(e, verb, spec, depth + 1)}`).join(' ')}]`
    case 'struct': {
      const o = v as GoObject
      return `{${Object.entries(o.fields).map(([k, e]) => `${spec.plusV ? `${k}:` : ''}${formatValue(e, verb, spec, depth + 1)}`).join(' ')}}`
    }
    case 'func':
      return verb === 'v' || verb === 'p' ? pad('0x1', spec) : badVerb(v, verb)
    default:
      return badVerb(v, verb)
  }
}

function badVerb(v: unknown, verb: string): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', NO_FLAGS)})`
}

/** Pad to the width with spaces (or zeros when asked), on the left unless `-`. */
function pad(s: string, spec: Spec, zeroOK = true): string {
  const width = spec.width ?? 0
  const len = [...s].length
  if (len >= width) return s
  const fill = (spec.zero && zeroOK && !spec.minus ? '0' : ' ').repeat(width - len)
  return spec.minus ? s + fill : fill + s
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v':
      if (spec.sharpV) return pad(goQuote(s), spec)
      return pad(truncateRunes(s, spec.prec), spec)
    case 's':
      return pad(truncateRunes(s, spec.prec), spec)
    case 'q': {
      const t = truncateRunes(s, spec.prec)
      if (spec.sharp && !/[`\u0000-\u0008\u000a-\u001f\u007f\ufeff]/.test(t)) return pad('`' + t + '`', spec)
      return pad(spec.plus ? goQuoteASCII(t) : goQuote(t), spec)
    }
    case 'x':
    case 'X': {
      let bytes = [...Buffer.from(s, 'utf8')]
      if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec)
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0'))
      const cased = (h: string) => (verb === 'X' ? h.toUpperCase() : h)
      const prefix = spec.sharp ? (verb === 'X' ? '0X' : '0x') : ''
      const body = spec.space ? hex.map((h) => prefix + cased(h)).join(' ') : prefix + hex.map(cased).join('')
      return pad(body, spec)
    }
    default:
      return badVerb(s, verb)
  }
}

function truncateRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s
  const chars = [...s]
  return chars.length > prec ? chars.slice(0, prec).join('') : s
}

function goQuoteASCII(s: string): string {
  return goQuote(s).replace(/[^\x00-\x7f]/gu, (c) => {
    const cp = c.codePointAt(0)!
    return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`
  })
}

function formatInt(n: number, verb: string, spec: Spec, original: unknown, exact?: bigint): string {
  const neg = n < 0
  const abs = exact !== undefined ? (exact < 0n ? -exact : exact) : BigInt(Math.abs(n))
  let digits: string
  let prefix = ''
  switch (verb) {
    case 'v':
    case 'd':
      digits = abs.toString(10)
      break
    case 'b':
      digits = abs.toString(2)
      if (spec.sharp) prefix = '0b'
      break
    case 'o':
    case 'O':
      digits = abs.toString(8)
      if (verb === 'O') prefix = '0o'
      else if (spec.sharp && digits[0] !== '0') prefix = '0'
      break
    case 'x':
      digits = abs.toString(16)
      if (spec.sharp) prefix = '0x'
      break
    case 'X':
      digits = abs.toString(16).toUpperCase()
      if (spec.sharp) prefix = '0X'
      break
    case 'c':
      return pad(validRune(n), spec, false)
    case 'q':
      return pad(quoteRune(n), spec, false)
    case 'U': {
      const hex = abs.toString(16).toUpperCase().padStart(4, '0')
      const rune = spec.sharp && n >= 0 && n <= 0x10ffff ? ` '${validRune(n)}'` : ''
      return pad(`U+${hex}${rune}`, spec, false)
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(original, verb)
    default:
      return badVerb(original, verb)
  }
  if (spec.prec !== undefined) {
    // Precision 0 and value 0 print nothing but the padding.
    if (spec.prec === 0 && n === 0) return pad('', { ...spec, zero: false })
    digits = digits.padStart(spec.prec, '0')
  } else if (spec.zero && !spec.minus && spec.width !== undefined) {
    // Zeros fill the width less the sign; a 0x prefix goes outside them, as in Go (%#08x is 0x000000ff).
    digits = digits.padStart(spec.width - (neg || spec.plus || spec.space ? 1 : 0), '0')
  }
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : ''
  return pad(sign + prefix + digits, { ...spec, zero: false })
}

function validRune(n: number): string {
  return n >= 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\ufffd'
}

function quoteRune(n: number): string {
  const c = validRune(n)
  if (c === "'") return "'\\''"
  if (c === '"') return `'"'`
  return `'${goQuote(c).slice(1, -1)}'`
}

function formatFloat(f: number, verb: string, spec: Spec, original: unknown): string {
  let text: string
  switch (verb) {
    case 'v':
      text = formatGoFloat(f, 'g', spec.prec ?? -1)
      break
    case 'g':
    case 'G':
      text = formatGoFloat(f, verb, spec.prec ?? -1)
      break
    case 'e':
    case 'E':
      text = formatGoFloat(f, verb, spec.prec ?? 6)
      break
    case 'f':
    case 'F':
      text = formatGoFloat(f, 'f', spec.prec ?? 6)
      break
    default:
      return badVerb(original instanceof GoFloat ? original : f, verb)
  }
  if (spec.sharp) text = sharpFloat(text, verb, spec.prec ?? -1)
  // As fmt does: a sign is always there to start with, then dropped or replaced.
  let num = text[0] === '-' || text[0] === '+' ? text : `+${text}`
  if (spec.space && num[0] === '+' && !spec.plus) num = ` ${num.slice(1)}`
  const body = num.slice(1)
  if (body === 'Inf' || body === 'NaN') {
    if (body === 'NaN' && !spec.space && !spec.plus) num = body
    return pad(num, { ...spec, zero: false })
  }
  if (spec.plus || num[0] !== '+') {
    if (spec.zero && !spec.minus && spec.width !== undefined && spec.width > num.length) return num[0] + '0'.repeat(spec.width - num.length) + body
    return pad(num, { ...spec, zero: false })
  }
  return pad(body, spec)
}

/** The # flag on floats: always a decimal point, and %#g keeps its trailing zeros (6 significant digits by default). */
function sharpFloat(num: string, verb: string, prec: number): string {
  if (/Inf|NaN/.test(num)) return num
  let digits = verb === 'g' || verb === 'G' ? (prec === -1 ? 6 : prec) : 0
  const e = num.search(/[eEpP]/)
  let mantissa = e < 0 ? num : num.slice(0, e)
  const tail = e < 0 ? '' : num.slice(e)
  let hasPoint = false
  let sawNonzero = false
  for (const c of mantissa.replace(/^[+-]/, '')) {
    if (c === '.') hasPoint = true
    else {
      if (c !== '0') sawNonzero = true
      if (sawNonzero) digits--
    }
  }
  if (!hasPoint) {
    if (mantissa.replace(/^[+-]/, '') === '0') digits--
    mantissa += '.'
  }
  if (digits > 0) mantissa += '0'.repeat(digits)
  return mantissa + tail
}
