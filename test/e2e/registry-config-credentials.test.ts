// Registry credentials where Docker and podman keep them: Docker's
// config.json (~/.docker, DOCKER_CONFIG), podman's auth.json
// ($XDG_RUNTIME_DIR/containers), --authfile and REGISTRY_AUTH_FILE, credential
// helpers (credsStore, credHelpers: docker-credential-NAME get|store|erase),
// identity tokens, logout --all. Against Debian's docker-registry (htpasswd,
// and token auth with a token service that issues refresh tokens), with
// podman and skopeo as peers reading and writing the same files, and a real
// helper program (support/credential-helper.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, show, STACK_TRACE, type Result, type Tsrun } from '../support/tsrun'
import { Podman, startRegistry, type Registry } from '../support/registry'
import { makeCredentialHelper, type TestHelper } from '../support/credential-helper'
import { startTokenServer, type TokenServer } from '../support/token-server'
import { useFreshRoots } from '../support/suite'

const PW = 's3cret pass'
let reg: Registry
let openReg: Registry
let tokenReg: Registry
let tokens: TokenServer
let helper: TestHelper
let podman: Podman
let source: Tsrun
const freshRoot = useFreshRoots()
const homes: string[] = []

beforeAll(async () => {
  reg = await startRegistry({ user: 'alice', password: PW })
  openReg = await startRegistry()
  tokens = await startTokenServer({ users: { alice: PW }, grant: (user) => (user === 'alice' ? ['pull', 'push'] : []), refreshTokens: true })
  tokenReg = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootcertbundle: tokens.certFile } })
  helper = makeCredentialHelper()
  podman = new Podman()
  // One store pushes the private images, with an explicit file of its own.
  source = freshRoot()
  await source.importDemo(`${reg.host}/private/demo:1`)
  await source.ok(['tag', `${reg.host}/private/demo:1`, `${tokenReg.host}/private/demo:1`])
  await source.ok(['tag', `${reg.host}/private/demo:1`, `${openReg.host}/public/demo:1`])
  await source.ok(['push', `${openReg.host}/public/demo:1`])
  await source.ok(['login', '-u', 'alice', '-p', PW, reg.host])
  await source.ok(['login', '-u', 'alice', '-p', PW, tokenReg.host])
  await source.ok(['push', `${reg.host}/private/demo:1`])
  await source.ok(['push', `${tokenReg.host}/private/demo:1`])
}, 180_000)

afterAll(async () => {
  await podman?.destroy()
  await reg?.stop()
  await openReg?.stop()
  await tokenReg?.stop()
  await tokens?.stop()
  helper?.remove()
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true })
}, 120_000)

/** A user of their own: HOME and XDG_RUNTIME_DIR in a temp dir, no explicit auth file, the test helper on PATH. */
function newUser(): { home: string; env: Record<string, string | undefined> } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-home-'))
  homes.push(home)
  fs.mkdirSync(path.join(home, 'run'), { mode: 0o700 })
  return {
    home,
    env: { HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'), XDG_CONFIG_HOME: undefined, DOCKER_CONFIG: undefined, REGISTRY_AUTH_FILE: undefined, PATH: `${helper.dir}:${process.env.PATH}` },
  }
}

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const decode = (auth: string) => Buffer.from(auth, 'base64').toString()
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'))

describe("Docker's config.json", () => {
  it('login writes ~/.docker/config.json (0600, Docker shape) with Docker\'s warning, and every store of that user pulls with it', async () => {
    const { home, env } = newUser()
    const login = await freshRoot().run(['login', '-u', 'alice', '--password-stdin', reg.host], { input: `${PW}\n`, env })
    expect(login.code, show(login)).toBe(0)
    expect(login.stdout).toMatch(/Login Succeeded/)
    const file = path.join(home, '.docker', 'config.json')
    expect(login.stderr).toBe(`WARNING! Your credentials are stored unencrypted in ${file}; configure a credential helper ("credsStore") to keep them elsewhere.\n`)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(decode(readJson(file).auths[reg.host].auth)).toBe(`alice:${PW}`)
    const other = freshRoot()
    await other.ok(['pull', `${reg.host}/private/demo:1`], { env })
    expect(await other.imagesJson()).toHaveLength(1)
  })

  it('DOCKER_CONFIG moves it, and skopeo reads what tsrun wrote there', async () => {
    const { home, env } = newUser()
    const dockerConfig = path.join(home, 'elsewhere')
    await freshRoot().ok(['login', '-u', 'alice', '-p', PW, reg.host], { env: { ...env, DOCKER_CONFIG: dockerConfig } })
    expect(fs.existsSync(path.join(home, '.docker'))).toBe(false)
    expect(decode(readJson(path.join(dockerConfig, 'config.json')).auths[reg.host].auth)).toBe(`alice:${PW}`)
    const inspect = await exec('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/private/demo:1`], { env: { ...env, DOCKER_CONFIG: dockerConfig } })
    expect(inspect.code, show(inspect)).toBe(0)
  })

  it('credsStore: login stores through docker-credential-test and leaves only an empty entry; pull gets, logout erases', async () => {
    const { home, env } = newUser()
    const file = path.join(home, '.docker', 'config.json')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(file, JSON.stringify({ credsStore: 'test' }))
    const before = helper.calls().length
    const login = await freshRoot().run(['login', '-u', 'alice', '-p', PW, reg.host], { env })
    expect(login.code, show(login)).toBe(0)
    expect(login.stderr, 'no warning: nothing is stored unencrypted').toBe('')
    expect(readJson(file)).toEqual({ credsStore: 'test', auths: { [reg.host]: {} } })
    expect(fs.readFileSync(file, 'utf8')).not.toContain(Buffer.from(`alice:${PW}`).toString('base64'))
    expect(helper.stored()[reg.host]).toEqual({ ServerURL: reg.host, Username: 'alice', Secret: PW })
    const puller = freshRoot()
    await puller.ok(['pull', `${reg.host}/private/demo:1`], { env })
    expect(helper.calls().slice(before)).toEqual([`store ${reg.host}`, `get ${reg.host}`])
    await puller.ok(['logout', reg.host], { env })
    expect(helper.calls().at(-1)).toBe(`erase ${reg.host}`)
    expect(helper.stored()[reg.host]).toBeUndefined()
    expect(readJson(file).auths).toEqual({})
  })

  it('credHelpers pick the helper per registry', async () => {
    const { home, env } = newUser()
    const file = path.join(home, '.docker', 'config.json')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { [reg.host]: 'test' } }))
    await freshRoot().ok(['login', '-u', 'alice', '-p', PW, reg.host], { env })
    expect(helper.stored()[reg.host]?.Secret).toBe(PW)
    expect(readJson(file).auths).toEqual({ [reg.host]: {} })
    await freshRoot().ok(['login', '-u', 'alice', '-p', PW, tokenReg.host], { env })
    expect(readJson(file).auths[tokenReg.host].identitytoken, 'a host without a helper stays in the file').toMatch(/^rt-alice-/)
    await freshRoot().ok(['pull', `${reg.host}/private/demo:1`], { env })
  })

  it('a helper that is not installed fails, in one line, the pulls that need credentials; a registry that asks for none pulls (tsrun looks credentials up only when asked)', async () => {
    const { home, env } = newUser()
    const file = path.join(home, '.docker', 'config.json')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(file, JSON.stringify({ credsStore: 'absent-helper' }))
    const r = await freshRoot().run(['pull', `${reg.host}/private/demo:1`], { env })
    expectOneLineError(r, /^Error: credential helper docker-credential-absent-helper is not installed \(not found on PATH\); install it or remove it from the config file/)
    await freshRoot().ok(['pull', `${openReg.host}/public/demo:1`], { env })
  })
})

describe("podman's auth.json, --authfile and REGISTRY_AUTH_FILE", () => {
  it("podman login's $XDG_RUNTIME_DIR/containers/auth.json is read when Docker's file has nothing", async () => {
    const { home, env } = newUser()
    const login = await podman.run(['login', '--tls-verify=false', '-u', 'alice', '-p', PW, reg.host], { env })
    expect(login.code, show(login)).toBe(0)
    expect(fs.existsSync(path.join(home, 'run', 'containers', 'auth.json'))).toBe(true)
    const t = freshRoot()
    await t.ok(['pull', `${reg.host}/private/demo:1`], { env })
    expect(await t.imagesJson()).toHaveLength(1)
    // tsrun's logout works on the file it writes; it says where these credentials are instead.
    const r = await t.run(['logout', reg.host], { env })
    expectOneLineError(r, new RegExp(`not logged in to ${esc(reg.host)} in ${esc(path.join(home, '.docker', 'config.json'))}; the credentials tsrun uses for it are in ${esc(path.join(home, 'run', 'containers', 'auth.json'))}`))
  })

  it('--authfile is the only file read and written, and podman reads it back', async () => {
    const { home, env } = newUser()
    const authfile = path.join(home, 'mine.json')
    const login = await freshRoot().run(['login', '--authfile', authfile, '-u', 'alice', '-p', PW, reg.host], { env })
    expect(login.code, show(login)).toBe(0)
    expect(login.stderr, 'the user chose the file: no warning').toBe('')
    expect(fs.existsSync(path.join(home, '.docker'))).toBe(false)
    const denied = await freshRoot().run(['pull', `${reg.host}/private/demo:1`], { env })
    expectOneLineError(denied, /authentication required; run tsrun login/)
    await freshRoot().ok(['pull', '--authfile', authfile, `${reg.host}/private/demo:1`], { env })
    await freshRoot().ok(['run', '--rm', '--authfile', authfile, `${reg.host}/private/demo:1`, 'true'], { env })
    const peer = await podman.run(['pull', '--tls-verify=false', '--authfile', authfile, `${reg.host}/private/demo:1`], { env })
    expect(peer.code, show(peer)).toBe(0)
  })

  it('REGISTRY_AUTH_FILE likewise, and a Docker config.json beside it is not read', async () => {
    const { home, env } = newUser()
    fs.mkdirSync(path.join(home, '.docker'))
    fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`alice:${PW}`).toString('base64') } } }))
    const r = await freshRoot().run(['pull', `${reg.host}/private/demo:1`], { env: { ...env, REGISTRY_AUTH_FILE: path.join(home, 'empty.json') } })
    expectOneLineError(r, /authentication required/)
  })
})

describe('identity tokens', () => {
  it('login keeps the refresh token the token service hands out instead of the password, as Docker does; pulls trade it for tokens', async () => {
    const { home, env } = newUser()
    const before = tokens.requests.length
    await freshRoot().ok(['login', '-u', 'alice', '-p', PW, tokenReg.host], { env })
    const entry = readJson(path.join(home, '.docker', 'config.json')).auths[tokenReg.host]
    expect(decode(entry.auth)).toBe('alice:')
    expect(entry.identitytoken).toMatch(/^rt-alice-/)
    expect(JSON.stringify(entry)).not.toContain(Buffer.from(PW).toString('base64'))
    expect(tokens.requests.slice(before)).toMatchObject([{ user: 'alice', offline: true, status: 200 }])
    const t = freshRoot()
    const pullStart = tokens.requests.length
    await t.ok(['pull', `${tokenReg.host}/private/demo:1`], { env })
    expect(tokens.requests.slice(pullStart)).toEqual([{ user: 'alice', grant: 'refresh_token', scopes: ['repository:private/demo:pull'], granted: ['repository:private/demo:pull'], status: 200 }])
    // A revoked token is one line saying to log in again.
    tokens.revoke('alice')
    const r = await freshRoot().run(['pull', `${tokenReg.host}/private/demo:1`], { env })
    expectOneLineError(r, new RegExp(`the token service refused the saved identity token \\(expired or revoked\\); run tsrun login ${esc(tokenReg.host)} again`))
  })

  it('a helper answering Username <token> gives an identity token', async () => {
    const { home, env } = newUser()
    const file = path.join(home, '.docker', 'config.json')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { [tokenReg.host]: 'test' } }))
    await freshRoot().ok(['login', '-u', 'alice', '-p', PW, tokenReg.host], { env })
    expect(helper.stored()[tokenReg.host]).toMatchObject({ Username: '<token>', Secret: expect.stringMatching(/^rt-alice-/) })
    const start = tokens.requests.length
    await freshRoot().ok(['pull', `${tokenReg.host}/private/demo:1`], { env })
    expect(tokens.requests.slice(start).map((r) => r.grant)).toEqual(['refresh_token'])
  })
})

describe('logout --all', () => {
  it("forgets every registry of the file and erases them from their helpers, keeping the helper settings (podman's --all)", async () => {
    const { home, env } = newUser()
    const file = path.join(home, '.docker', 'config.json')
    fs.mkdirSync(path.dirname(file))
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { [tokenReg.host]: 'test' }, HttpHeaders: { 'X-Kept': '1' } }))
    const t = freshRoot()
    await t.ok(['login', '-u', 'alice', '-p', PW, reg.host], { env })
    await t.ok(['login', '-u', 'alice', '-p', PW, tokenReg.host], { env })
    expect(helper.stored()[tokenReg.host]).toBeDefined()
    const r = await t.ok(['logout', '--all'], { env })
    expect(r.stdout).toBe('Removed login credentials for all registries\n')
    expect(readJson(file)).toEqual({ credHelpers: { [tokenReg.host]: 'test' }, HttpHeaders: { 'X-Kept': '1' }, auths: {} })
    expect(helper.stored()[tokenReg.host]).toBeUndefined()
    expectOneLineError(await freshRoot().run(['pull', `${reg.host}/private/demo:1`], { env }), /authentication required/)
  })

  it('refuses a registry together with --all, and neither', async () => {
    const { env } = newUser()
    expectOneLineError(await freshRoot().run(['logout', '--all', reg.host], { env }), /give either a registry or --all, not both/)
    expectOneLineError(await freshRoot().run(['logout'], { env }), /give the registry to log out of \(or --all\)/)
  })
})
