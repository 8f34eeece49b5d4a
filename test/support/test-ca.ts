// A private certificate authority made with openssl, for TLS tests: a CA,
// server certificates for a registry's name, client certificates for mutual
// TLS. EC P-256 keys (quick to make); everything lives in one temp dir.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

export interface TestCa {
  dir: string
  /** The CA certificate (PEM file). */
  cert: string
  /** A certificate signed by this CA: files of the certificate and its key. */
  issue(name: string, opts: { dns?: string[]; ip?: string[]; client?: boolean }): { cert: string; key: string }
  remove(): void
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' })
}

export function makeCa(label = 'tsrun test CA'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-ca-'))
  const f = (n: string) => path.join(dir, n)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl(['req', '-x509', ...ec, '-days', '2', '-subj', `/CN=${label}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', f('ca.key'), '-out', f('ca.crt')])
  return {
    dir,
    cert: f('ca.crt'),
    issue(name, opts) {
      openssl(['req', ...ec, '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)])
      const san = [...(opts.dns ?? []).map((d) => `DNS:${d}`), ...(opts.ip ?? []).map((i) => `IP:${i}`)]
      const ext = [san.length ? `subjectAltName=${san.join(',')}` : '', `extendedKeyUsage=${opts.client ? 'clientAuth' : 'serverAuth'}`].filter(Boolean).join('\n')
      fs.writeFileSync(f(`${name}.ext`), `${ext}\n`)
      openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`)])
      return { cert: f(`${name}.crt`), key: f(`${name}.key`) }
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}
