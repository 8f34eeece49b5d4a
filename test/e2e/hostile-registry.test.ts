// Issue 17, the hostile corpus (registries that lie): a registry that
// answers each repository with one hostile answer (test/support/hostile/
// registry.ts): manifests and blobs that do not match their digests, digests
// that are paths, blobs longer, shorter or endless, absurd manifests and
// configs, index chains, redirect loops and redirects to file:, token realms
// that are files or floods, HTML and garbage for JSON, cut connections,
// oversized headers, and a layer that climbs out. A refusal is 125 with one
// line, stores nothing and leaves no spool file; nothing reaches the host.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMarkers } from '../support/hostile/watch'
import { gz, manifestOf, OCI_INDEX, OCI_MANIFEST, sha256, startHostileRegistry, validRoutes, type HostileCase, type HostileRegistry, type Parts } from '../support/hostile/registry'
import { busyboxRootfs, lines, show, STACK_TRACE, storeFiles } from '../support/tsrun'
import { useFreshRoots } from '../support/suite'

// A fresh store per case: a blob another case already stored would be
// skipped (content addressing), hiding what this case serves.
const freshRoot = useFreshRoots()
const markers = makeMarkers()
let reg: HostileRegistry

/** A one-layer image made of the busybox rootfs, with its own config. */
function parts(): Parts {
  const layerTar = fs.readFileSync(busyboxRootfs())
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] } }))
  return { config, layerTar, layerGz: gz(layerTar) }
}

/** A tar with one file whose name climbs to the marker. */
function climbingLayer(marker: string): Buffer {
  const name = `${'../'.repeat(20)}${marker.slice(1)}`
  const h = Buffer.alloc(512)
  h.write(name.slice(0, 99), 0)
  h.write('0000644\0', 100)
  h.write('0000000\0', 108)
  h.write('0000000\0', 116)
  h.write('00000000005\0', 124)
  h.write('14000000000\0', 136)
  h.write('0', 156)
  h.write('ustar\0', 257)
  h.write('00', 263)
  h.fill(' ', 148, 156)
  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return Buffer.concat([h, Buffer.from('pwned'.padEnd(512, '\0')), Buffer.alloc(1024)])
}

function cases(p: Parts, marker: string, self: () => string): HostileCase[] {
  const good = manifestOf(p)
  const out: HostileCase[] = []
  const add = (name: string, note: string, routes: HostileCase['routes'], more: Partial<HostileCase> = {}) =>
    out.push({ name, note, routes, expect: 'refuse', ...more })
  const withManifest = (m: Buffer) => validRoutes(p, m)
  const tamperedConfig = Buffer.from(p.config.toString().replace('"sh"', '"id"'))

  add('digest-lie', 'pulled by digest, the manifest served is another one', {
    [`manifests/${sha256(good)}`]: { headers: { 'content-type': OCI_MANIFEST }, body: manifestOf(p, (m) => (m.annotations = { x: 'y' })) },
  }, { ref: `digest-lie@${sha256(good)}` })
  add('config-digest-path', 'the config digest is a path climbing to the marker', withManifest(manifestOf(p, (m) => (m.config.digest = `sha256:../../../../../../..${marker}`))))
  add('layer-digest-upper', 'a layer digest in upper case', withManifest(manifestOf(p, (m) => (m.layers[0].digest = m.layers[0].digest.toUpperCase()))))
  add('layer-digest-sha512', 'a sha512 layer digest', withManifest(manifestOf(p, (m) => (m.layers[0].digest = `sha512:${'0'.repeat(128)}`))))
  add('layer-digest-empty', 'an empty layer digest', withManifest(manifestOf(p, (m) => (m.layers[0].digest = ''))))
  add('config-tampered', 'the config blob does not match its digest', { ...validRoutes(p), [`blobs/${sha256(p.config)}`]: { body: tamperedConfig } })
  add('layer-longer', 'the layer blob is a MiB longer than its descriptor', { ...validRoutes(p), [`blobs/${sha256(p.layerGz)}`]: { body: Buffer.concat([p.layerGz, Buffer.alloc(1 << 20)]) } })
  add('layer-shorter', 'the layer blob ends early', { ...validRoutes(p), [`blobs/${sha256(p.layerGz)}`]: { body: p.layerGz.subarray(0, p.layerGz.length >> 1) } })
  add('layer-endless', 'the layer blob never ends', {
    ...validRoutes(p),
    [`blobs/${sha256(p.layerGz)}`]: {
      raw: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        const chunk = Buffer.alloc(64 * 1024, 7)
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump)
        }
        res.on('close', () => res.destroy())
        pump()
      },
    },
  })
  add('manifest-100mb', 'a manifest of 100 MiB', { 'manifests/1': { headers: { 'content-type': OCI_MANIFEST }, body: Buffer.concat([good.subarray(0, -1), Buffer.from(`,"x":"${'x'.repeat(100 << 20)}"}`)]) } })
  add('manifest-deep', 'a manifest nested 100,000 levels deep', withManifest(Buffer.concat([good.subarray(0, -1), Buffer.from(`,"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)])))
  // An index chain: each index names the next; the last names the image.
  let chain = good
  const chainRoutes: HostileCase['routes'] = { ...validRoutes(p) }
  for (let i = 0; i < 50; i++) {
    const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: i ? OCI_INDEX : OCI_MANIFEST, digest: sha256(chain), size: chain.length, platform: { os: 'linux', architecture: 'amd64' } }] }))
    chainRoutes[`manifests/${sha256(idx)}`] = { headers: { 'content-type': OCI_INDEX }, body: idx }
    chainRoutes['manifests/1'] = chainRoutes[`manifests/${sha256(idx)}`]
    chain = idx
  }
  add('index-chain', 'indexes nested 50 deep', chainRoutes)
  add('layers-10000', 'a manifest with 10,000 layers', withManifest(manifestOf(p, (m) => (m.layers = Array(10_000).fill(m.layers[0])))))
  const twoDiffIds = Buffer.from(JSON.stringify({ ...JSON.parse(p.config.toString()), rootfs: { type: 'layers', diff_ids: [sha256(p.layerTar), sha256('x')] } }))
  add('diff-ids-count', 'the config lists two diff_ids for one layer', {
    ...withManifest(manifestOf({ ...p, config: twoDiffIds })),
    [`blobs/${sha256(twoDiffIds)}`]: { body: twoDiffIds },
  })
  add('redirect-loop', 'the layer blob redirects to itself', { ...validRoutes(p), [`blobs/${sha256(p.layerGz)}`]: { status: 307, headers: { location: `/v2/redirect-loop/blobs/${sha256(p.layerGz)}` } } })
  add('redirect-file', 'the layer blob redirects to file:///etc/passwd', { ...validRoutes(p), [`blobs/${sha256(p.layerGz)}`]: { status: 307, headers: { location: 'file:///etc/passwd' } } })
  add('realm-file', 'a bearer challenge whose realm is file:///etc/shadow', { 'manifests/1': { status: 401, headers: { 'www-authenticate': 'Bearer realm="file:///etc/shadow",service="x"' } } })
  add('realm-flood', 'a token service answering 50 MiB', {
    'manifests/1': { status: 401, headers: { 'www-authenticate': `Bearer realm="http://${self()}/v2/realm-flood/token",service="x"` } },
    token: { headers: { 'content-type': 'application/json' }, body: `{"token":"${'t'.repeat(50 << 20)}"}` },
  })
  add('manifest-html', 'an HTML page for the manifest', { 'manifests/1': { headers: { 'content-type': 'text/html' }, body: '<html><body>login here</body></html>' } })
  add('server-500', 'HTTP 500 with binary garbage', { 'manifests/1': { status: 500, body: Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]) } })
  add('schema1', 'a Docker schema 1 manifest', { 'manifests/1': { headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }, body: '{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}' } })
  add('layer-media-type', 'a layer of an unknown media type', withManifest(manifestOf(p, (m) => (m.layers[0].mediaType = 'application/x-evil'))), { expect: 'either' })
  const climbing = gz(climbingLayer(marker))
  const climbingConfig = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(climbingLayer(marker))] } }))
  add('layer-climbs', 'a layer whose file climbs to the marker', {
    ...withManifest(manifestOf({ config: climbingConfig, layerTar: climbingLayer(marker), layerGz: climbing })),
    [`blobs/${sha256(climbingConfig)}`]: { body: climbingConfig },
    [`blobs/${sha256(climbing)}`]: { body: climbing },
  }, { expect: 'either' })
  const bigEnv = Buffer.from(JSON.stringify({ ...JSON.parse(p.config.toString()), config: { Env: Array.from({ length: 200_000 }, (_, i) => `V${i}=x`) } }))
  add('config-env-200k', 'a config with 200,000 Env entries', { ...withManifest(manifestOf({ ...p, config: bigEnv })), [`blobs/${sha256(bigEnv)}`]: { body: bigEnv } })
  add('huge-header', 'an answer with a 100 KiB header', { 'manifests/1': { raw: (_q, res) => res.socket?.end(`HTTP/1.1 200 OK\r\nx-big: ${'x'.repeat(100 * 1024)}\r\ncontent-length: 2\r\n\r\n{}`) } })
  add('manifest-cut', 'the connection closes inside the manifest', { 'manifests/1': { raw: (_q, res) => res.socket?.end(`HTTP/1.1 200 OK\r\ncontent-type: ${OCI_MANIFEST}\r\ncontent-length: 1000\r\n\r\n${good.subarray(0, 100).toString()}`) } })
  add('platforms-10000', 'an index of 10,000 entries for other platforms', {
    'manifests/1': {
      headers: { 'content-type': OCI_INDEX },
      body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array.from({ length: 10_000 }, (_, i) => ({ mediaType: OCI_MANIFEST, digest: sha256(String(i)), size: 10, platform: { os: 'plan9', architecture: `arch${i}` } })) }),
    },
  })
  add('layers-repeated', 'the same layer 300 times', withManifest(manifestOf(p, (m) => (m.layers = Array(300).fill(m.layers[0])))), { expect: 'either' })
  const notJson = Buffer.from('this is not json')
  add('config-not-json', 'a config that is not JSON (its digest is right)', { ...withManifest(manifestOf({ ...p, config: notJson })), [`blobs/${sha256(notJson)}`]: { body: notJson } })
  const windows = Buffer.from(JSON.stringify({ ...JSON.parse(p.config.toString()), os: 'windows' }))
  add('config-windows', 'a config for windows/amd64', { ...withManifest(manifestOf({ ...p, config: windows })), [`blobs/${sha256(windows)}`]: { body: windows } })
  add('layer-size-zero', 'a layer descriptor of size 0', withManifest(manifestOf(p, (m) => (m.layers[0].size = 0))))
  add('layer-size-negative', 'a layer descriptor of size -1', withManifest(manifestOf(p, (m) => (m.layers[0].size = -1))))
  add('config-as-layer', 'the config blob named as the layer', withManifest(manifestOf(p, (m) => (m.layers[0] = { ...m.layers[0], digest: m.config.digest, size: m.config.size }))))
  return out
}

let all: HostileCase[] = []
beforeAll(async () => {
  let host = ''
  all = cases(parts(), markers.prefix, () => host)
  reg = await startHostileRegistry(all)
  host = reg.host
}, 60_000)
afterAll(async () => {
  await reg?.stop()
  markers.remove()
})

describe('a registry that lies', () => {
  it('every answer is refused cleanly (or pulled harmlessly)', async () => {
    expect(all.length).toBeGreaterThanOrEqual(30)
    const problems: string[] = []
    for (const c of all) {
      const t = freshRoot()
      const before = storeFiles(t.root)
      const r = await t.run(['pull', `${reg.host}/${c.ref ?? `${c.name}:1`}`], { timeout: 120_000 })
      const say = (what: string) => problems.push(`${c.name} (${c.note}): ${what}\n${show(r).slice(0, 2000)}`)
      if (r.timedOut) say('hung')
      if (STACK_TRACE.test(r.stderr)) say('a stack trace')
      if (r.code === 0 && c.expect === 'refuse') say('pulled, but must be refused')
      if (r.code !== 0) {
        if (r.code !== 125) say(`exit ${r.code}, not 125`)
        if (lines(r.stderr).length !== 1) say(`${lines(r.stderr).length} lines, not one`)
        if (r.stderr.length > 1000) say(`a line of ${r.stderr.length} bytes`)
        // Blobs and layers a failed pull committed stay for the rerun (the
        // resume); anything else, and any spool file, is a leak.
        const added = storeFiles(t.root).filter((f) => !before.includes(f) && !/^(images\/blobs\/sha256|storage\/overlay\/layers)\//.test(f) && f !== 'images/oci-layout' && f !== 'images/index.json')
        if (added.length) say(`left in the store: ${added.slice(0, 5).join(' ')}`)
        if (fs.existsSync(path.join(t.root, 'tmp')) && fs.readdirSync(path.join(t.root, 'tmp')).length) say(`left in the spool: ${fs.readdirSync(path.join(t.root, 'tmp')).join(' ')}`)
      }
      if (markers.found().length) say(`markers appeared: ${markers.found().join(', ')}`)
    }
    expect(problems, problems.join('\n\n')).toEqual([])
  }, 1_200_000)
})
