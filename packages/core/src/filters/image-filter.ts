/**
 * `images --filter` as Docker's daemon reads it (moby daemon/containerd/
 * image_list.go): `dangling`, `label`, `label!`, `before`, `since`,
 * `reference`, `until`. Docker's containerd store keeps one record per
 * name, so `reference=` keeps the names that match and drops the rest;
 * here one stored image carries all its names, and the answer says which
 * of them passed.
 *
 *   filterImages(images, FilterArgs.parse(['reference=demo:*', 'dangling=false']), resolve)
 *   // [{ image, refs: ['docker.io/library/demo:1'] }]
 */
import { InvalidArgumentError } from '../errors'
import type { StoredImage } from '../images/image-store'
import { familiarRepository, familiarString, parseReference, repositoryOf } from '../images/reference'
import { FilterArgs } from './filter-args'
import { createdNano, parseUntil } from './filter-time'

/** The keys `images --filter` takes. */
export const IMAGE_FILTER_KEYS = ['dangling', 'label', 'label!', 'before', 'since', 'reference', 'until'] as const

/** An image that passed, with the references (canonical, as stored) that passed `reference=`: all of them without it. */
export interface FilteredImage {
  image: StoredImage
  refs: string[]
}

/**
 * The images passing every filter, in the order given. `resolve` finds the
 * image `before=`/`since=` name (and throws when there is none, which is
 * the error). Bad input throws before anything is chosen.
 */
export function filterImages(images: StoredImage[], f: FilterArgs, resolve: (ref: string) => StoredImage): FilteredImage[] {
  f.validate(IMAGE_FILTER_KEYS)
  const keep = imagePredicate(f, resolve)
  const dangling = f.contains('dangling') ? f.getBool('dangling', false) : undefined
  const patterns = f.get('reference')
  const out: FilteredImage[] = []
  for (const image of images) {
    if (dangling !== undefined && dangling !== (image.refs.length === 0)) continue
    if (!keep(image)) continue
    const refs = patterns.length ? image.refs.filter((r) => referenceMatches(r, patterns)) : image.refs
    // A dangling image has no name to match a reference pattern.
    if (patterns.length && !refs.length) continue
    out.push({ image, refs })
  }
  return out
}

/**
 * The filters every image command shares (list and prune): `before`,
 * `since`, `until` on the config's created time (Docker's classic store
 * compares the same; an image without one never passes them), and
 * `label`/`label!`. `dangling` and `reference` are the caller's.
 */
export function imagePredicate(f: FilterArgs, resolve: (ref: string) => StoredImage): (image: StoredImage) => boolean {
  const checks: Array<(image: StoredImage, created: number | undefined) => boolean> = []
  for (const v of f.get('before')) {
    const t = createdNano(resolve(v).config.created)
    if (t !== undefined) checks.push((_i, c) => c !== undefined && c < t)
  }
  for (const v of f.get('since')) {
    const t = createdNano(resolve(v).config.created)
    if (t !== undefined) checks.push((_i, c) => c !== undefined && c > t)
  }
  const now = Date.now()
  for (const v of f.get('until')) {
    const t = parseUntil(v, now)
    checks.push((_i, c) => c !== undefined && c < t)
  }
  const labels = labelChecks(f)
  if (labels.length) checks.push((image) => labels.every((check) => check(image.config.config?.Labels ?? {})))
  return (image) => {
    const created = createdNano(image.config.created)
    return checks.every((check) => check(image, created))
  }
}

/**
 * `label=KEY`, `label=KEY=VALUE`, `label!=KEY`, `label!=KEY=VALUE`, and
 * `label=KEY!=VALUE` (a negation inside the value), as the daemon's image
 * label filter reads them. A key must not be empty.
 */
function labelChecks(f: FilterArgs): Array<(labels: Record<string, string>) => boolean> {
  const checks: Array<(labels: Record<string, string>) => boolean> = []
  for (const key of ['label', 'label!']) {
    for (const value of f.get(key)) {
      const eq = value.indexOf('=')
      let k = eq < 0 ? value : value.slice(0, eq)
      const v = eq < 0 ? undefined : value.slice(eq + 1)
      let negate = key === 'label!'
      if (k.endsWith('!')) {
        k = k.slice(0, -1)
        negate = !negate
      }
      if (!k) throw new InvalidArgumentError(`invalid filter '${key}=${value}': a label filter needs a key`)
      checks.push((labels) => {
        const has = Object.hasOwn(labels, k)
        if (v === undefined) return has !== negate
        if (!has) return negate
        return (labels[k] === v) !== negate
      })
    }
  }
  return checks
}

/**
 * `reference=PATTERN` as Docker matches it: Go's path.Match against the
 * familiar name with and without its tag (`demo:1`, `demo`) and the full
 * name with and without it (`docker.io/library/demo:1`, `docker.io/library/demo`).
 */
export function referenceMatches(stored: string, patterns: string[]): boolean {
  let ref
  try {
    ref = parseReference(stored)
  } catch {
    return false
  }
  const full = repositoryOf(ref)
  const targets = [familiarString(ref), familiarRepository(ref), `${full}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`, full]
  return patterns.some((p) => {
    const re = goPathPattern(p)
    return re !== undefined && targets.some((t) => re.test(t))
  })
}

/**
 * Go's path.Match pattern as a RegExp: `*` any run of characters but `/`,
 * `?` one such character, `[a-z]`/`[^x]` classes, `\` escaping the next.
 * Undefined for a malformed pattern (Go's ErrBadPattern: nothing matches).
 */
export function goPathPattern(pattern: string): RegExp | undefined {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined
      re += escapeRe(pattern[++i])
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) return undefined
      let body = pattern.slice(i + 1, end)
      const negated = body.startsWith('^')
      if (negated) body = body.slice(1)
      if (!body) return undefined
      re += `[${negated ? '^/' : ''}${body.replace(/[\]\\^]/g, '\\$&')}]`
      i = end
    } else re += escapeRe(c)
  }
  return new RegExp(`^${re}$`)
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
