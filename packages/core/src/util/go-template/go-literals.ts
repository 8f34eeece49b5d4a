/**
 * Go's literal syntax as strconv reads it, for template constants: integers
 * with base prefixes (0x 0o 0b, a bare leading 0 is octal) and `_` between
 * digits, decimal and hexadecimal floats, interpreted ("\n") and raw (`...`)
 * strings, and character constants ('a', '\n', '\u00e9'); and strconv.Quote,
 * which Go's messages and %q print strings with.
 */

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

/** strconv's underscoreOK: `_` only between digits (a base prefix counts as a digit). */
function underscoreOK(s: string): boolean {
  // What came last: ^ the start, 0 a digit or base prefix, _ an underscore, ! anything else.
  let saw = '^'
  let i = 0
  if (s[0] === '+' || s[0] === '-') s = s.slice(1)
  let hex = false
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2
    saw = '0'
    hex = s[1] === 'x' || s[1] === 'X'
  }
  for (; i < s.length; i++) {
    const c = s[i]
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0'
      continue
    }
    if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}

/** strconv.ParseUint(s, 0, 64), or undefined when it fails (syntax or range). */
export function parseGoUint(s: string): bigint | undefined {
  if (!s || s[0] === '+' || s[0] === '-') return undefined
  let base = 10
  let digits = s
  if (s[0] === '0') {
    if (s.length >= 3 && (s[1] === 'x' || s[1] === 'X')) [base, digits] = [16, s.slice(2)]
    else if (s.length >= 3 && (s[1] === 'o' || s[1] === 'O')) [base, digits] = [8, s.slice(2)]
    else if (s.length >= 3 && (s[1] === 'b' || s[1] === 'B')) [base, digits] = [2, s.slice(2)]
    else if (s.length > 1) [base, digits] = [8, s.slice(1)]
  }
  if (s.includes('_') && !underscoreOK(s)) return undefined
  digits = digits.replace(/_/g, '')
  if (!digits) return undefined
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16]
  if (!valid.test(digits)) return undefined
  let v = 0n
  for (const d of digits) v = v * BigInt(base) + BigInt(parseInt(d, 16))
  return v > UINT64_MAX ? undefined : v
}

/** strconv.ParseInt(s, 0, 64), or undefined when it fails. */
export function parseGoInt(s: string): bigint | undefined {
  const neg = s[0] === '-'
  const body = s[0] === '+' || s[0] === '-' ? s.slice(1) : s
  if (body.includes('_') && !underscoreOK(s)) return undefined
  const u = parseGoUint(body)
  if (u === undefined) return undefined
  const v = neg ? -u : u
  return v < INT64_MIN || v > INT64_MAX ? undefined : v
}

/** strconv.ParseFloat(s, 64), or undefined when it fails (syntax, or out of range). */
export function parseGoFloat(s: string): number | undefined {
  if (s.includes('_') && !underscoreOK(s)) return undefined
  const t = s.replace(/_/g, '')
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t)
  let v: number
  if (hex) {
    const [, sign, int, frac = '', exp] = hex
    if (!int && !frac) return undefined
    const mantissa = parseInt(int + frac || '0', 16)
    v = mantissa * 2 ** (Number(exp) - 4 * frac.length)
    if (sign === '-') v = -v
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    v = Number(t)
  } else {
    return undefined
  }
  return Number.isFinite(v) ? v : undefined
}

/** Thrown for a literal strconv refuses: its message is strconv's ("invalid syntax"). */
export class LiteralSyntaxError extends Error {
  constructor() {
    super('invalid syntax')
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' }

/**
 * strconv.UnquoteChar: the first character of `s` (escapes decoded) and the
 * rest. `quote` is the enclosing quote, which must be escaped inside.
 */
export function unquoteChar(s: string, quote: string): { char: string; code: number; tail: string } {
  const first = s.codePointAt(0)
  if (first === undefined) throw new LiteralSyntaxError()
  const c = String.fromCodePoint(first)
  if (c === quote && (quote === "'" || quote === '"')) throw new LiteralSyntaxError()
  if (c !== '\\') return { char: c, code: first, tail: s.slice(c.length) }
  if (s.length < 2) throw new LiteralSyntaxError()
  const e = s[1]
  let rest = s.slice(2)
  if (e in SIMPLE_ESCAPES) return { char: SIMPLE_ESCAPES[e], code: SIMPLE_ESCAPES[e].charCodeAt(0), tail: rest }
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8
    const hex = rest.slice(0, n)
    if (hex.length < n || !/^[0-9a-fA-F]+$/.test(hex)) throw new LiteralSyntaxError()
    const v = parseInt(hex, 16)
    rest = rest.slice(n)
    if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) throw new LiteralSyntaxError()
    return { char: String.fromCodePoint(v), code: v, tail: rest }
  }
  if (e >= '0' && e <= '7') {
    const oct = s.slice(1, 4)
    if (!/^[0-7]{3}$/.test(oct)) throw new LiteralSyntaxError()
    const v = parseInt(oct, 8)
    if (v > 255) throw new LiteralSyntaxError()
    return { char: String.fromCharCode(v), code: v, tail: s.slice(4) }
  }
  if ((e === "'" || e === '"') && e === quote) return { char: e, code: e.charCodeAt(0), tail: rest }
  throw new LiteralSyntaxError()
}

/** strconv.Unquote of a "double-quoted", `raw` or 'c' literal. */
export function unquote(lit: string): string {
  if (lit.length < 2) throw new LiteralSyntaxError()
  const quote = lit[0]
  if (quote !== lit[lit.length - 1]) throw new LiteralSyntaxError()
  let body = lit.slice(1, -1)
  if (quote === '`') {
    if (body.includes('`')) throw new LiteralSyntaxError()
    return body.replace(/\r/g, '')
  }
  if (quote !== '"' && quote !== "'") throw new LiteralSyntaxError()
  if (body.includes('\n')) throw new LiteralSyntaxError()
  let out = ''
  while (body.length) {
    const { char, tail } = unquoteChar(body, quote)
    out += char
    body = tail
    if (quote === "'" && body.length) throw new LiteralSyntaxError()
  }
  if (quote === "'" && !out) throw new LiteralSyntaxError()
  return out
}

/** strconv.Quote: a double-quoted Go string literal, non-printable characters escaped. */
export function goQuote(s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    switch (ch) {
      case '"':
        out += '\\"'
        continue
      case '\\':
        out += '\\\\'
        continue
      case '\x07':
        out += '\\a'
        continue
      case '\b':
        out += '\\b'
        continue
      case '\f':
        out += '\\f'
        continue
      case '\n':
        out += '\\n'
        continue
      case '\r':
        out += '\\r'
        continue
      case '\t':
        out += '\\t'
        continue
      case '\v':
        out += '\\v'
        continue
    }
    if (isGoPrintable(c)) out += ch
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`
    else out += `\\U${c.toString(16).padStart(8, '0')}`
  }
  return out + '"'
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(c: number): boolean {
  if (c < 0x80) return c >= 0x20 && c < 0x7f
  if (c >= 0xd800 && c <= 0xdfff) return false
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(c))
}
