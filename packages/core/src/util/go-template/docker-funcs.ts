/**
 * The functions docker/cli adds to every `--format` template (its
 * templates package): json, split, join, title, lower, upper, pad, truncate;
 * and the stand-ins it uses when rendering a table's header row, where each
 * column's template runs over the header names and must print them intact.
 */
import { goJSON } from './go-json'
import type { GoFunc } from './go-values'

/** strings.Title: the first letter of each word upper-cased (words split at spaces and ASCII punctuation). */
export function goTitle(s: string): string {
  let prev = ' '
  let out = ''
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch
    prev = ch
  }
  return out
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!
  if (c <= 0x7f) return !/[0-9A-Za-z_]/.test(ch)
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false
  return /\s/u.test(ch)
}

/** truncate: the first `length` bytes of the string, as Docker slices them. */
function truncate(s: unknown, length: unknown): string {
  const bytes = Buffer.from(s as string, 'utf8')
  const n = length as number
  if (bytes.length < n) return s as string
  if (n < 0) throw new Error(`runtime error: slice bounds out of range [:${n}]`)
  return bytes.subarray(0, n).toString('utf8')
}

/** pad: spaces before and after, unless the string is empty. */
function pad(s: unknown, prefix: unknown, suffix: unknown): string {
  const str = s as string
  if (str === '') return str
  if ((prefix as number) < 0 || (suffix as number) < 0) throw new Error('strings: negative Repeat count')
  return ' '.repeat(prefix as number) + str + ' '.repeat(suffix as number)
}

/** Docker's template functions, by name. */
export const DOCKER_FUNCS: Record<string, GoFunc> = {
  json: { params: ['any'], fn: (v) => goJSON(v) ?? '' },
  split: { params: ['string', 'string'], fn: (s, sep) => ((sep as string) === '' ? [...(s as string)] : (s as string).split(sep as string)) },
  join: { params: ['[]string', 'string'], fn: (a, sep) => ((a as string[] | null) ?? []).join(sep as string) },
  title: { params: ['string'], fn: (s) => goTitle(s as string) },
  lower: { params: ['string'], fn: (s) => (s as string).toLowerCase() },
  upper: { params: ['string'], fn: (s) => (s as string).toUpperCase() },
  pad: { params: ['string', 'int', 'int'], fn: pad },
  truncate: { params: ['string', 'int'], fn: truncate },
}

const same = (v: unknown): unknown => v

/**
 * What a table's header row runs with instead (docker/cli's HeaderFunctions):
 * json, split, join, title, lower, upper and truncate hand the header name
 * back unchanged; pad is kept, so padded columns stay aligned.
 */
export const DOCKER_HEADER_FUNCS: Record<string, GoFunc> = {
  ...DOCKER_FUNCS,
  json: { params: ['string'], fn: same },
  split: { params: ['string', 'string'], fn: same },
  join: { params: ['string', 'string'], fn: same },
  title: { params: ['string'], fn: same },
  lower: { params: ['string'], fn: same },
  upper: { params: ['string'], fn: same },
  truncate: { params: ['string', 'int'], fn: same },
}
