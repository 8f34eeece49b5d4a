/**
 * Go's float64 formatting (strconv.FormatFloat for 'e', 'f' and 'g'), which
 * fmt's %v, %e, %f and %g print with. %v is the shortest 'g' form that reads
 * back as the same number, with an exponent below 1e-4 and from 1e+06 on
 * (`1e+06`, `123456.7`, `1.5e-05`). Explicit precisions round the exact
 * binary value, half to even on a tie, as Go does.
 */

/** Decimal digits of a finite positive number: value = 0.d1d2d3... × 10^dp. */
interface Digits {
  d: string
  dp: number
}

/** The shortest digits that read back as `v` (JavaScript and Go agree on these). */
function shortestDigits(v: number): Digits {
  const [mant, exp] = v.toExponential().split('e')
  const d = mant.replace('.', '').replace(/0+$/, '') || '0'
  return { d, dp: Number(exp) + 1 }
}

/** The exact decimal expansion of a finite positive double. */
function exactDigits(v: number): Digits {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, v)
  const bits = view.getBigUint64(0)
  const rawExp = Number((bits >> 52n) & 0x7ffn)
  let mant = bits & ((1n << 52n) - 1n)
  let exp: number
  if (rawExp === 0) exp = -1074
  else {
    mant |= 1n << 52n
    exp = rawExp - 1075
  }
  let d: string
  let dp: number
  if (exp >= 0) {
    d = (mant << BigInt(exp)).toString()
    dp = d.length
  } else {
    d = (mant * 5n ** BigInt(-exp)).toString()
    dp = d.length - -exp
  }
  const trimmed = d.replace(/0+$/, '')
  const lead = trimmed.length - trimmed.replace(/^0+/, '').length
  return { d: trimmed.slice(lead) || '0', dp: dp - lead }
}

/** Round to `nd` significant digits, half to even on an exact tie (Go's decimal.Round). */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return x
  const next = x.d.charCodeAt(nd) - 48
  let up: boolean
  if (next === 5 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1
  else up = next >= 5
  if (!up) {
    const d = x.d.slice(0, nd).replace(/0+$/, '')
    return d ? { d, dp: x.dp } : { d: '0', dp: 0 }
  }
  const digits = x.d.slice(0, nd).split('').map(Number)
  let i = nd - 1
  while (i >= 0 && digits[i] === 9) i--
  if (i < 0) return { d: '1', dp: x.dp + 1 }
  digits[i]++
  return { d: digits.slice(0, i + 1).join(''), dp: x.dp }
}

function fmtE(x: Digits, prec: number, upper: boolean): string {
  let out = x.d[0] ?? '0'
  if (prec > 0) {
    out += '.'
    const frac = x.d.slice(1, 1 + prec)
    out += frac + '0'.repeat(prec - frac.length)
  }
  const exp = x.d === '0' ? 0 : x.dp - 1
  const e = Math.abs(exp)
  return `${out}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`
}

function fmtF(x: Digits, prec: number): string {
  let out = x.dp > 0 ? x.d.slice(0, x.dp) + '0'.repeat(Math.max(0, x.dp - x.d.length)) : '0'
  if (prec > 0) {
    let frac = ''
    for (let i = 0; i < prec; i++) {
      const j = x.dp + i
      frac += j < 0 || j >= x.d.length ? '0' : x.d[j]
    }
    out += '.' + frac
  }
  return out
}

/**
 * strconv.FormatFloat(v, fmt, prec, 64) for fmt 'e', 'E', 'f', 'g', 'G';
 * prec -1 means the shortest exact representation.
 */
export function formatGoFloat(v: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf'
  const neg = v < 0 || Object.is(v, -0)
  const a = Math.abs(v)
  const shortest = prec < 0
  let x: Digits
  if (a === 0) x = { d: '0', dp: 1 }
  else if (shortest) x = shortestDigits(a)
  else {
    const exact = exactDigits(a)
    if (fmt === 'e' || fmt === 'E') x = roundDigits(exact, prec + 1)
    else if (fmt === 'f') x = roundDigits(exact, exact.dp + prec)
    else x = roundDigits(exact, prec === 0 ? 1 : prec)
    if (fmt === 'g' || fmt === 'G') prec = prec === 0 ? 1 : prec
  }
  const nd = x.d === '0' ? 0 : x.d.length
  if (shortest) {
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0)
    else if (fmt === 'f') prec = Math.max(nd - x.dp, 0)
    else prec = nd
  }
  let out: string
  if (fmt === 'e' || fmt === 'E') out = fmtE(x, prec, fmt === 'E')
  else if (fmt === 'f') out = fmtF(x, prec)
  else {
    let eprec = prec
    if (eprec > nd && nd >= x.dp) eprec = nd
    if (shortest) eprec = 6
    const exp = x.dp - 1
    if (a !== 0 && (exp < -4 || exp >= eprec)) {
      let p = prec
      if (p > nd) p = nd
      out = fmtE(x, Math.max(p - 1, 0), fmt === 'G')
    } else {
      let p = prec
      if (p > x.dp) p = nd
      out = fmtF(x, Math.max(p - x.dp, 0))
    }
  }
  return neg ? `-${out}` : out
}
