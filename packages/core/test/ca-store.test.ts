// The CAs registry TLS trusts: the system store (SSL_CERT_FILE or the
// distribution's bundle, as Go reads it), plus NODE_EXTRA_CA_CERTS (which
// bin/tsrun hands over as TSRUN_EXTRA_CA_CERTS): a real TLS server on loopback
// with a certificate from a CA made here by openssl, reached through the
// registry HTTP layer with verification on.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as https from 'node:https'
import * as os from 'node:os'
import * as path from 'node:path'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { trustedCertificates } from '../src/registry/ca-store'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-ca-'))
const file = (name: string) => path.join(dir, name)
let server: https.Server
let url: string

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' })
}

const VARS = ['TSRUN_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const

/** GET over the registry layer's https agent, built for the environment `env` (a fresh module each time). */
async function get(env: Partial<Record<(typeof VARS)[number], string>>): Promise<number> {
  const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]))
  for (const v of VARS) {
    if (env[v] === undefined) delete process.env[v]
    else process.env[v] = env[v]
  }
  try {
    vi.resetModules()
    const { send } = await import('../src/registry/http')
    const res = await send({ method: 'GET', url: new URL(url) })
    res.body.resume()
    return res.status
  } finally {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v]
      else process.env[v] = saved[v]
    }
  }
}

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=tsrun test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'))
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr'))
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n')
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.pem'))
  server = https.createServer({ key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.pem')) }, (_req, res) => {
    res.writeHead(200).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`
})

afterAll(() => {
  server?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('CA certificates for registries', () => {
  it('a registry whose CA is not trusted is refused', async () => {
    await expect(get({})).rejects.toThrow(/certificate/)
  })

  it('the CA named by TSRUN_EXTRA_CA_CERTS is trusted, besides the system ones', async () => {
    expect(await get({ TSRUN_EXTRA_CA_CERTS: file('ca.pem') })).toBe(200)
    expect(trustedCertificates({ TSRUN_EXTRA_CA_CERTS: file('ca.pem') }).length).toBeGreaterThan(100)
  })

  it('the system store is what SSL_CERT_FILE names, as Go reads it: that bundle alone', async () => {
    expect(await get({ SSL_CERT_FILE: file('ca.pem') })).toBe(200)
    expect(trustedCertificates({ SSL_CERT_FILE: file('ca.pem') })).toHaveLength(1)
  })

  it('SSL_CERT_DIR adds every certificate file of the directory', async () => {
    const certDir = path.join(dir, 'certdir')
    fs.mkdirSync(certDir, { recursive: true })
    fs.copyFileSync(file('ca.pem'), path.join(certDir, 'private-ca.pem'))
    expect(await get({ SSL_CERT_DIR: certDir })).toBe(200)
  })

  it('without SSL_CERT_FILE the distribution bundle is the store (Debian: /etc/ssl/certs/ca-certificates.crt)', () => {
    const bundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')
    expect(trustedCertificates({})).toHaveLength(new Set(bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)).size)
  })

  it('an unreadable extra file is a warning and changes nothing', () => {
    expect(trustedCertificates({ TSRUN_EXTRA_CA_CERTS: file('missing.pem') })).toEqual(trustedCertificates({}))
  })
})
