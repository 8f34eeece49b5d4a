import { afterEach, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { authFilePath, CredentialStore } from '../src/registry/credentials'

const dirs: string[] = []
function tmpFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-cred-'))
  dirs.push(d)
  return path.join(d, 'auth.json')
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('credential store', () => {
  it('writes Docker-shaped auths with mode 0600, even over a looser existing file', () => {
    const file = tmpFile()
    fs.writeFileSync(file, JSON.stringify({ credsStore: 'keep-me' }), { mode: 0o644 })
    const store = new CredentialStore(file)
    store.set('127.0.0.1:5000', { username: 'alice', password: 'p:w' })
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
    expect(doc).toEqual({ credsStore: 'keep-me', auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:p:w').toString('base64') } } })
    expect(store.get('127.0.0.1:5000')).toEqual({ username: 'alice', password: 'p:w' })
  })
  it('keeps Docker Hub under https://index.docker.io/v1/ and finds https:// keys', () => {
    const file = tmpFile()
    const store = new CredentialStore(file)
    store.set('docker.io', { username: 'u', password: 'p' })
    expect(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).auths)).toEqual(['https://index.docker.io/v1/'])
    fs.writeFileSync(file, JSON.stringify({ auths: { 'https://reg.example:443/v2/': { auth: Buffer.from('a:b').toString('base64') } } }))
    expect(store.get('reg.example:443')).toEqual({ username: 'a', password: 'b' })
  })
  it('removes an entry and says whether there was one', () => {
    const store = new CredentialStore(tmpFile())
    store.set('h', { username: 'u', password: 'p' })
    expect(store.remove('h')).toBe(true)
    expect(store.get('h')).toBeUndefined()
    expect(store.remove('h')).toBe(false)
  })
  it('names the file and the fix when it is not JSON', () => {
    const file = tmpFile()
    fs.writeFileSync(file, '{nope')
    expect(() => new CredentialStore(file).get('h')).toThrow(`${file} is not valid JSON`)
  })
  it('lives in ROOT/auth.json unless REGISTRY_AUTH_FILE says otherwise', () => {
    expect(authFilePath('/r', {})).toBe('/r/auth.json')
    expect(authFilePath('/r', { REGISTRY_AUTH_FILE: '/x/a.json' })).toBe('/x/a.json')
  })
})
