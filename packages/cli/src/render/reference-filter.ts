import { familiarRepository, InvalidArgumentError, type ImageReference } from '@tsrun/core'

/**
 * `--filter reference=PATTERN` as Docker matches it: a shell-style pattern
 * (`*` and `?` within one path component) against the familiar name with
 * its tag (`demo:1`) or without (`demo`).
 */
export function referenceFilter(filters: string[] | undefined): (ref: ImageReference | undefined) => boolean {
  const patterns: RegExp[] = []
  for (const f of filters ?? []) {
    const eq = f.indexOf('=')
    const key = f.slice(0, eq)
    if (eq < 0 || key !== 'reference') throw new InvalidArgumentError(`unsupported filter "${f}": only reference=PATTERN is supported`)
    patterns.push(globToRegExp(f.slice(eq + 1)))
  }
  if (!patterns.length) return () => true
  return (ref) => {
    if (!ref) return false
    const repo = familiarRepository(ref)
    const names = [repo, ref.tag ? `${repo}:${ref.tag}` : repo]
    return patterns.some((p) => names.some((n) => p.test(n)))
  }
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (const c of glob) re += c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${re}$`)
}
