// A registry that lies: a Node http server on 127.0.0.1 serving, per
// repository, one hostile answer (test/e2e/hostile-registry.test.ts). Every
// case is built from a real image (the demo image's config and layer), so
// what is not hostile in a case is valid.
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import { gzipSync } from 'node:zlib'
import type { AddressInfo } from 'node:net'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** What one repository answers; anything not listed is 404. */
export interface Route {
  status?: number
  headers?: Record<string, string>
  body?: Buffer | string
  /** Write the answer yourself (streams that never end, lying lengths, ...). */
  raw?: (req: http.IncomingMessage, res: http.ServerResponse) => void
}

export interface HostileCase {
  name: string
  note: string
  /** Path below /v2/<name>/ (e.g. `manifests/1`, `blobs/sha256:...`) -> answer. */
  routes: Record<string, Route>
  /** What to pull: `<name>:1` unless given (`<name>@sha256:...`). */
  ref?: string
  /** `refuse` (125, one line) or `either`. */
  expect: 'refuse' | 'either'
}

export interface Parts {
  config: Buffer
  layerTar: Buffer
  layerGz: Buffer
}

/** A manifest for `parts` with `edit` applied to the JSON first. */
export function manifestOf(parts: Parts, edit: (m: any) => void = () => {}): Buffer {
  const m: any = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(parts.config), size: parts.config.length },
    layers: [{ mediaType: OCI_LAYER_GZIP, digest: sha256(parts.layerGz), size: parts.layerGz.length }],
  }
  edit(m)
  return Buffer.from(JSON.stringify(m))
}

/** The routes of a whole valid image, to start a case from. */
export function validRoutes(parts: Parts, manifest = manifestOf(parts)): Record<string, Route> {
  return {
    'manifests/1': { headers: { 'content-type': OCI_MANIFEST }, body: manifest },
    [`manifests/${sha256(manifest)}`]: { headers: { 'content-type': OCI_MANIFEST }, body: manifest },
    [`blobs/${sha256(parts.config)}`]: { body: parts.config },
    [`blobs/${sha256(parts.layerGz)}`]: { body: parts.layerGz },
  }
}

export function gz(b: Buffer): Buffer {
  return gzipSync(b)
}

export interface HostileRegistry {
  host: string
  /** Requests seen, `METHOD path` (to check what a client did). */
  seen: string[]
  stop(): Promise<void>
}

/** Serve `cases` on a free 127.0.0.1 port. `/v2/` answers 200 (no auth) unless a case overrides it. */
export async function startHostileRegistry(cases: HostileCase[]): Promise<HostileRegistry> {
  const byName = new Map(cases.map((c) => [c.name, c]))
  const seen: string[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push(`${req.method} ${url.pathname}`)
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' })
      return res.end('{}')
    }
    const m = /^\/v2\/([^/]+)\/(.+)$/.exec(url.pathname)
    const c = m ? byName.get(m[1]) : undefined
    const route = c?.routes[decodeURIComponent(m![2])]
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"not here"}]}')
    }
    if (route.raw) return route.raw(req, res)
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body ?? Buffer.alloc(0)
    res.writeHead(route.status ?? 200, { 'content-length': String(body.length), ...route.headers })
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    host: `127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
