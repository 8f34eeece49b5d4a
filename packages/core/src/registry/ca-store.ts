/**
 * The CA certificates a verified registry connection trusts, as Docker
 * (Go) finds them on Linux: the system's bundle (`$SSL_CERT_FILE`, else the
 * first of the distributions' bundle files, `/etc/ssl/certs/ca-certificates.crt`
 * on Debian), plus every file in `$SSL_CERT_DIR` when that is set, plus the
 * file `NODE_EXTRA_CA_CERTS` named. Without a system bundle, Node's own
 * Mozilla roots stand in for it. A host's certs.d CAs come on top
 * (certs-d.ts).
 *
 * bin/tsrun hands NODE_EXTRA_CA_CERTS over as TSRUN_EXTRA_CA_CERTS because
 * Node reads and parses that file while starting, before any code runs:
 * with a full system bundle that is some 40 ms on every command, though only
 * registry connections use it. Here everything is read on the first
 * verified TLS connection instead, once per process. As Node does, an
 * extra file that cannot be read is a warning, not an error.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tls from 'node:tls'

/** Where Go looks for the system bundle on Linux, in its order. */
const BUNDLE_FILES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/ca-bundle.pem',
  '/etc/pki/tls/cacert.pem',
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem',
  '/etc/ssl/cert.pem',
]

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** PEM certificates found in `text`. */
export function pemCertificates(text: string): string[] {
  return text.match(PEM) ?? []
}

let cached: { key: string; certs: string[] } | undefined

/** The trusted CAs for `env` (the process's, normally), read once. */
export function trustedCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
  const key = [env.SSL_CERT_FILE, env.SSL_CERT_DIR, env.TSRUN_EXTRA_CA_CERTS].join('\0')
  if (cached?.key === key) return cached.certs
  const certs = new Set<string>()
  const readFiles: string[] = []
  const system = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : BUNDLE_FILES
  for (const file of system) {
    const text = readQuietly(file)
    if (text === undefined) continue
    for (const c of pemCertificates(text)) certs.add(c)
    readFiles.push(fs.realpathSync(file))
    break
  }
  for (const dir of (env.SSL_CERT_DIR ?? '').split(':').filter(Boolean)) {
    let names: string[] = []
    try {
      names = fs.readdirSync(dir)
    } catch {
      continue
    }
    for (const name of names) for (const c of pemCertificates(readQuietly(path.join(dir, name)) ?? '')) certs.add(c)
  }
  if (certs.size === 0) for (const c of tls.rootCertificates) certs.add(c)
  const extra = env.TSRUN_EXTRA_CA_CERTS
  // Machines often name the system bundle itself there: no need to read it twice.
  if (extra && !readFiles.includes(realpathQuietly(extra))) {
    try {
      for (const c of pemCertificates(fs.readFileSync(extra, 'utf8'))) certs.add(c)
    } catch (err) {
      process.stderr.write(`Warning: ignoring extra CA certificates from ${extra}: ${(err as Error).message}\n`)
    }
  }
  cached = { key, certs: [...certs] }
  return cached.certs
}

function readQuietly(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function realpathQuietly(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}
