// Bearer tokens are fetched once per scope set and kept until they lapse
// (expires_in, at least 60 s, less a tenth): a fake registry on loopback that
// is also its own token service counts token requests while Date moves on.
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { RegistryClient } from '../src/registry/client'

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
let server: http.Server
let host: string
let issued = 0
/** The token each manifest request carried. */
const used: string[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/token') {
      issued++
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ token: `t${issued}`, expires_in: 300 }))
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')
    if (!bearer) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="fake"` })
      return res.end()
    }
    used.push(bearer[1])
    res.writeHead(200, { 'content-type': MANIFEST })
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: {}, layers: [] }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => {
  server.closeAllConnections()
  server.close()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('bearer token cache', () => {
  it('reuses a token for the same scope, and fetches a new one once it has lapsed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const client = new RegistryClient({ host })
    await Promise.all([client.getManifest('a/b', 'one'), client.getManifest('a/b', 'two')])
    await client.getManifest('a/b', 'three')
    expect(issued).toBe(1)
    // Another scope, another token.
    await client.getManifest('other/repo', 'one')
    expect(issued).toBe(2)
    // 300 s tokens are kept 270 s.
    vi.setSystemTime(Date.now() + 269_000)
    await client.getManifest('a/b', 'four')
    expect(issued).toBe(2)
    vi.setSystemTime(Date.now() + 2_000)
    await client.getManifest('a/b', 'five')
    expect(issued).toBe(3)
    expect(used).toEqual(['t1', 't1', 't1', 't2', 't1', 't3'])
  })
})
