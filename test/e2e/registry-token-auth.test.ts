// A registry doing token auth, as Docker Hub and most hosted registries do:
// docker-registry trusts JWTs from a token server of our own
// (support/token-server.ts), and tsrun gets them from the realm in the
// WWW-Authenticate challenge, anonymously or with the `tsrun login`
// credentials. The token server counts requests, so the tests also see which
// scopes tsrun asked for and that one token serves every blob of a scope.
//
// Policy: public/* is pullable by anyone and pushable by alice; private/* is
// alice's; carol/* is carol's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { lines, show, STACK_TRACE, type Result, type Tsrun } from '../support/tsrun'
import { startRegistry, type Registry } from '../support/registry'
import { startTokenServer, type TokenRequest, type TokenServer } from '../support/token-server'
import { useFreshRoots } from '../support/suite'

const USERS = { alice: 'alice pw', carol: 'carol pw' }

let tokens: TokenServer
let tokensStopped = false
let reg: Registry
let alice: Tsrun

const freshRoot = useFreshRoots()

beforeAll(async () => {
  tokens = await startTokenServer({
    users: USERS,
    grant: (user, repo) => {
      if (repo.startsWith('public/')) return user === 'alice' ? ['pull', 'push'] : ['pull']
      if (repo.startsWith('private/')) return user === 'alice' ? ['pull', 'push'] : []
      if (repo.startsWith('carol/')) return user === 'carol' ? ['pull', 'push'] : []
      return []
    },
  })
  reg = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootcertbundle: tokens.certFile } })
  alice = freshRoot()
  await alice.importDemo(`${reg.host}/private/demo:1`)
}, 120_000)

afterAll(async () => {
  await reg?.stop()
  if (!tokensStopped) await tokens?.stop()
}, 120_000)

/** The token requests made while `fn` ran. */
async function tokenRequestsDuring(fn: () => Promise<unknown>): Promise<TokenRequest[]> {
  const before = tokens.requests.length
  await fn()
  return tokens.requests.slice(before)
}

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('a registry with token auth', () => {
  it('refuses a wrong password at login with one line, and saves nothing', async () => {
    let r!: Result
    const reqs = await tokenRequestsDuring(async () => {
      r = await alice.run(['login', '-u', 'alice', '--password-stdin', reg.host], { input: 'wrong\n' })
    })
    expectOneLineError(r, /wrong username or password/)
    expect(fs.existsSync(path.join(alice.root, 'auth.json'))).toBe(false)
    // It was the token server that said no.
    expect(reqs).toMatchObject([{ user: 'alice', status: 401 }])
  })

  it('logs in, then pushes a private repository with one token for all its blobs, scoped pull and push', async () => {
    const login = await alice.ok(['login', '-u', 'alice', '--password-stdin', reg.host], { input: `${USERS.alice}\n` })
    expect(login.stdout).toMatch(/Login Succeeded/)
    let push!: Result
    const reqs = await tokenRequestsDuring(async () => {
      push = await alice.ok(['push', `${reg.host}/private/demo:1`])
    })
    expect(push.stdout).toMatch(/Pushed/)
    // HEAD, POST and PUT of the layer and the config, then the manifest: one token.
    expect(reqs, JSON.stringify(reqs)).toEqual([
      { user: 'alice', scopes: ['repository:private/demo:pull,push'], granted: ['repository:private/demo:pull,push'], status: 200 },
    ])
  })

  it('mounts from another repository with a token that also asks pull on the source, fetched once', async () => {
    await alice.ok(['tag', `${reg.host}/private/demo:1`, `${reg.host}/public/demo:1`])
    let push!: Result
    const reqs = await tokenRequestsDuring(async () => {
      push = await alice.ok(['push', `${reg.host}/public/demo:1`])
    })
    expect(push.stdout).toMatch(/Mounted from private\/demo/)
    expect(push.stdout).not.toMatch(/: Pushing/)
    const scopeSets = reqs.map((r) => r.scopes.join(' '))
    expect(new Set(scopeSets).size, 'no scope fetched twice').toBe(scopeSets.length)
    expect(reqs.find((r) => r.scopes.includes('repository:private/demo:pull'))).toMatchObject({
      scopes: ['repository:public/demo:pull,push', 'repository:private/demo:pull'],
      granted: ['repository:public/demo:pull,push', 'repository:private/demo:pull'],
    })
  })

  it('pulls a public repository anonymously, through one token scoped pull', async () => {
    const anon = freshRoot()
    const reqs = await tokenRequestsDuring(() => anon.ok(['pull', `${reg.host}/public/demo:1`]))
    expect(await anon.imagesJson()).toMatchObject([{ Repository: `${reg.host}/public/demo`, Tag: '1' }])
    expect(reqs).toEqual([{ scopes: ['repository:public/demo:pull'], granted: ['repository:public/demo:pull'], status: 200 }])
    const run = await anon.run(['run', '--rm', `${reg.host}/public/demo:1`, 'echo', 'public'])
    expect(run.stdout, show(run)).toBe('public\n')
  })

  it('refuses a pull of a private repository without login, in one line naming tsrun login', async () => {
    const anon = freshRoot()
    const r = await anon.run(['pull', `${reg.host}/private/demo:1`])
    expectOneLineError(r, new RegExp(`^Error: ${esc(reg.host)}/private/demo: authentication required; run tsrun login ${esc(reg.host)}$`, 'm'))
    expect(await anon.imagesJson()).toEqual([])
  })

  it('pulls the private repository into another store after tsrun login', async () => {
    const other = freshRoot()
    await other.ok(['login', '-u', 'alice', '-p', USERS.alice, reg.host])
    await other.ok(['pull', `${reg.host}/private/demo:1`])
    expect(await other.imagesJson()).toHaveLength(1)
  })

  it('tells a logged-in user without access that access is denied, not that the password is wrong', async () => {
    const carol = freshRoot()
    await carol.ok(['login', '-u', 'carol', '-p', USERS.carol, reg.host])
    const r = await carol.run(['pull', `${reg.host}/private/demo:1`])
    expectOneLineError(r, new RegExp(`^Error: ${esc(reg.host)}/private/demo: access denied for carol`, 'm'))
    expect(r.stderr).not.toMatch(/wrong username or password/)
  })

  it('uploads instead when the token does not grant pull on the repository it would mount from', async () => {
    const carol = freshRoot()
    await carol.importDemo(`${reg.host}/carol/demo:1`)
    await carol.ok(['login', '-u', 'carol', '-p', USERS.carol, reg.host])
    await carol.ok(['push', `${reg.host}/carol/demo:1`])
    // alice's store knows the image is in carol/demo too, but alice may not read it.
    const solo = freshRoot()
    await solo.importDemo(`${reg.host}/private/solo:1`)
    await solo.ok(['tag', `${reg.host}/private/solo:1`, `${reg.host}/carol/demo:1`])
    await solo.ok(['login', '-u', 'alice', '-p', USERS.alice, reg.host])
    let push!: Result
    const reqs = await tokenRequestsDuring(async () => {
      push = await solo.run(['push', `${reg.host}/private/solo:1`])
    })
    expect(push.code, show(push)).toBe(0)
    expect(push.stdout).toMatch(/Pushed/)
    expect(push.stdout).not.toMatch(/Mounted/)
    expect(reqs.find((r) => r.scopes.includes('repository:carol/demo:pull'))).toMatchObject({ granted: ['repository:private/solo:pull,push'] })
  })

  it('says in one line that the token service failed when it answers HTTP 500', async () => {
    tokens.mode = 'error'
    try {
      const r = await freshRoot().run(['pull', `${reg.host}/public/demo:1`])
      expectOneLineError(r, /token service 127\.0\.0\.1:\d+ answered HTTP 500/)
    } finally {
      tokens.mode = 'ok'
    }
  })

  it('says in one line that the token service answered no token when it answers garbage', async () => {
    tokens.mode = 'garbage'
    try {
      const r = await freshRoot().run(['pull', `${reg.host}/public/demo:1`])
      expectOneLineError(r, /token service 127\.0\.0\.1:\d+ answered something that is not a token/)
    } finally {
      tokens.mode = 'ok'
    }
  })

  it('names the token service, not the registry, when the token service cannot be reached', async () => {
    await tokens.stop()
    tokensStopped = true
    const r = await freshRoot().run(['pull', `${reg.host}/public/demo:1`])
    expectOneLineError(r, /cannot reach the token service 127\.0\.0\.1:\d+ of 127\.0\.0\.1:\d+: connection refused/)
  })
})
