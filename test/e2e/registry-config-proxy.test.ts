// HTTP_PROXY, HTTPS_PROXY and NO_PROXY, as Docker's and podman's Go client
// honours them, through a real proxy: Debian's tinyproxy (CONNECT tunnels for
// HTTPS, absolute-URI requests for plain HTTP), whose request log shows what
// went through it. The registries are reached by this machine's host name
// (loopback addresses are never proxied, as in Go); one serves HTTPS with a
// certificate from an openssl CA.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, show, STACK_TRACE, type Result } from '../support/tsrun'
import { freePort, Podman, registryName, startRegistry, type Registry } from '../support/registry'
import { makeCa, type TestCa } from '../support/test-ca'
import { startTinyproxy, tinyproxyMissing, type Proxy } from '../support/tinyproxy'
import { useFreshRoots } from '../support/suite'

const { name, why: noName } = await registryName()
const why = noName ?? tinyproxyMissing()
if (why) console.warn(`registry-config-proxy: skipped: ${why}`)

let ca: TestCa
let tlsReg: Registry
let plainReg: Registry
let loopReg: Registry
let proxy: Proxy
let strictProxy: Proxy
let podman: Podman
let certDir: string
const freshRoot = useFreshRoots()

beforeAll(async () => {
  if (why) return
  ca = makeCa()
  tlsReg = await startRegistry({ name, tls: ca.issue(name!, { dns: [name!] }) })
  plainReg = await startRegistry({ name })
  loopReg = await startRegistry()
  proxy = await startTinyproxy()
  // Only port 443 may be tunnelled to: a CONNECT to a registry's port is refused.
  strictProxy = await startTinyproxy({ connectPorts: [443] })
  podman = new Podman()
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-proxy-certs-'))
  fs.copyFileSync(ca.cert, path.join(certDir, 'ca.crt'))
  const src = freshRoot()
  await src.importDemo('demo:1')
  const oci = `oci:${src.root}/images:docker.io/library/demo:1`
  for (const [reg, flag] of [[tlsReg, `--dest-cert-dir=${certDir}`], [plainReg, '--dest-tls-verify=false'], [loopReg, '--dest-tls-verify=false']] as const) {
    const copy = await exec('skopeo', ['copy', flag, oci, `docker://${reg.host}/p/demo:1`], { timeout: 60_000 })
    if (copy.code !== 0) throw new Error(show(copy))
  }
}, 180_000)

afterAll(async () => {
  await podman?.destroy()
  for (const r of [tlsReg, plainReg, loopReg]) await r?.stop()
  await proxy?.stop()
  await strictProxy?.stop()
  ca?.remove()
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true })
}, 120_000)

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

/** The proxy's requests made while `fn` ran. */
async function through(p: Proxy, fn: () => Promise<unknown>): Promise<string[]> {
  const before = p.requests().length
  await fn()
  return p.requests().slice(before)
}

describe.skipIf(!!why)('proxies from the environment', () => {
  it('HTTPS_PROXY: a pull and a push of an HTTPS registry go through CONNECT tunnels', async () => {
    const t = freshRoot()
    const env = { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: ca.cert }
    const pulled = await through(proxy, () => t.ok(['pull', `${tlsReg.host}/p/demo:1`], { env }))
    expect(pulled.length).toBeGreaterThan(0)
    expect(new Set(pulled)).toEqual(new Set([`CONNECT ${tlsReg.host} HTTP/1.1`]))
    const pushed = await through(proxy, () => t.ok(['push', `${tlsReg.host}/p/demo:1`, `${tlsReg.host}/p/pushed:1`], { env }))
    expect(new Set(pushed)).toEqual(new Set([`CONNECT ${tlsReg.host} HTTP/1.1`]))
    const run = await t.run(['run', '--rm', `${tlsReg.host}/p/demo:1`, 'echo', 'proxied'])
    expect(run.stdout, show(run)).toBe('proxied\n')
  })

  it('and podman, given the same environment, goes through the same proxy', async () => {
    const seen = await through(proxy, async () => {
      const r = await podman.run(['pull', '--cert-dir', certDir, `${tlsReg.host}/p/demo:1`], { env: { HTTPS_PROXY: proxy.url } })
      expect(r.code, show(r)).toBe(0)
    })
    expect(seen).toContain(`CONNECT ${tlsReg.host} HTTP/1.1`)
  })

  it('a proxy that is not there is named in the one-line error', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    const r = await freshRoot().run(['pull', `${tlsReg.host}/p/demo:1`], { env: { HTTPS_PROXY: dead, SSL_CERT_FILE: ca.cert } })
    expectOneLineError(r, new RegExp(`^Error: cannot reach registry ${tlsReg.host}: the proxy ${dead.slice('http://'.length)} refused the connection \\(check HTTPS_PROXY/HTTP_PROXY\\)$`, 'm'))
  })

  it('a proxy that will not open the tunnel is named with its answer, not taken for the registry', async () => {
    const r = await freshRoot().run(['pull', `${tlsReg.host}/p/demo:1`], { env: { HTTPS_PROXY: strictProxy.url, SSL_CERT_FILE: ca.cert } })
    expectOneLineError(r, new RegExp(`^Error: cannot reach registry ${tlsReg.host}: the proxy ${strictProxy.url.slice('http://'.length)} answered "403 [^"]*" to CONNECT ${tlsReg.host}`, 'm'))
  })

  it('NO_PROXY: a listed host (with or without its port) is reached directly; another port is not listed', async () => {
    const env = { HTTPS_PROXY: proxy.url, SSL_CERT_FILE: ca.cert }
    expect(await through(proxy, () => freshRoot().ok(['pull', `${tlsReg.host}/p/demo:1`], { env: { ...env, NO_PROXY: `other.example,${name}` } }))).toEqual([])
    expect(await through(proxy, () => freshRoot().ok(['pull', `${tlsReg.host}/p/demo:1`], { env: { ...env, no_proxy: tlsReg.host } }))).toEqual([])
    const port = Number(tlsReg.host.split(':')[1])
    const other = await through(proxy, () => freshRoot().ok(['pull', `${tlsReg.host}/p/demo:1`], { env: { ...env, NO_PROXY: `${name}:${port + 1}` } }))
    expect(other).toContain(`CONNECT ${tlsReg.host} HTTP/1.1`)
  })

  it('HTTP_PROXY: a plain-HTTP registry is asked through the proxy with absolute URIs', async () => {
    const t = freshRoot()
    const seen = await through(proxy, () => t.ok(['pull', `${plainReg.host}/p/demo:1`], { env: { HTTP_PROXY: proxy.url, TSRUN_INSECURE_REGISTRIES: plainReg.host } }))
    expect(seen).toContain(`GET http://${plainReg.host}/v2/ HTTP/1.1`)
    expect(seen.every((l) => l.includes(`http://${plainReg.host}/`)), seen.join('\n')).toBe(true)
    expect(await t.imagesJson()).toHaveLength(1)
  })

  it('loopback registries are never proxied, as Go decides', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`
    await freshRoot().ok(['pull', `${loopReg.host}/p/demo:1`], { env: { HTTP_PROXY: dead, HTTPS_PROXY: dead } })
  })
})
