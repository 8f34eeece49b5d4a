/**
 * `--filter KEY=VALUE` as Docker keeps it (moby's filters.Args): each key
 * holds a set of values. The matching helpers are Docker's, so every
 * listing reads the same words the same way: the values of one key are
 * alternatives (OR) for `match` and `exactMatch`, but `matchKVList` (labels)
 * wants all of them (AND), and different keys are checked one after the
 * other (AND). An unknown key is `invalid filter 'KEY'`, as the daemon says.
 *
 *   const f = FilterArgs.parse(['status=exited', 'status=created', 'label=app'])
 *   f.validate(['status', 'label'])
 *   f.match('status', 'exited')            // true: one of the values
 *   f.matchKVList('label', { app: 'web' }) // true: every label= is there
 */
import { InvalidArgumentError } from '../errors'

export class FilterArgs {
  private readonly fields = new Map<string, Set<string>>()

  /**
   * The words of repeated `--filter` flags. A word without `=` is refused as
   * docker/cli's flag parser refuses it; keys are lower-cased and both sides
   * trimmed, as it does; an empty word is ignored.
   */
  static parse(words: readonly string[] | undefined, flag = '-f, --filter'): FilterArgs {
    const args = new FilterArgs()
    for (const word of words ?? []) {
      if (word === '') continue
      const eq = word.indexOf('=')
      if (eq < 0) throw new InvalidArgumentError(`invalid argument "${word}" for "${flag}" flag: bad format of filter (expected name=value)`)
      args.add(word.slice(0, eq).trim().toLowerCase(), word.slice(eq + 1).trim())
    }
    return args
  }

  add(key: string, value: string): void {
    let values = this.fields.get(key)
    if (!values) this.fields.set(key, (values = new Set()))
    values.add(value)
  }

  /** Remove one value (the key goes with its last value). */
  delete(key: string, value: string): void {
    const values = this.fields.get(key)
    if (!values) return
    values.delete(value)
    if (values.size === 0) this.fields.delete(key)
  }

  /** The values given for `key`, in the order given. */
  get(key: string): string[] {
    return [...(this.fields.get(key) ?? [])]
  }

  contains(key: string): boolean {
    return this.fields.has(key)
  }

  keys(): string[] {
    return [...this.fields.keys()]
  }

  get size(): number {
    return this.fields.size
  }

  /** Refuse a key not in `accepted`, with the daemon's words: `invalid filter 'foo'`. */
  validate(accepted: readonly string[]): void {
    for (const key of this.fields.keys()) if (!accepted.includes(key)) throw invalidFilter(key)
  }

  /** No value for `key`, or `source` equals one of them. */
  exactMatch(key: string, source: string): boolean {
    const values = this.fields.get(key)
    return !values || values.size === 0 || values.has(source)
  }

  /**
   * No value for `key`, or one of them equals `source` or, read as a regular
   * expression, matches somewhere in it (Docker's `name=` and `status=`:
   * `name=web` matches `web-1` and `my-web`, `name=^web$` only `web`). A
   * value that is not a valid expression only matches exactly.
   */
  match(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true
    for (const pattern of this.fields.get(key) ?? []) if (goRegExp(pattern)?.test(source)) return true
    return false
  }

  /** No value for `key`, or `source` equals one of them or starts with one (Docker's FuzzyMatch). */
  fuzzyMatch(key: string, source: string): boolean {
    if (this.exactMatch(key, source)) return true
    for (const prefix of this.fields.get(key) ?? []) if (source.startsWith(prefix)) return true
    return false
  }

  /**
   * Labels as Docker matches `label=KEY` and `label=KEY=VALUE`: every value
   * given must hold (AND), a bare KEY by being present, KEY=VALUE by being
   * equal. No value for `key` matches anything; an empty `labels` nothing.
   */
  matchKVList(key: string, labels: Record<string, string> | undefined): boolean {
    const values = this.fields.get(key)
    if (!values || values.size === 0) return true
    if (!labels || Object.keys(labels).length === 0) return false
    for (const value of values) {
      const eq = value.indexOf('=')
      const k = eq < 0 ? value : value.slice(0, eq)
      if (!Object.hasOwn(labels, k)) return false
      if (eq >= 0 && labels[k] !== value.slice(eq + 1)) return false
    }
    return true
  }

  /**
   * A boolean filter (`dangling=true`): `fallback` when absent; `1`/`true`
   * and `0`/`false` as the daemon reads them, anything else (or both at
   * once) `invalid filter 'dangling=[maybe]'`.
   */
  getBool(key: string, fallback: boolean): boolean {
    const values = this.fields.get(key)
    if (!values) return fallback
    const isFalse = values.has('0') || values.has('false')
    const isTrue = values.has('1') || values.has('true')
    if (isFalse === isTrue) throw invalidFilter(key, this.get(key))
    return isTrue
  }
}

/**
 * The daemon's invalid-filter error: `invalid filter 'foo'` for a key, or
 * `invalid filter 'dangling=[maybe]'` with the values as Go prints a slice.
 */
export function invalidFilter(key: string, values?: string[]): InvalidArgumentError {
  return new InvalidArgumentError(`invalid filter '${key}${values ? `=[${values.join(' ')}]` : ''}'`)
}

/** A value the daemon refuses, with its reason: `invalid filter 'status=up': invalid value for state (up): ...`. */
export function invalidFilterValue(key: string, value: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid filter '${key}=${value}': ${reason}`)
}

const compiled = new Map<string, RegExp | null>()

/**
 * A filter value as Go's regexp.MatchString reads it: unanchored, with
 * Go's leading flag group (`(?i)web`) turned into JavaScript flags. Go's
 * RE2 and JavaScript agree on the plain syntax people use in filters
 * (anchors, classes, alternation, repetition); a pattern JavaScript cannot
 * compile answers undefined, as Go skips a value it cannot compile.
 */
function goRegExp(pattern: string): RegExp | undefined {
  if (!compiled.has(pattern)) {
    let source = pattern
    let flags = ''
    const lead = /^\(\?([imsU]+)\)/.exec(source)
    if (lead && !lead[1].includes('U')) {
      flags = lead[1]
      source = source.slice(lead[0].length)
    }
    try {
      compiled.set(pattern, new RegExp(source, flags))
    } catch {
      compiled.set(pattern, null)
    }
  }
  return compiled.get(pattern) ?? undefined
}

/**
 * `label=` and `label!=` together, as the daemon's prune and volume filters
 * read them: every `label=` holds, and not every `label!=` does.
 */
export function matchLabels(f: FilterArgs, labels: Record<string, string> | undefined): boolean {
  if (!f.matchKVList('label', labels)) return false
  return !(f.contains('label!') && f.matchKVList('label!', labels))
}
