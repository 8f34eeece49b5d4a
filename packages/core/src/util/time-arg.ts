import { InvalidArgumentError } from '../errors'

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A point in time as Docker's `--since`/`--until` take it, in nanoseconds
 * since the epoch: RFC 3339 (`2026-11-28T04:07:10Z`, or a date alone),
 * unix seconds (`1700000000`, `1700000000.5`), or a Go duration counted
 * back from `now` (`10m`, `1h30m`, `45s`).
 */
export function parseTimeArg(value: string, flag: string, now = Date.now()): number {
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [sec, frac = ''] = v.split('.')
    return Number(sec) * 1e9 + Number((frac + '000000000').slice(0, 9))
  }
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    let ms = 0
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]]
    return Math.round((now - ms) * 1e6)
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const t = Date.parse(v)
    if (!Number.isNaN(t)) {
      const frac = /\.(\d+)/.exec(v)?.[1] ?? ''
      return Math.floor(t / 1000) * 1e9 + Number((frac + '000000000').slice(0, 9))
    }
  }
  throw new InvalidArgumentError(`invalid ${flag} value "${value}": give an RFC 3339 time, unix seconds, or a duration like 10m`)
}

/** Nanoseconds since the epoch of an RFC 3339 timestamp with up to 9 fraction digits. */
export function rfc3339Nano(ts: string): number {
  const t = Date.parse(ts)
  const frac = /\.(\d+)/.exec(ts)?.[1] ?? ''
  return Math.floor(t / 1000) * 1e9 + Number((frac + '000000000').slice(0, 9))
}
