/**
 * Small renderings docker/cli's listings use, so tsrun's fields read the
 * same: Go's time.Time.String() for CreatedAt, RFC 3339 in UTC, Ellipsis
 * (cut to a display width, ending in …) and strconv.Quote for commands.
 */
import { displayWidth } from '@tsrun/core'

const pad2 = (n: number) => String(n).padStart(2, '0')

/**
 * Go's `time.Unix(sec, 0).String()` in the local zone: `2024-05-01 10:20:30 +0000 UTC`.
 * Off UTC the zone's name is what Intl calls it (`GMT+2` where Go would say
 * `CEST`); Intl is asked only then, as starting it costs some 15 ms.
 */
export function goTimeString(iso: string): string {
  const d = new Date(Math.floor(Date.parse(iso) / 1000) * 1000)
  if (Number.isNaN(d.getTime())) return ''
  const off = -d.getTimezoneOffset()
  const sign = off < 0 ? '-' : '+'
  const abs = Math.abs(off)
  const zone = off === 0 ? 'UTC' : (new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '')
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  return `${date} ${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)} ${zone}`
}

/** RFC 3339 in UTC to the second (`2024-05-01T10:20:30Z`), as `history`'s CreatedAt. */
export function rfc3339Seconds(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? '' : `${new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19)}Z`
}

/** docker/cli's Ellipsis: at most `max` display columns, the last one `…` when cut. */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return ''
  const chars = [...s]
  if (max === 1) return chars[0] ?? ''
  if (displayWidth(s) <= max) return s
  let out = ''
  let width = 0
  for (const c of chars) {
    const w = displayWidth(c)
    if (width + w > max - 1) break
    out += c
    width += w
  }
  return `${out}…`
}

/** strconv.Quote for the printable text commands are: JSON's escapes, with Go's \x for control bytes. */
export function quoteCommand(s: string): string {
  return JSON.stringify(s)
    .replace(/\\u00([0-1][0-9a-f])/g, (_m, h: string) => ({ '07': '\\a', '0b': '\\v' })[h] ?? `\\x${h}`)
    .replace(/\x7f/g, '\\x7f')
}
