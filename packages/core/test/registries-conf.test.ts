// containers-registries.conf(5) and containers-registries.conf.d(5): which
// files, how they merge, prefix matching, mirrors and rewrites, short names.
// The cases follow the man pages' own examples.
import { afterEach, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseReference } from '../src/images/reference'
import { assertNotBlocked, pullSources } from '../src/registry/pull-sources'
import { findRegistry, loadRegistriesConf, registriesConfPaths } from '../src/registry/registries-conf'
import { localCandidates, resolvePullName } from '../src/registry/short-names'

const dirs: string[] = []
function tree(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-regconf-'))
  dirs.push(d)
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true })
    fs.writeFileSync(path.join(d, name), text)
  }
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
const one = (text: string) => {
  const d = tree({ 'registries.conf': text })
  return loadRegistriesConf({ main: path.join(d, 'registries.conf'), mainRequired: true, dropInDirs: [], aliasCache: path.join(d, 'none') })
}
const sources = (conf: ReturnType<typeof one>, ref: string) => pullSources(conf, parseReference(ref)).map((s) => `${s.mirror ? 'mirror ' : ''}${s.reference.domain}/${s.reference.path}${s.reference.digest ? `@${s.reference.digest}` : `:${s.reference.tag}`}${s.insecure ? ' (insecure)' : ''}`)
const DIGEST = `sha256:${'a'.repeat(64)}`

describe('which files', () => {
  it('CONTAINERS_REGISTRIES_CONF names the main file; the system and user drop-in directories still apply', () => {
    expect(registriesConfPaths({ HOME: '/nonexistent-home', CONTAINERS_REGISTRIES_CONF: '/x/r.conf' })).toMatchObject({
      main: '/x/r.conf',
      mainRequired: true,
      dropInDirs: ['/etc/containers/registries.conf.d', '/nonexistent-home/.config/containers/registries.conf.d'],
    })
  })
  it("the user's own registries.conf replaces the system one, and then only the user's drop-ins apply", () => {
    const home = tree({ '.config/containers/registries.conf': '' })
    expect(registriesConfPaths({ HOME: home })).toMatchObject({ main: path.join(home, '.config/containers/registries.conf'), dropInDirs: [path.join(home, '.config/containers/registries.conf.d')] })
    expect(registriesConfPaths({ HOME: '/nonexistent-home' })).toMatchObject({ main: '/etc/containers/registries.conf', mainRequired: false })
  })

  it('drop-ins (*.conf, in name order) override settings, replace a [[registry]] of the same prefix, add or erase aliases', () => {
    const d = tree({
      'main.conf': 'unqualified-search-registries = ["a.example"]\n[aliases]\n"keep" = "a.example/keep"\n"gone" = "a.example/gone"\n[[registry]]\nprefix = "a.example"\ninsecure = true\n',
      'd/10-first.conf': '[[registry]]\nprefix = "a.example"\nblocked = true\n[[registry]]\nlocation = "b.example"\n',
      'd/20-second.conf': 'unqualified-search-registries = ["b.example", "c.example"]\nshort-name-mode = "enforcing"\n[aliases]\n"gone" = ""\n',
      'd/README': 'not a conf file, not read',
    })
    const conf = loadRegistriesConf({ main: path.join(d, 'main.conf'), mainRequired: true, dropInDirs: [path.join(d, 'd')], aliasCache: path.join(d, 'none') })
    expect(conf.files).toEqual([path.join(d, 'main.conf'), path.join(d, 'd/10-first.conf'), path.join(d, 'd/20-second.conf')])
    expect(conf.searchRegistries).toEqual({ registries: ['b.example', 'c.example'], file: path.join(d, 'd/20-second.conf') })
    expect(conf.shortNameMode).toBe('enforcing')
    expect([...conf.aliases.keys()]).toEqual(['keep'])
    expect(conf.registries.map((r) => [r.prefix, r.insecure, r.blocked])).toEqual([['a.example', false, true], ['b.example', false, false]])
  })

  it("podman's recorded aliases (short-name-aliases.conf) win over the files'", () => {
    const d = tree({ 'main.conf': '[aliases]\n"app" = "a.example/app"\n', 'cache.conf': '[aliases]\n"app" = "b.example/app"\n' })
    const conf = loadRegistriesConf({ main: path.join(d, 'main.conf'), mainRequired: true, dropInDirs: [], aliasCache: path.join(d, 'cache.conf') })
    expect(conf.aliases.get('app')?.target).toBe('b.example/app')
  })

  it('reads the deprecated version 1 format; refuses it mixed with version 2 or in a drop-in', () => {
    const conf = one('[registries.search]\nregistries = ["s.example"]\n[registries.insecure]\nregistries = ["i.example:5000"]\n[registries.block]\nregistries = ["b.example"]\n')
    expect(conf.searchRegistries?.registries).toEqual(['s.example'])
    expect(conf.registries.map((r) => [r.prefix, r.insecure, r.blocked])).toEqual([['i.example:5000', true, false], ['b.example', false, true]])
    expect(() => one('unqualified-search-registries = []\n[registries.search]\nregistries = ["x.example"]\n')).toThrow(/mixes the version 1 format/)
  })

  it('names the file and the problem for bad content', () => {
    expect(() => one('[[registry]]\nlocation = "https://reg.example"\n')).toThrow(/location "https:\/\/reg.example" must not include a scheme/)
    expect(() => one('[[registry]]\nprefix = "a.example"\n[[registry]]\nprefix = "a.example"\n')).toThrow(/the registry prefix "a.example" is defined more than once/)
    expect(() => one('short-name-mode = "loud"\n')).toThrow(/short-name-mode must be "enforcing", "permissive" or "disabled"/)
    expect(() => one('[[registry]]\nprefix = "a.example"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.example"\npull-from-mirror = "tag-only"\n')).toThrow(/sets pull-from-mirror while its registry "a.example" sets mirror-by-digest-only = true/)
    expect(() => one('[aliases]\n"x" = "x:1"\n')).toThrow(/must point at a registry\/repository without tag or digest/)
    expect(() => one('insecure = [')).toThrow(/is not valid TOML at line 1/)
  })
})

describe('choosing the [[registry]] and its sources', () => {
  const manExample = one(`unqualified-search-registries = ["example.com"]
[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"
[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"
[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true
`)

  it("tries the man page's example in its order: mirror 0, mirror 1, then the rewritten location", () => {
    expect(sources(manExample, 'example.com/foo/image:latest')).toEqual([
      'mirror example-mirror-0.local/mirror-for-foo/image:latest',
      'mirror example-mirror-1.local/mirrors/foo/image:latest (insecure)',
      'internal-registry-for-example.com/bar/image:latest',
    ])
    // Outside the prefix: the reference itself.
    expect(sources(manExample, 'example.com/other:1')).toEqual(['example.com/other:1'])
  })

  it('the longest prefix wins; a prefix matches only at a separator', () => {
    const conf = one('[[registry]]\nprefix = "r.example"\nlocation = "host-level.example"\n[[registry]]\nprefix = "r.example/team"\nlocation = "team-level.example"\n[[registry]]\nprefix = "r.example/team/app:1"\nlocation = "tag-level.example/app"\n')
    expect(findRegistry(conf, 'r.example/team/x:1')?.entry.location).toBe('team-level.example')
    expect(findRegistry(conf, 'r.example/teamwork/x:1')?.entry.location).toBe('host-level.example')
    expect(findRegistry(conf, 'r.example/team/app:1')?.entry.location).toBe('tag-level.example/app')
    expect(findRegistry(conf, 'r.example:5000/x:1')).toBeUndefined()
  })

  it('a wildcard prefix *.example.com matches subdomains only, without rewriting', () => {
    const conf = one('[[registry]]\nprefix = "*.example.com"\ninsecure = true\n')
    expect(sources(conf, 'blah.example.com/foo/myimage:latest')).toEqual(['blah.example.com/foo/myimage:latest (insecure)'])
    expect(sources(conf, 'example.com/foo:1')).toEqual(['example.com/foo:1'])
  })

  it('Docker Hub names are normalised first: remap docker.io/library, not docker.io/alpine', () => {
    const conf = one('[[registry]]\nprefix = "docker.io/library"\nlocation = "hub-cache.lan/library"\n')
    expect(sources(conf, 'alpine:3')).toEqual(['hub-cache.lan/library/alpine:3'])
    expect(sources(conf, 'user/alpine:3')).toEqual(['docker.io/user/alpine:3'])
  })

  it('pull-from-mirror and mirror-by-digest-only choose mirrors by the kind of reference', () => {
    const conf = one('[[registry]]\nprefix = "p.example"\n[[registry.mirror]]\nlocation = "digests.example"\npull-from-mirror = "digest-only"\n[[registry.mirror]]\nlocation = "tags.example"\npull-from-mirror = "tag-only"\n[[registry]]\nprefix = "q.example"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "qm.example"\n')
    expect(sources(conf, 'p.example/a:1')).toEqual(['mirror tags.example/a:1', 'p.example/a:1'])
    expect(sources(conf, `p.example/a@${DIGEST}`)).toEqual([`mirror digests.example/a@${DIGEST}`, `p.example/a@${DIGEST}`])
    expect(sources(conf, 'q.example/a:1')).toEqual(['q.example/a:1'])
    expect(sources(conf, `q.example/a@${DIGEST}`)).toEqual([`mirror qm.example/a@${DIGEST}`, `q.example/a@${DIGEST}`])
  })

  it('a blocked registry is refused for pulls and pushes, naming the file', () => {
    const conf = one('[[registry]]\nprefix = "bad.example/ns"\nblocked = true\n')
    expect(() => assertNotBlocked(conf, parseReference('bad.example/ns/x:1'), 'pull')).toThrow(`cannot pull bad.example/ns/x:1: registry bad.example/ns is blocked in ${conf.files[0]}`)
    expect(() => assertNotBlocked(conf, parseReference('bad.example/other:1'), 'push')).not.toThrow()
  })
})

describe('short names', () => {
  it('without search registries in any file, a short name is Docker Hub, as Docker does', () => {
    expect(resolvePullName(one('[aliases]\n"x" = "a.example/x"\n'), 'alpine')).toEqual({ candidates: ['docker.io/library/alpine:latest'], how: 'qualified' })
  })
  it('an alias wins over the search registries and keeps the tag or digest', () => {
    const conf = one('unqualified-search-registries = ["a.example", "b.example"]\n[aliases]\n"team/app" = "c.example:5000/team/app"\n')
    expect(resolvePullName(conf, 'team/app:2').candidates).toEqual(['c.example:5000/team/app:2'])
    expect(resolvePullName(conf, `team/app@${DIGEST}`).candidates).toEqual([`c.example:5000/team/app@${DIGEST}`])
  })
  it('otherwise each search registry in order (docker.io adds library/)', () => {
    const conf = one('unqualified-search-registries = ["a.example:5000", "docker.io"]\n')
    expect(resolvePullName(conf, 'tool:1')).toMatchObject({ candidates: ['a.example:5000/tool:1', 'docker.io/library/tool:1'], how: 'search' })
    expect(resolvePullName(conf, 'a.example:5000/tool').candidates).toEqual(['a.example:5000/tool:latest'])
  })
  it('enforcing mode refuses an ambiguous short name (tsrun does not prompt); an empty list refuses all', () => {
    expect(() => resolvePullName(one('short-name-mode = "enforcing"\nunqualified-search-registries = ["a.example", "b.example"]\n'), 'x')).toThrow(/short name "x" is ambiguous: it may come from a.example, b.example/)
    expect(resolvePullName(one('short-name-mode = "enforcing"\nunqualified-search-registries = ["a.example"]\n'), 'x').candidates).toEqual(['a.example/x:latest'])
    expect(() => resolvePullName(one('unqualified-search-registries = []\n'), 'x')).toThrow(/short name "x" has no alias and .* sets no unqualified-search-registries/)
  })
  it('a local lookup tries the alias and the search registries, never for a qualified name', () => {
    const conf = one('unqualified-search-registries = ["a.example"]\n[aliases]\n"app" = "c.example/app"\n')
    expect(localCandidates(conf, 'app:1')).toEqual(['c.example/app:1', 'a.example/app:1'])
    expect(localCandidates(conf, 'c.example/app:1')).toEqual([])
  })
})
