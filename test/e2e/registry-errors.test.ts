// Bad input against a registry: one clear line each, exit 125, nothing
// partial that `images` shows, no spool file left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import { createHash } from 'node:crypto'
import { lines, newRoot, show, STACK_TRACE, storeFiles, type Tsrun } from '../support/tsrun'
import { putBlob, putManifest, registryBlobFile, startRegistry, type Registry } from '../support/registry'

let reg: Registry
let src: Tsrun
let layerDigest = ''
const roots: Tsrun[] = []

beforeAll(async () => {
  reg = await startRegistry()
  src = newRoot()
  roots.push(src)
  await src.importDemo(`${reg.host}/good:1`)
  await src.ok(['push', `${reg.host}/good:1`])
  layerDigest = (await src.inspect(`${reg.host}/good:1`)).RootFS.Layers[0] // plain layer: digest = diff_id
}, 120_000)

afterAll(async () => {
  for (const t of roots) await t.destroy()
  await reg?.stop()
}, 120_000)

async function failsCleanly(args: string[], pattern: RegExp): Promise<void> {
  const t = newRoot()
  roots.push(t)
  const r = await t.run(args, { timeout: 30_000 })
  expect(r.timedOut, show(r)).toBe(false)
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(await t.imagesJson()).toEqual([])
  expect(storeFiles(t.root).filter((f) => f.startsWith('tmp/'))).toEqual([])
}

describe('pull failures', () => {
  it('an unknown registry host fails fast', async () => {
    await failsCleanly(['pull', 'nonexistent.invalid/demo:1'], /^Error: cannot reach registry nonexistent\.invalid: the host name does not resolve/)
  })

  it('a port where nothing listens says connection refused', async () => {
    await failsCleanly(['pull', '127.0.0.1:1/demo:1'], /cannot reach registry 127\.0\.0\.1:1: connection refused/)
  })

  it('a tag that does not exist is a 404 with the reference in the message', async () => {
    await failsCleanly(['pull', `${reg.host}/good:nope`], new RegExp(`manifest for ${reg.host.replace(/\./g, '\\.')}/good:nope not found`))
  })

  it('a repository that does not exist is a 404 too', async () => {
    await failsCleanly(['pull', `${reg.host}/missing/repo:1`], /manifest for .*missing\/repo:1 not found/)
  })

  it('a reference with bad syntax names what is wrong', async () => {
    await failsCleanly(['pull', `${reg.host}/Bad/Name:1`], /invalid reference format: .*repository name must be lowercase/)
    await failsCleanly(['pull', 'demo@sha256:xyz'], /invalid reference format/)
  })

  it('a bad --platform value names the expected shape', async () => {
    await failsCleanly(['pull', '--platform', 'amd64', `${reg.host}/good:1`], /invalid platform "amd64": expected os\/arch/)
  })

  it('an index with only another platform lists what it offers', async () => {
    const inspect = await src.inspect(`${reg.host}/good:1`)
    const manifestDigest = inspect.Metadata.ManifestDigest
    const manifestBytes = fs.readFileSync(`${src.root}/images/blobs/sha256/${manifestDigest.slice(7)}`)
    await src.ok(['push', `${reg.host}/good:1`, `${reg.host}/armonly:src`])
    await putManifest(
      reg.host,
      'armonly',
      '1',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifestBytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
      },
      'application/vnd.oci.image.index.v1+json',
    )
    await failsCleanly(['pull', `${reg.host}/armonly:1`], /has no image for linux\/amd64; it offers linux\/arm64\/v8 \(choose one with --platform\)/)
  })

  it('a single-platform image for another architecture is refused unless asked for', async () => {
    const config = Buffer.from(JSON.stringify({ architecture: 'riscv64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }))
    const configDigest = await putBlob(reg.host, 'riscv', config)
    await putManifest(reg.host, 'riscv', '1', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, layers: [] }, 'application/vnd.oci.image.manifest.v1+json')
    await failsCleanly(['pull', `${reg.host}/riscv:1`], /is an image for linux\/riscv64, not linux\/amd64; pull it with --platform linux\/riscv64/)
    const t = newRoot()
    roots.push(t)
    const r = await t.run(['pull', '--platform', 'linux/riscv64', `${reg.host}/riscv:1`])
    expect(r.code, show(r)).toBe(0)
  })

  it('a tampered blob fails the digest check and nothing of it is kept', async () => {
    const file = registryBlobFile(reg, layerDigest)
    const original = fs.readFileSync(file)
    try {
      const tampered = Buffer.from(original)
      tampered[tampered.length - 2000] ^= 0xff
      fs.writeFileSync(file, tampered)
      await failsCleanly(['pull', `${reg.host}/good:1`], new RegExp(`layer ${layerDigest.slice(7, 19)}: digest mismatch: expected ${layerDigest}`))
    } finally {
      fs.writeFileSync(file, original)
    }
  })

  it('a truncated blob fails and nothing of it is kept', async () => {
    const file = registryBlobFile(reg, layerDigest)
    const original = fs.readFileSync(file)
    try {
      fs.writeFileSync(file, original.subarray(0, 100_000))
      await failsCleanly(['pull', `${reg.host}/good:1`], /truncated: got 100000 of \d+ bytes/)
    } finally {
      fs.writeFileSync(file, original)
    }
  })

  it('a layer whose content contradicts the config diff_id is refused', async () => {
    const layer = Buffer.alloc(10240) // an empty tar: two zero blocks and more
    const layerD = await putBlob(reg.host, 'liar', layer)
    const wrong = `sha256:${createHash('sha256').update('something else').digest('hex')}`
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [wrong] }, config: {} }))
    const configD = await putBlob(reg.host, 'liar', config)
    await putManifest(reg.host, 'liar', '1', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configD, size: config.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerD, size: layer.length }] }, 'application/vnd.oci.image.manifest.v1+json')
    await failsCleanly(['pull', `${reg.host}/liar:1`], /but the image config says sha256:/)
  })

  it('the good image still pulls after all that', async () => {
    const t = newRoot()
    roots.push(t)
    await t.ok(['pull', `${reg.host}/good:1`])
  })
})

describe('push failures', () => {
  it('pushing an image that is not there says so', async () => {
    const r = await src.run(['push', `${reg.host}/absent:1`])
    expect(r.code).toBe(125)
    expect(r.stderr).toMatch(/^Error: No such image/)
  })

  it('pushing to an unknown host fails fast with one line', async () => {
    await src.ok(['tag', `${reg.host}/good:1`, 'nonexistent.invalid/x:1'])
    const r = await src.run(['push', 'nonexistent.invalid/x:1'], { timeout: 30_000 })
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: cannot reach registry nonexistent.invalid: the host name does not resolve'])
  })
})
