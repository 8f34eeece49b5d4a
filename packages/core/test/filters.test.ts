// Docker's filter semantics, table-driven from moby's daemon/internal/filters
// (parse.go: Match, ExactMatch, FuzzyMatch, MatchKVList, GetBoolOrDefault,
// Validate and their errors) and daemon/network/filter.go (network ls and
// prune, which have no command yet: the predicate is what the networking
// backend will list through). Path patterns follow Go's path.Match.
import { describe, expect, it } from 'vitest'
import { FilterArgs } from '../src/filters/filter-args'
import { goPathPattern, referenceMatches } from '../src/filters/image-filter'
import { networkPredicate, NETWORK_LS_FILTER_KEYS, NETWORK_PRUNE_FILTER_KEYS, type FilterableNetwork } from '../src/filters/network-filter'

const f = (...words: string[]) => FilterArgs.parse(words)

describe('FilterArgs as filters.Args', () => {
  it('parses KEY=VALUE words as docker/cli does: key lower-cased, both sides trimmed, empty words ignored', () => {
    const args = f(' Name = web ', '', 'label=a=b=c')
    expect(args.get('name')).toEqual(['web'])
    expect(args.get('label')).toEqual(['a=b=c'])
    expect(() => f('name')).toThrow('invalid argument "name" for "-f, --filter" flag: bad format of filter (expected name=value)')
  })

  it("refuses an unaccepted key as the daemon: invalid filter 'KEY'", () => {
    expect(() => f('colour=red').validate(['name'])).toThrow("invalid filter 'colour'")
    expect(() => f('name=x').validate(['name'])).not.toThrow()
  })

  it.each([
    // key values, source, match
    [['name=web'], 'web', true],
    [['name=web'], 'my-web-1', true],
    [['name=^web$'], 'my-web', false],
    [['name=(?i)WEB'], 'web', true],
    [['name=a', 'name=b'], 'b', true],
    [['name=a', 'name=b'], 'c', false],
    [[], 'anything', true],
    // A value that is no valid expression still matches itself exactly.
    [['name=[x'], '[x', true],
    [['name=[x'], 'x', false],
  ])('match %j against %s: %s (exact or regexp, values OR)', (words, source, want) => {
    expect(f(...words).match('name', source)).toBe(want)
  })

  it('exactMatch and fuzzyMatch (prefix)', () => {
    expect(f('driver=local').exactMatch('driver', 'local2')).toBe(false)
    expect(f('id=abc').fuzzyMatch('id', 'abcdef')).toBe(true)
    expect(f('id=abd').fuzzyMatch('id', 'abcdef')).toBe(false)
  })

  it.each([
    [['label=a'], { a: '1' }, true],
    [['label=a=1'], { a: '1' }, true],
    [['label=a=2'], { a: '1' }, false],
    [['label=a', 'label=b'], { a: '1' }, false],
    [['label=a', 'label=b=2'], { a: '1', b: '2' }, true],
    [['label=a='], { a: '' }, true],
    [['label=a'], {}, false],
    [[], {}, true],
  ])('matchKVList %j on %j: %s (every value must hold)', (words, labels, want) => {
    expect(f(...words).matchKVList('label', labels)).toBe(want)
  })

  it('getBool reads 1/true and 0/false; a conflict or another word is the daemon error', () => {
    expect(f('dangling=1').getBool('dangling', false)).toBe(true)
    expect(f('dangling=false').getBool('dangling', true)).toBe(false)
    expect(f().getBool('dangling', true)).toBe(true)
    expect(() => f('dangling=true', 'dangling=0').getBool('dangling', false)).toThrow("invalid filter 'dangling=[true 0]'")
    expect(() => f('dangling=yes').getBool('dangling', false)).toThrow("invalid filter 'dangling=[yes]'")
  })
})

describe("reference= as Go's path.Match over Docker's four names", () => {
  it.each([
    ['demo:*', 'docker.io/library/demo:1', true],
    ['demo', 'docker.io/library/demo:1', true],
    ['docker.io/library/demo', 'docker.io/library/demo:1', true],
    ['*', 'docker.io/library/demo:1', true],
    ['*', 'docker.io/user/app:1', false],
    ['*/*', 'docker.io/user/app:1', true],
    ['localhost:5000/*:?', 'localhost:5000/app:1', true],
    ['d[a-f]mo', 'docker.io/library/demo:1', true],
    ['d[^e]mo', 'docker.io/library/demo:1', false],
    ['demo\\:1', 'docker.io/library/demo:1', true],
  ])('%s matches %s: %s', (pattern, stored, want) => {
    expect(referenceMatches(stored, [pattern])).toBe(want)
  })

  it('a malformed pattern matches nothing (ErrBadPattern)', () => {
    expect(goPathPattern('demo[')).toBeUndefined()
    expect(goPathPattern('demo\\')).toBeUndefined()
    expect(referenceMatches('docker.io/library/demo:1', ['demo['])).toBe(false)
  })
})

describe('network filters as daemon/network/filter.go', () => {
  const now = 2_000_000_000_000_000_000
  const nets: FilterableNetwork[] = [
    { name: 'none', id: 'aaa111', driver: 'null', labels: {}, scope: 'local', createdNano: now - 9e12, inUse: false, predefined: true },
    { name: 'host', id: 'bbb222', driver: 'host', labels: {}, scope: 'local', createdNano: now - 9e12, inUse: true, predefined: true },
    { name: 'front', id: 'ccc333', driver: 'bridge', labels: { tier: 'web' }, scope: 'local', createdNano: now - 5e12, inUse: true, predefined: false },
    { name: 'spare', id: 'ddd444', driver: 'bridge', labels: { tier: 'db', keep: '' }, scope: 'local', createdNano: now - 1e12, inUse: false, predefined: false },
  ]
  const names = (words: string[], prune = false) => nets.filter(networkPredicate(f(...words), prune ? NETWORK_PRUNE_FILTER_KEYS : NETWORK_LS_FILTER_KEYS, prune)).map((n) => n.name)

  it.each([
    [['driver=bridge'], ['front', 'spare']],
    [['driver=bri'], []],
    [['name=o'], ['none', 'host', 'front']],
    [['id=ccc'], ['front']],
    [['label=tier'], ['front', 'spare']],
    [['label=tier=db'], ['spare']],
    [['dangling=true'], ['spare']],
    [['dangling=false'], ['none', 'host', 'front']],
    [['type=builtin'], ['none', 'host']],
    [['type=custom', 'driver=bridge', 'label=tier=web'], ['front']],
    [['scope=local'], ['none', 'host', 'front', 'spare']],
  ])('network ls %j: %j', (words, want) => {
    expect(names(words)).toEqual(want)
  })

  it('prune takes only dangling networks; label!= keeps those it names', () => {
    expect(names([], true)).toEqual(['spare'])
    expect(names(['label!=keep'], true)).toEqual([])
  })

  it("bad input is the daemon's error", () => {
    expect(() => names(['colour=red'])).toThrow("invalid filter 'colour'")
    expect(() => names(['dangling=maybe'])).toThrow(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`)
    expect(() => names(['dangling=1', 'dangling=0'])).toThrow('got more than one value for filter key "dangling"')
    expect(() => names(['type=other'])).toThrow("invalid filter 'type'='other'")
    expect(() => names(['driver=bridge'], true)).toThrow("invalid filter 'driver'")
    expect(() => names(['until=1h', 'until=2h'], true)).toThrow('more than one until filter specified')
  })
})
