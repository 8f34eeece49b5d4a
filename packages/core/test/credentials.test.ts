// One credentials file (Docker's config.json / podman's auth.json shape),
// with a real credential helper: a shell script speaking Docker's helper
// protocol, put on PATH for these tests.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { AuthFile } from '../src/registry/credentials'
import { authFileChain } from '../src/registry/auth-files'

const dirs: string[] = []
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-cred-'))
  dirs.push(d)
  return d
}
const tmpFile = () => path.join(tmpDir(), 'auth.json')
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

// docker-credential-unit keeps one JSON file per server URL in $UNIT_STORE.
const helperDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-helper-'))
const store = path.join(helperDir, 'store')
const savedPath = process.env.PATH
beforeAll(() => {
  fs.mkdirSync(store)
  fs.writeFileSync(
    path.join(helperDir, 'docker-credential-unit'),
    `#!/bin/sh
read -r line || true
key=$(printf %s "$line" | od -An -tx1 | tr -d ' \\n')
case "$1" in
get) [ -f "${store}/$key" ] && exec cat "${store}/$key"; echo "credentials not found in native keychain"; exit 1 ;;
store) url=$(printf %s "$line" | sed 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/'); printf %s "$line" > "${store}/$(printf %s "$url" | od -An -tx1 | tr -d ' \\n')" ;;
erase) [ -f "${store}/$key" ] || { echo "credentials not found in native keychain"; exit 1; }; rm "${store}/$key" ;;
*) echo "unknown action $1" >&2; exit 2 ;;
esac
`,
    { mode: 0o755 },
  )
  process.env.PATH = `${helperDir}:${savedPath}`
})
afterAll(() => {
  process.env.PATH = savedPath
  fs.rmSync(helperDir, { recursive: true, force: true })
})
const stored = () => fs.readdirSync(store).map((f) => JSON.parse(fs.readFileSync(path.join(store, f), 'utf8')))

describe('a credentials file', () => {
  it('writes Docker-shaped auths with mode 0600, even over a looser existing file, keeping other keys', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ HttpHeaders: { 'X-Keep': 'me' } }), { mode: 0o644 })
    const auth = new AuthFile(file)
    expect(await auth.store('127.0.0.1:5000', { username: 'alice', password: 'p:w' })).toEqual({ file, helper: undefined })
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ HttpHeaders: { 'X-Keep': 'me' }, auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:p:w').toString('base64') } } })
    expect(await auth.lookup('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'p:w' })
  })

  it('keeps Docker Hub under https://index.docker.io/v1/ and finds podman\'s docker.io and https:// keys', async () => {
    const file = tmpFile()
    const auth = new AuthFile(file)
    await auth.store('docker.io', { username: 'u', password: 'p' })
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).auths)).toEqual(['https://index.docker.io/v1/'])
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    fs.writeFileSync(file, JSON.stringify({ auths: { 'https://reg.example:443/v2/': { auth: b64('a:b') }, 'docker.io': { auth: b64('hub:pw') } } }))
    expect(await auth.lookup('reg.example:443')).toEqual({ username: 'a', password: 'b' })
    expect(await auth.lookup('docker.io')).toEqual({ username: 'hub', password: 'pw' })
  })

  it('prefers the most specific namespace key, as containers-auth.json(5) describes', async () => {
    const file = tmpFile()
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    fs.writeFileSync(file, JSON.stringify({ auths: { 'reg.lan': { auth: b64('host:1') }, 'reg.lan/team': { auth: b64('team:2') }, 'reg.lan/team/app': { auth: b64('app:3') } } }))
    const auth = new AuthFile(file)
    expect((await auth.lookup('reg.lan', 'team/app'))?.username).toBe('app')
    expect((await auth.lookup('reg.lan', 'team/other'))?.username).toBe('team')
    expect((await auth.lookup('reg.lan', 'solo'))?.username).toBe('host')
    // A login to the host leaves the namespaces' own logins alone.
    await auth.store('reg.lan', { username: 'new', password: 'x' })
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).auths).sort()).toEqual(['reg.lan', 'reg.lan/team', 'reg.lan/team/app'])
  })

  it('reads and writes an identity token as Docker does (auth is user: with no password)', async () => {
    const file = tmpFile()
    const auth = new AuthFile(file)
    await auth.store('acr.example', { username: 'alice', password: '', identityToken: 'refresh-1' })
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).auths['acr.example']).toEqual({ auth: Buffer.from('alice:').toString('base64'), identitytoken: 'refresh-1' })
    expect(await auth.lookup('acr.example')).toEqual({ username: 'alice', password: '', identityToken: 'refresh-1' })
  })

  it('erases an entry and says whether there was one', async () => {
    const auth = new AuthFile(tmpFile())
    await auth.store('h', { username: 'u', password: 'p' })
    expect(await auth.erase('h')).toBe(true)
    expect(await auth.lookup('h')).toBeUndefined()
    expect(await auth.erase('h')).toBe(false)
  })

  it('names the file and the fix when it is not JSON, or not shaped like one', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, '{nope')
    await expect(new AuthFile(file).lookup('h')).rejects.toThrow(`${file} is not valid JSON`)
    fs.writeFileSync(file, '{"auths": {"h": "base64"}}')
    await expect(new AuthFile(file).lookup('h')).rejects.toThrow(`${file}: "auths" must map registries to objects`)
  })
})

describe('credential helpers (docker-credential-NAME over stdin/stdout)', () => {
  it('credsStore keeps the secret in the helper and leaves only an empty entry in the file, as Docker', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credsStore: 'unit' }))
    const auth = new AuthFile(file)
    expect(await auth.store('reg.one:5000', { username: 'alice', password: 's3cret' })).toEqual({ file, helper: 'unit' })
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ credsStore: 'unit', auths: { 'reg.one:5000': {} } })
    expect(fs.readFileSync(file, 'utf8')).not.toContain('s3cret')
    expect(stored()).toContainEqual({ ServerURL: 'reg.one:5000', Username: 'alice', Secret: 's3cret' })
    expect(await auth.lookup('reg.one:5000')).toEqual({ username: 'alice', password: 's3cret' })
    expect(await auth.erase('reg.one:5000')).toBe(true)
    expect(await auth.lookup('reg.one:5000')).toBeUndefined()
  })

  it('credHelpers choose the helper per registry; others stay in the file', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { 'reg.two': 'unit' } }))
    const auth = new AuthFile(file)
    await auth.store('reg.two', { username: 'bob', password: 'helper-kept' })
    await auth.store('reg.three', { username: 'carol', password: 'file-kept' })
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(doc.auths['reg.two']).toEqual({})
    expect(Buffer.from(doc.auths['reg.three'].auth, 'base64').toString()).toBe('carol:file-kept')
    expect(await auth.lookup('reg.two')).toEqual({ username: 'bob', password: 'helper-kept' })
  })

  it('an identity token goes to the helper as Username <token>, and comes back as one', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { 'tok.example': 'unit' } }))
    const auth = new AuthFile(file)
    await auth.store('tok.example', { username: 'alice', password: '', identityToken: 'rt-9' })
    expect(stored()).toContainEqual({ ServerURL: 'tok.example', Username: '<token>', Secret: 'rt-9' })
    expect(await auth.lookup('tok.example')).toEqual({ username: '', password: '', identityToken: 'rt-9' })
  })

  it('eraseAll forgets every host in the file and in its helpers, and keeps the helper settings', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { 'reg.four': 'unit' } }))
    const auth = new AuthFile(file)
    await auth.store('reg.four', { username: 'd', password: '4' })
    await auth.store('reg.five', { username: 'e', password: '5' })
    expect((await auth.eraseAll()).sort()).toEqual(['reg.five', 'reg.four'])
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ credHelpers: { 'reg.four': 'unit' }, auths: {} })
    expect(stored().find((c) => c.ServerURL === 'reg.four')).toBeUndefined()
  })

  it('a helper that is not installed is one line naming it and the fix', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credsStore: 'nosuchhelper' }))
    await expect(new AuthFile(file).lookup('h')).rejects.toThrow(/^credential helper docker-credential-nosuchhelper is not installed \(not found on PATH\); install it or remove it/)
  })

  it('a helper name that could leave PATH is refused', async () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credsStore: '../../bin/sh' }))
    await expect(new AuthFile(file).lookup('h')).rejects.toThrow(/is not a credential helper name/)
  })
})

describe('which files', () => {
  const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1000' }
  it('without an explicit file: Docker\'s config.json first (written by login), then podman\'s', () => {
    expect(authFileChain(undefined, env)).toEqual({
      primary: '/home/u/.docker/config.json',
      files: ['/home/u/.docker/config.json', '/run/user/1000/containers/auth.json', '/home/u/.config/containers/auth.json'],
      explicit: false,
    })
    expect(authFileChain(undefined, { ...env, DOCKER_CONFIG: '/etc/dock', XDG_CONFIG_HOME: '/cfg' }).files).toEqual(['/etc/dock/config.json', '/run/user/1000/containers/auth.json', '/cfg/containers/auth.json'])
  })
  it('root without XDG_RUNTIME_DIR reads podman\'s /run/containers/0/auth.json', () => {
    expect(authFileChain(undefined, { HOME: '/root' }).files[1]).toBe(`/run/containers/${process.getuid!()}/auth.json`)
  })
  it('an explicit file (--authfile, else REGISTRY_AUTH_FILE) is the only one', () => {
    expect(authFileChain('/a/auth.json', { ...env, REGISTRY_AUTH_FILE: '/b.json' })).toEqual({ primary: '/a/auth.json', files: ['/a/auth.json'], explicit: true })
    expect(authFileChain(undefined, { ...env, REGISTRY_AUTH_FILE: '/b.json' }).files).toEqual(['/b.json'])
  })
})
