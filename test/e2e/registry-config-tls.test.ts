// Registry TLS as Docker and podman configure it: the system CA store (as Go
// finds it: SSL_CERT_FILE, else the distribution's bundle), the per-registry
// directories /etc/docker/certs.d/HOST:PORT, /etc/containers/certs.d/HOST:PORT
// and ~/.config/containers/certs.d (ca.crt, client.cert, client.key), and
// podman's --cert-dir. Debian's docker-registry serves HTTPS with a
// certificate from a CA made here by openssl, once requiring client
// certificates; it is reached by this machine's host name, which resolves to
// loopback but is not loopback by name, so tsrun checks its certificate
// (127.0.0.1 would be insecure by default, as in Docker). podman and skopeo
// are peers reading the same directories.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, show, STACK_TRACE, type Result, type Tsrun } from '../support/tsrun'
import { Podman, registryName, startRegistry, type Registry } from '../support/registry'
import { makeCa, type TestCa } from '../support/test-ca'
import { useFreshRoots } from '../support/suite'

const { name, why } = await registryName()
if (!name) console.warn(`registry-config-tls: skipped: ${why}`)

let ca: TestCa
let otherCa: TestCa
let reg: Registry
let mtls: Registry
let podman: Podman
let client: { cert: string; key: string }
const freshRoot = useFreshRoots()
const made: string[] = []
const temps: string[] = []

/** Write a certs.d directory for `host` under `base`, removed after the file. */
function certsDir(base: string, host: string, files: Record<string, string>): string {
  if (!fs.existsSync(base)) {
    fs.mkdirSync(base, { recursive: true })
    made.push(base)
  }
  const dir = path.join(base, host)
  fs.mkdirSync(dir)
  made.unshift(dir)
  for (const [file, from] of Object.entries(files)) fs.copyFileSync(from, path.join(dir, file))
  return dir
}
function dropDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
  made.splice(made.indexOf(dir), 1)
}
function tempDir(files: Record<string, string> = {}): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-tls-'))
  temps.push(d)
  for (const [file, from] of Object.entries(files)) fs.copyFileSync(from, path.join(d, file))
  return d
}

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

beforeAll(async () => {
  if (!name) return
  ca = makeCa()
  otherCa = makeCa('another CA')
  const server = ca.issue(name, { dns: [name] })
  client = ca.issue('tsrun-client', { client: true })
  reg = await startRegistry({ name, tls: server })
  mtls = await startRegistry({ name, tls: { ...server, clientCa: ca.cert } })
  podman = new Podman()
  // skopeo fills both registries, trusting the CA (and presenting the client certificate) from a directory of its own.
  const src = freshRoot()
  await src.importDemo('demo:1')
  const dir = tempDir({ 'ca.crt': ca.cert, 'client.cert': client.cert, 'client.key': client.key })
  for (const r of [reg, mtls]) {
    const copy = await exec('skopeo', ['copy', '--dest-cert-dir', dir, `oci:${src.root}/images:docker.io/library/demo:1`, `docker://${r.host}/tls/demo:1`], { timeout: 60_000 })
    if (copy.code !== 0) throw new Error(show(copy))
  }
}, 180_000)

afterAll(async () => {
  for (const d of [...made]) fs.rmSync(d, { recursive: true, force: true })
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true })
  await podman?.destroy()
  await reg?.stop()
  await mtls?.stop()
  ca?.remove()
  otherCa?.remove()
}, 120_000)

describe.skipIf(!name)('registry TLS', () => {
  it('a registry whose CA nothing trusts is refused in one line that says where to put the CA; nothing is stored', async () => {
    const t = freshRoot()
    const r = await t.run(['pull', `${reg.host}/tls/demo:1`])
    expectOneLineError(r, new RegExp(`^Error: cannot reach registry ${reg.host}: .*certificate.*; trust its CA in /etc/containers/certs\\.d/${reg.host}/ca\\.crt \\(or the system store\\), or use --tls-verify=false$`, 'm'))
    expect(await t.imagesJson()).toEqual([])
    // (--no-tls-verify: oclif's form; --tls-verify=false comes with the flag parsing of issue 10)
    await t.ok(['pull', '--no-tls-verify', `${reg.host}/tls/demo:1`])
  })

  it('the system store, as Go reads it: a bundle named by SSL_CERT_FILE', async () => {
    const t = freshRoot()
    await t.ok(['pull', `${reg.host}/tls/demo:1`], { env: { SSL_CERT_FILE: ca.cert } })
    expect(await t.imagesJson()).toHaveLength(1)
  })

  it('/etc/docker/certs.d/HOST:PORT/ca.crt is trusted for that registry', async () => {
    const dir = certsDir('/etc/docker/certs.d', reg.host, { 'ca.crt': ca.cert })
    try {
      const t = freshRoot()
      await t.ok(['pull', `${reg.host}/tls/demo:1`])
      const run = await t.run(['run', '--rm', `${reg.host}/tls/demo:1`, 'echo', 'verified'])
      expect(run.stdout, show(run)).toBe('verified\n')
    } finally {
      dropDir(dir)
    }
  })

  it('/etc/containers/certs.d/HOST:PORT likewise, the same directory podman reads', async () => {
    const dir = certsDir('/etc/containers/certs.d', reg.host, { 'ca.crt': ca.cert })
    try {
      const t = freshRoot()
      await t.ok(['pull', `${reg.host}/tls/demo:1`])
      await t.ok(['push', `${reg.host}/tls/demo:1`, `${reg.host}/tls/pushed:1`])
      const peer = await podman.run(['pull', `${reg.host}/tls/pushed:1`])
      expect(peer.code, show(peer)).toBe(0)
    } finally {
      dropDir(dir)
    }
  })

  it('a directory without the port does not apply to HOST:PORT (containers-certs.d(5): the port must match)', async () => {
    const dir = certsDir('/etc/containers/certs.d', name!, { 'ca.crt': ca.cert })
    try {
      expectOneLineError(await freshRoot().run(['pull', `${reg.host}/tls/demo:1`]), /certificate/)
    } finally {
      dropDir(dir)
    }
  })

  it("the user's ~/.config/containers/certs.d comes first, as podman looks", async () => {
    const home = tempDir()
    certsDir(path.join(home, '.config', 'containers', 'certs.d'), reg.host, { 'ca.crt': ca.cert })
    const wrong = certsDir('/etc/containers/certs.d', reg.host, { 'ca.crt': otherCa.cert })
    try {
      await freshRoot().ok(['pull', `${reg.host}/tls/demo:1`], { env: { HOME: home } })
      expectOneLineError(await freshRoot().run(['pull', `${reg.host}/tls/demo:1`]), /certificate/)
    } finally {
      dropDir(wrong)
    }
  })

  it('--cert-dir names the directory itself (podman); one that does not exist is one line', async () => {
    const dir = tempDir({ 'ca.crt': ca.cert })
    const t = freshRoot()
    await t.ok(['pull', '--cert-dir', dir, `${reg.host}/tls/demo:1`])
    expectOneLineError(await t.run(['pull', '--cert-dir', path.join(dir, 'nope'), `${reg.host}/tls/demo:1`]), /^Error: --cert-dir .*nope: not a directory$/m)
  })

  it('--tls-verify insists on verified HTTPS even for loopback, which Docker otherwise lets speak plain HTTP', async () => {
    const plain = await startRegistry()
    try {
      const t = freshRoot()
      await t.importDemo(`${plain.host}/x/demo:1`)
      await t.ok(['push', `${plain.host}/x/demo:1`])
      expectOneLineError(await t.run(['pull', '--tls-verify', `${plain.host}/x/demo:1`]), new RegExp(`^Error: cannot reach registry ${plain.host}: `))
    } finally {
      await plain.stop()
    }
  })
})

describe.skipIf(!name)('client certificates (mutual TLS)', () => {
  it('without one, a registry that requires it is refused in one line saying where the certificate goes', async () => {
    const dir = certsDir('/etc/docker/certs.d', mtls.host, { 'ca.crt': ca.cert })
    try {
      expectOneLineError(await freshRoot().run(['pull', `${mtls.host}/tls/demo:1`]), new RegExp(`; the registry wants a client certificate it trusts: put client.cert and client.key in /etc/containers/certs.d/${mtls.host}/`))
    } finally {
      dropDir(dir)
    }
  })

  it('client.cert and client.key in certs.d are presented: pull, push, and podman with the same directory', async () => {
    const dir = certsDir('/etc/containers/certs.d', mtls.host, { 'ca.crt': ca.cert, 'client.cert': client.cert, 'client.key': client.key })
    try {
      const t = freshRoot()
      await t.ok(['pull', `${mtls.host}/tls/demo:1`])
      await t.ok(['push', `${mtls.host}/tls/demo:1`, `${mtls.host}/tls/again:1`])
      const peer = await podman.run(['pull', `${mtls.host}/tls/again:1`])
      expect(peer.code, show(peer)).toBe(0)
    } finally {
      dropDir(dir)
    }
  })

  it('a .cert without its .key, and a .key without its .cert, are one line each, as in Docker', async () => {
    const noKey = tempDir({ 'ca.crt': ca.cert, 'client.cert': client.cert })
    expectOneLineError(await freshRoot().run(['pull', '--cert-dir', noKey, `${mtls.host}/tls/demo:1`]), /^Error: missing key client\.key for client certificate .*client\.cert; CA certificates must use the extension \.crt$/m)
    const noCert = tempDir({ 'ca.crt': ca.cert, 'client.key': client.key })
    expectOneLineError(await freshRoot().run(['pull', '--cert-dir', noCert, `${mtls.host}/tls/demo:1`]), /^Error: missing client certificate client\.cert for key .*client\.key$/m)
  })
})
