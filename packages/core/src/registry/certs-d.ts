/**
 * Per-registry TLS files, as Docker's `/etc/docker/certs.d` and
 * containers-certs.d(5) keep them: a directory named like the registry in
 * references (`registry.lan:5000`; no port means no port), holding
 *
 *   *.crt           CA certificates, trusted for this registry on top of the system's
 *   NAME.cert       a client certificate, with its key in NAME.key
 *
 * The directory used is the first of these that exists (as podman looks):
 * `~/.config/containers/certs.d/HOST`, `/etc/containers/certs.d/HOST`,
 * `/etc/docker/certs.d/HOST`; `--cert-dir DIR` (podman's flag) names the
 * directory holding the files instead. A `.cert` without its `.key`, or the
 * other way round, is an error, as in Docker (a `.crt` is a CA, a `.cert`
 * a client certificate: the error says so). With several pairs the first by
 * name is presented (Docker tries each in turn; Node takes one per
 * connection).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { pemCertificates } from './ca-store'

export interface HostTlsFiles {
  /** The directory the files came from; undefined when there is none. */
  dir?: string
  /** Extra CA certificates (PEM). */
  ca: string[]
  /** Client certificate and key (PEM), with their file names for messages. */
  client?: { cert: string; key: string; certFile: string }
}

/** The certs.d directories, in the order they are looked in for a host. */
export function certsDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || os.homedir()
  return [path.join(home, '.config', 'containers', 'certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d']
}

/** The TLS files for `host` (`certDir`: `--cert-dir`, the files directly in it). */
export function hostTlsFiles(host: string, certDir?: string, env: NodeJS.ProcessEnv = process.env): HostTlsFiles {
  let dir: string | undefined
  if (certDir) {
    dir = path.resolve(certDir)
    if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new InvalidArgumentError(`--cert-dir ${certDir}: not a directory`)
  } else {
    dir = certsDirs(env).map((d) => path.join(d, host)).find((d) => fs.statSync(d, { throwIfNoEntry: false })?.isDirectory())
  }
  if (!dir) return { ca: [] }
  let names: string[]
  try {
    names = fs.readdirSync(dir).sort()
  } catch (err) {
    throw new InvalidArgumentError(`cannot read the certificates directory ${dir}: ${(err as Error).message}`)
  }
  const read = (name: string) => {
    try {
      return fs.readFileSync(path.join(dir!, name), 'utf8')
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${path.join(dir!, name)}: ${(err as Error).message}`)
    }
  }
  const files: HostTlsFiles = { dir, ca: [] }
  for (const name of names) {
    if (name.endsWith('.crt')) {
      const certs = pemCertificates(read(name))
      if (!certs.length) throw new InvalidArgumentError(`${path.join(dir, name)} holds no PEM certificate (a CA certificate .crt is expected)`)
      files.ca.push(...certs)
    } else if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`
      if (!names.includes(keyName)) throw new InvalidArgumentError(`missing key ${keyName} for client certificate ${path.join(dir, name)}; CA certificates must use the extension .crt`)
      if (!files.client) files.client = { cert: read(name), key: read(keyName), certFile: path.join(dir, name) }
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`
      if (!names.includes(certName)) throw new InvalidArgumentError(`missing client certificate ${certName} for key ${path.join(dir, name)}`)
    }
  }
  return files
}
