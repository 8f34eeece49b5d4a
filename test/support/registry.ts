// A private Debian `docker-registry` for the registry tests: listens on
// 127.0.0.1 on a free port, stores into a temp dir, optionally behind
// htpasswd auth or token auth (see token-server.ts). And a private podman
// (own --root/--runroot) as a peer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, sleep, type Result, type RunOpts } from './tsrun'

export interface Registry {
  /** `127.0.0.1:PORT` */
  host: string
  /** Where the registry keeps its blobs (for tampering tests). */
  storage: string
  stop(): Promise<void>
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

/** The registry side of token auth: where tokens come from and whose tokens to trust. */
export interface TokenAuth {
  realm: string
  service: string
  issuer: string
  /** PEM certificates; a token's x5c chain must end at one of them. */
  rootcertbundle: string
}

/** HTTPS for the registry: its certificate and key files, and the CA its clients' certificates must chain to (mutual TLS). */
export interface RegistryTls {
  cert: string
  key: string
  clientCa?: string
}

export interface RegistryOptions {
  user?: string
  password?: string
  token?: TokenAuth
  tls?: RegistryTls
  /**
   * The name the registry is reached by (`host` is NAME:PORT); it must
   * resolve to a local address, which the registry listens on. Default
   * 127.0.0.1, which tsrun, as Docker, treats as insecure (HTTP allowed,
   * certificates unchecked): TLS tests need another name (registryName()).
   */
  name?: string
}

/**
 * A name for this machine that is not loopback by name (so TLS is really
 * checked) and resolves to a loopback address the registry can listen on:
 * the host name, which Debian maps to 127.0.0.1 or 127.0.1.1 in /etc/hosts.
 * Undefined, with the reason, when this machine has none.
 */
export async function registryName(): Promise<{ name?: string; why?: string }> {
  const { lookup } = await import('node:dns/promises')
  const name = os.hostname()
  if (!name || name === 'localhost') return { why: 'the host name is empty or localhost' }
  try {
    const { address } = await lookup(name, { family: 4 })
    if (!address.startsWith('127.')) return { why: `the host name ${name} resolves to ${address}, not to a loopback address` }
    return { name }
  } catch (err) {
    return { why: `the host name ${name} does not resolve (${(err as Error).message})` }
  }
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-registry-'))
  const storage = path.join(dir, 'data')
  const port = await freePort()
  const name = opts.name ?? '127.0.0.1'
  const address = opts.name ? (await (await import('node:dns/promises')).lookup(opts.name, { family: 4 })).address : '127.0.0.1'
  let auth = ''
  if (opts.user) {
    const r = spawnSync('htpasswd', ['-Bbn', opts.user, opts.password ?? ''], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`htpasswd failed (install apache2-utils): ${r.stderr}`)
    fs.writeFileSync(path.join(dir, 'htpasswd'), r.stdout)
    auth = `auth:\n  htpasswd:\n    realm: tsrun-test\n    path: ${path.join(dir, 'htpasswd')}\n`
  } else if (opts.token) {
    const t = opts.token
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootcertbundle}\n`
  }
  fs.writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: ${address}:${port}\n${tlsConfig(opts.tls)}${auth}`,
  )
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'log'), 'w')] })
  const host = `${name}:${port}`
  for (let i = 0; ; i++) {
    try {
      if (opts.tls) {
        // Its clients' certificates may be required: that it accepts connections is enough.
        await new Promise<void>((resolve, reject) => net.connect(port, address).on('connect', function (this: net.Socket) { this.destroy(); resolve() }).on('error', reject))
        break
      }
      const res = await fetch(`http://${address}:${port}/v2/`)
      if (res.status === 200 || res.status === 401) break
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null || i > 100) throw new Error(`docker-registry did not start: ${fs.readFileSync(path.join(dir, 'log'), 'utf8')}`)
    await sleep(100)
  }
  return {
    host,
    storage,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

function tlsConfig(tls: RegistryTls | undefined): string {
  if (!tls) return ''
  const clientCas = tls.clientCa ? `    clientcas:\n      - ${tls.clientCa}\n` : ''
  return `  tls:\n    certificate: ${tls.cert}\n    key: ${tls.key}\n${clientCas}`
}

/** The registry's file holding a blob's bytes (filesystem driver layout). */
export function registryBlobFile(reg: Registry, digest: string): string {
  const hex = digest.replace(/^sha256:/, '')
  return path.join(reg.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')
}

/** Podman with private state, so tests neither see nor disturb anything else. */
export class Podman {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-podman-'))

  /** `runtime`: the OCI runtime podman drives (runc by default; crun refuses hybrid cgroup hosts). */
  constructor(readonly runtime = 'runc') {}

  run(args: string[], opts: RunOpts = {}): Promise<Result> {
    const global = ['--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'run'), '--runtime', this.runtime, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file']
    return exec('podman', [...global, ...args], { timeout: 120_000, ...opts })
  }

  /** `podman run` with the limits this host needs. */
  runContainer(image: string, cmd: string[]): Promise<Result> {
    return this.run(['run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--network', 'none', image, ...cmd])
  }

  async destroy(): Promise<void> {
    await this.run(['system', 'reset', '--force']).catch(() => undefined)
    spawnSync('rm', ['-rf', '--one-file-system', this.dir])
  }
}

/** Push a raw blob to a registry over HTTP (no auth), for hand-made manifests. */
export async function putBlob(host: string, repo: string, data: Buffer): Promise<string> {
  const { createHash } = await import('node:crypto')
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' })
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`)
  const loc = new URL(start.headers.get('location')!, `http://${host}`)
  loc.searchParams.set('digest', digest)
  const put = await fetch(loc, { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } })
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`)
  return digest
}

/** PUT a manifest document under a tag. */
export async function putManifest(host: string, repo: string, tag: string, doc: object, mediaType: string): Promise<string> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: JSON.stringify(doc), headers: { 'content-type': mediaType } })
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`)
  return res.headers.get('docker-content-digest')!
}

/**
 * Push a hand-made single-platform image: each layer's blob as given, the
 * config listing `diffIds` (the truth, or a lie for the refusal tests).
 * Answers the layer blob digests.
 */
export async function putImage(host: string, repo: string, tag: string, layers: { blob: Buffer; mediaType: string }[], diffIds: string[]): Promise<string[]> {
  const digests: string[] = []
  for (const l of layers) digests.push(await putBlob(host, repo, l.blob))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: { Cmd: ['sh'] } }))
  const configDigest = await putBlob(host, repo, config)
  await putManifest(
    host,
    repo,
    tag,
    {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l, i) => ({ mediaType: l.mediaType, digest: digests[i], size: l.blob.length })),
    },
    'application/vnd.oci.image.manifest.v1+json',
  )
  return digests
}
