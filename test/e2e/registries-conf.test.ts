// registries.conf as containers-registries.conf(5) describes it, driving the
// real CLI against Debian's docker-registry: unqualified-search-registries,
// short-name aliases (also from a drop-in), mirrors, location rewrites,
// insecure and blocked registries, the user's own file, with podman reading
// the same file as a peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, show, STACK_TRACE, type Result, type Tsrun } from '../support/tsrun'
import { freePort, Podman, registryName, startRegistry, type Registry } from '../support/registry'
import { makeCa, type TestCa } from '../support/test-ca'
import { useFreshRoots } from '../support/suite'

let a: Registry
let b: Registry
let podman: Podman
let src: Tsrun
const freshRoot = useFreshRoots()
const temps: string[] = []

function temp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-regconf-e2e-'))
  temps.push(d)
  return d
}
/** A registries.conf of its own, as CONTAINERS_REGISTRIES_CONF (with a HOME that has no drop-ins). */
function conf(text: string): { file: string; env: Record<string, string> } {
  const home = temp()
  const file = path.join(home, 'registries.conf')
  fs.writeFileSync(file, text)
  return { file, env: { CONTAINERS_REGISTRIES_CONF: file, HOME: home } }
}

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

beforeAll(async () => {
  a = await startRegistry()
  b = await startRegistry()
  podman = new Podman()
  src = freshRoot()
  await src.importDemo('demo:1')
  // a has real/thing and mirror-ns/app; b has tool and the primary copy of mirrored/app.
  for (const ref of [`${a.host}/real/thing:1`, `${a.host}/mirror-ns/app:1`, `${b.host}/tool:1`, `${b.host}/primary-ns/app:1`]) {
    await src.ok(['tag', 'demo:1', ref])
    await src.ok(['push', ref])
  }
}, 180_000)

afterAll(async () => {
  await podman?.destroy()
  await a?.stop()
  await b?.stop()
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true })
}, 120_000)

describe('short names', () => {
  it('unqualified-search-registries are tried in order; the image is named by the one that had it, and found locally by the short name', async () => {
    const { env } = conf(`unqualified-search-registries = ["${a.host}", "${b.host}"]\n`)
    const t = freshRoot()
    const pull = await t.ok(['pull', 'tool:1'], { env })
    expect(pull.stdout).toContain(`Pulled: ${b.host}/tool:1`)
    expect(await t.imageSummary()).toEqual([expect.stringMatching(new RegExp(`^${esc(b.host)}/tool:1@`))])
    const run = await t.run(['run', '--rm', '--pull', 'never', 'tool:1', 'echo', 'short'], { env })
    expect(run.stdout, show(run)).toBe('short\n')
    expect(JSON.parse((await t.ok(['image', 'inspect', 'tool:1'], { env })).stdout)[0].RepoTags).toEqual([`${b.host}/tool:1`])
    // rmi of the short name untags what it names there, not the image's other names.
    await t.ok(['tag', 'tool:1', 'kept:1'], { env })
    const rmi = await t.ok(['rmi', 'tool:1'], { env })
    expect(rmi.stdout).toBe(`Untagged: ${b.host}/tool:1\n`)
    expect((await t.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`)).toEqual(['kept:1'])
  })

  it('podman resolves the same short name through the same file', async () => {
    const { env } = conf(`unqualified-search-registries = ["${a.host}", "${b.host}"]\nshort-name-mode = "permissive"\n[[registry]]\nlocation = "${a.host}"\ninsecure = true\n[[registry]]\nlocation = "${b.host}"\ninsecure = true\n`)
    const r = await podman.run(['pull', 'tool:1'], { env })
    expect(r.code, show(r)).toBe(0)
    const images = await podman.run(['images', '--format', '{{.Repository}}:{{.Tag}}'], { env })
    expect(lines(images.stdout)).toContain(`${b.host}/tool:1`)
  })

  it('a name no search registry has fails in one line listing what each said', async () => {
    const { file, env } = conf(`unqualified-search-registries = ["${a.host}", "${b.host}"]\n`)
    const r = await freshRoot().run(['pull', 'nowhere:1'], { env })
    expectOneLineError(r, new RegExp(`^Error: nowhere:1 was found in none of the unqualified-search registries of ${esc(file)}: ${esc(a.host)}/nowhere:1: manifest for ${esc(a.host)}/nowhere:1 not found.*; ${esc(b.host)}/nowhere:1: manifest for`, 'm'))
  })

  it('an alias wins over the search registries and keeps the tag', async () => {
    const { env } = conf(`unqualified-search-registries = ["${b.host}"]\n[aliases]\n"nick" = "${a.host}/real/thing"\n`)
    const t = freshRoot()
    await t.ok(['pull', 'nick:1'], { env })
    expect(await t.imageSummary()).toEqual([expect.stringMatching(new RegExp(`^${esc(a.host)}/real/thing:1@`))])
    await t.ok(['run', '--rm', '--pull', 'never', 'nick:1', 'true'], { env })
  })

  it("an alias from the user's drop-in directory (containers-registries.conf.d) applies; so does run's pull", async () => {
    const { env } = conf(`unqualified-search-registries = ["${b.host}"]\n`)
    const dropIns = path.join(env.HOME, '.config', 'containers', 'registries.conf.d')
    fs.mkdirSync(dropIns, { recursive: true })
    fs.writeFileSync(path.join(dropIns, '50-mine.conf'), `[aliases]\n"mine" = "${a.host}/real/thing"\n`)
    const t = freshRoot()
    const run = await t.run(['run', '--rm', 'mine:1', 'echo', 'aliased'], { env })
    expect(run.stdout, show(run)).toBe('aliased\n')
    expect(await t.imageSummary()).toEqual([expect.stringMatching(new RegExp(`^${esc(a.host)}/real/thing:1@`))])
  })

  it('enforcing mode refuses an ambiguous short name without a terminal, as podman does', async () => {
    const { env } = conf(`short-name-mode = "enforcing"\nunqualified-search-registries = ["${a.host}", "${b.host}"]\n`)
    expectOneLineError(await freshRoot().run(['pull', 'tool:1'], { env }), /short name "tool:1" is ambiguous: it may come from/)
  })

  it("the user's ~/.config/containers/registries.conf replaces the system one", async () => {
    const home = temp()
    fs.mkdirSync(path.join(home, '.config', 'containers'), { recursive: true })
    fs.writeFileSync(path.join(home, '.config', 'containers', 'registries.conf'), `unqualified-search-registries = ["${b.host}"]\n`)
    const t = freshRoot()
    await t.ok(['pull', 'tool:1'], { env: { HOME: home } })
    expect(await t.imagesJson()).toHaveLength(1)
  })
})

describe('[[registry]] tables', () => {
  it('mirrors are tried in order before the location; the image keeps its own name', async () => {
    const down = `127.0.0.1:${await freePort()}`
    const noPrimary = `127.0.0.1:${await freePort()}`
    // Nothing listens on the location either: only the second mirror can serve it.
    const { env } = conf(`[[registry]]\nprefix = "mirrored.invalid/ns"\nlocation = "${noPrimary}/primary-ns"\n[[registry.mirror]]\nlocation = "${down}/nothing-here"\n[[registry.mirror]]\nlocation = "${a.host}/mirror-ns"\n`)
    const t = freshRoot()
    await t.ok(['pull', 'mirrored.invalid/ns/app:1'], { env })
    expect(await t.imageSummary()).toEqual([expect.stringMatching(/^mirrored\.invalid\/ns\/app:1@/)])
    const run = await t.run(['run', '--rm', 'mirrored.invalid/ns/app:1', 'echo', 'mirrored'], { env })
    expect(run.stdout, show(run)).toBe('mirrored\n')
  })

  it('when every mirror fails, the location is tried last, and its error says what the mirrors said', async () => {
    const down = `127.0.0.1:${await freePort()}`
    const { env } = conf(`[[registry]]\nprefix = "mirrored.invalid/ns"\nlocation = "${b.host}/primary-ns"\n[[registry.mirror]]\nlocation = "${down}/nothing-here"\n`)
    await freshRoot().ok(['pull', 'mirrored.invalid/ns/app:1'], { env })
    const r = await freshRoot().run(['pull', 'mirrored.invalid/ns/gone:1'], { env })
    expectOneLineError(r, new RegExp(`^Error: manifest for ${esc(b.host)}/primary-ns/gone:1 not found.* \\(tried first: ${esc(down)}/nothing-here/gone:1: cannot reach registry ${esc(down)}: connection refused`, 'm'))
  })

  it('a location rewrites the prefix (the man page\'s example.com/foo -> internal registry)', async () => {
    const { env } = conf(`[[registry]]\nprefix = "rewrite.invalid/team"\nlocation = "${a.host}/real"\n`)
    const t = freshRoot()
    await t.ok(['pull', 'rewrite.invalid/team/thing:1'], { env })
    expect(await t.imageSummary()).toEqual([expect.stringMatching(/^rewrite\.invalid\/team\/thing:1@/)])
  })

  it('a blocked registry refuses pulls and pushes in one line naming the file', async () => {
    const { file, env } = conf(`[[registry]]\nprefix = "${a.host}/blocked"\nblocked = true\n`)
    expectOneLineError(await freshRoot().run(['pull', `${a.host}/blocked/x:1`], { env }), new RegExp(`^Error: cannot pull ${esc(a.host)}/blocked/x:1: registry ${esc(a.host)}/blocked is blocked in ${esc(file)}$`, 'm'))
    const t = freshRoot()
    await t.importDemo(`${a.host}/blocked/x:1`)
    expectOneLineError(await t.run(['push', `${a.host}/blocked/x:1`], { env }), /cannot push .* is blocked in/)
    await t.ok(['pull', `${a.host}/real/thing:1`], { env })
  })

  it('a bad registries.conf fails the pull in one line naming it, and nothing else', async () => {
    const { file, env } = conf('unqualified-search-registries = "not a list"\n')
    expectOneLineError(await freshRoot().run(['pull', 'tool:1'], { env }), new RegExp(`^Error: ${esc(file)}: unqualified-search-registries must be a list`, 'm'))
    const t = freshRoot()
    await t.importDemo('local:1')
    await t.ok(['run', '--rm', 'local:1', 'true'], { env })
  })
})

describe('insecure registries in registries.conf', async () => {
  const { name, why } = await registryName()
  if (!name) console.warn(`registries-conf insecure: skipped: ${why}`)
  let ca: TestCa
  let tls: Registry
  beforeAll(async () => {
    if (!name) return
    ca = makeCa('a CA nobody trusts')
    tls = await startRegistry({ name, tls: ca.issue(name, { dns: [name] }) })
    const dir = temp()
    fs.copyFileSync(ca.cert, path.join(dir, 'ca.crt'))
    const copy = await exec('skopeo', ['copy', '--dest-cert-dir', dir, `oci:${src.root}/images:docker.io/library/demo:1`, `docker://${tls.host}/sec/demo:1`], { timeout: 60_000 })
    if (copy.code !== 0) throw new Error(show(copy))
  }, 60_000)
  afterAll(async () => {
    await tls?.stop()
    ca?.remove()
  })

  it.skipIf(!name)('insecure = true accepts an untrusted certificate; --tls-verify overrides it', async () => {
    const { env } = conf(`[[registry]]\nlocation = "${tls.host}"\ninsecure = true\n`)
    expectOneLineError(await freshRoot().run(['pull', `${tls.host}/sec/demo:1`]), /certificate/)
    await freshRoot().ok(['pull', `${tls.host}/sec/demo:1`], { env })
    expectOneLineError(await freshRoot().run(['pull', '--tls-verify', `${tls.host}/sec/demo:1`], { env }), /certificate/)
  })
})
