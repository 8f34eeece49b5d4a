// A registry behind htpasswd: 401 without credentials, wrong password, login,
// the credential file (Docker's shape, mode 0600), logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { lines, newRoot, show, STACK_TRACE, type Tsrun } from '../support/tsrun'
import { startRegistry, type Registry } from '../support/registry'
import { describePty, pty } from '../support/pty'

let reg: Registry
let t: Tsrun
let other: Tsrun

beforeAll(async () => {
  reg = await startRegistry({ user: 'alice', password: 's3cret pass' })
  t = newRoot()
  other = newRoot()
  await t.importDemo(`127.0.0.1:${reg.host.split(':')[1]}/private/demo:1`)
}, 120_000)

afterAll(async () => {
  await t?.destroy()
  await other?.destroy()
  await reg?.stop()
}, 120_000)

function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code, JSON.stringify(r)).toBe(125)
  expect(lines(r.stderr)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

describe('a registry with htpasswd auth', () => {
  it('refuses a push without credentials, saying to log in', async () => {
    const r = await t.run(['push', `${reg.host}/private/demo:1`])
    expectOneLineError(r, new RegExp(`^Error: ${reg.host.replace(/\./g, '\\.')}/private/demo: authentication required; run tsrun login ${reg.host.replace(/\./g, '\\.')}`))
  })

  it('refuses a login with a wrong password and saves nothing', async () => {
    const r = await t.run(['login', '-u', 'alice', '--password-stdin', reg.host], { input: 'wrong\n' })
    expectOneLineError(r, /wrong username or password/)
    expect(fs.existsSync(path.join(t.root, 'auth.json'))).toBe(false)
  })

  it('logs in with --password-stdin and saves Docker-shaped credentials, mode 0600', async () => {
    const r = await t.run(['login', '-u', 'alice', '--password-stdin', reg.host], { input: 's3cret pass\n' })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/Login Succeeded/)
    const file = path.join(t.root, 'auth.json')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(Buffer.from(doc.auths[reg.host].auth, 'base64').toString()).toBe('alice:s3cret pass')
  })

  it('asks on a terminal for the user name, and for the password without echoing it', async () => {
    const asker = newRoot()
    try {
      const r = await pty(asker, ['login', reg.host], [
        { expect: 'Username: ' },
        { send: 'alicx\x7fe\r' },
        { expect: 'Password: ' },
        { send: 's3cret pass\r' },
        { expect: 'Login Succeeded' },
      ])
      expect(r.ok, describePty(r)).toBe(true)
      expect(r.exitCode, describePty(r)).toBe(0)
      // The user name echoes (the typo erased with backspace), the password does not.
      expect(r.output).toContain('Username: alicx\b \be')
      expect(r.output).not.toContain('s3cret')
      const doc = JSON.parse(fs.readFileSync(path.join(asker.root, 'auth.json'), 'utf8'))
      expect(Buffer.from(doc.auths[reg.host].auth, 'base64').toString()).toBe('alice:s3cret pass')
    } finally {
      await asker.destroy()
    }
  })

  it('pushes once logged in, and another store pulls only with credentials', async () => {
    await t.ok(['push', `${reg.host}/private/demo:1`])
    const denied = await other.run(['pull', `${reg.host}/private/demo:1`])
    expectOneLineError(denied, /authentication required; run tsrun login/)
    expect(await other.imagesJson()).toEqual([])
    await other.ok(['login', '-u', 'alice', '-p', 's3cret pass', reg.host])
    await other.ok(['pull', `${reg.host}/private/demo:1`])
    expect(await other.imagesJson()).toHaveLength(1)
  })

  it('a saved wrong password fails the pull with one line and leaves nothing', async () => {
    const stale = newRoot()
    try {
      fs.writeFileSync(path.join(stale.root, 'auth.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:old').toString('base64') } } }), { mode: 0o600 })
      const r = await stale.run(['pull', `${reg.host}/private/demo:1`])
      expectOneLineError(r, /refused the credentials of alice: wrong username or password/)
      expect(await stale.imagesJson()).toEqual([])
    } finally {
      await stale.destroy()
    }
  })

  it('logout forgets the credentials; a second logout says there were none', async () => {
    const r = await other.ok(['logout', reg.host])
    expect(r.stdout).toMatch(/Removed login credentials/)
    const doc = JSON.parse(fs.readFileSync(path.join(other.root, 'auth.json'), 'utf8'))
    expect(doc.auths[reg.host]).toBeUndefined()
    expectOneLineError(await other.run(['logout', reg.host]), /not logged in to/)
  })

  it('login without a terminal and without a password says how to give one', async () => {
    expectOneLineError(await t.run(['login', '-u', 'alice', reg.host]), /--password-stdin/)
  })
})
