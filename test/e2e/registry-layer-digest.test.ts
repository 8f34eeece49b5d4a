// A layer's diff_id (sha256 of its uncompressed tar, as the image config
// lists it) is checked by the unpack itself, for plain, gzip and zstd layers
// alike: a layer whose content contradicts the config is refused with one
// line and 125, and nothing of it is stored (no blob, no layer dir, no temp).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { busyboxRootfs, lines, show, STACK_TRACE, storeFiles, type Tsrun } from '../support/tsrun'
import { putImage, startRegistry, type Registry } from '../support/registry'
import { useFreshRoots } from '../support/suite'

const TAR = 'application/vnd.oci.image.layer.v1.tar'
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd'

let reg: Registry
let tar: Buffer
let zst: Buffer
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`

const freshRoot = useFreshRoots()

beforeAll(async () => {
  reg = await startRegistry()
  tar = fs.readFileSync(busyboxRootfs())
  // Node 20 has no zstd; the zstd tool makes the layer as registries serve it.
  zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 })
}, 120_000)

afterAll(async () => {
  await reg?.stop()
}, 120_000)

/** Pull must fail with one line and 125, leaving no image, blob, layer dir or temp of the layer. */
async function refused(ref: string, layerDigest: string, pattern: RegExp): Promise<Tsrun> {
  const t = freshRoot()
  const r = await t.run(['pull', ref], { timeout: 60_000 })
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(await t.imagesJson()).toEqual([])
  const files = storeFiles(t.root)
  expect(files.filter((f) => f.startsWith('tmp/'))).toEqual([])
  expect(files.filter((f) => f.includes(layerDigest.slice(7)))).toEqual([])
  const layers = `${t.root}/storage/overlay/layers`
  expect(fs.existsSync(layers) ? fs.readdirSync(layers) : []).toEqual([])
  return t
}

describe('zstd layers', () => {
  it('a zstd layer whose diff_id matches is pulled and runs', async () => {
    await putImage(reg.host, 'zgood', '1', [{ blob: zst, mediaType: ZSTD }], [sha(tar)])
    const t = freshRoot()
    await t.ok(['pull', `${reg.host}/zgood:1`])
    const run = await t.run(['run', '--rm', `${reg.host}/zgood:1`, 'echo', 'zstd'])
    expect(run.stdout, show(run)).toBe('zstd\n')
  })

  it('an image with a zstd layer saves as a docker-archive (plain tars) that loads and runs', async () => {
    await putImage(reg.host, 'zsave', '1', [{ blob: zst, mediaType: ZSTD }], [sha(tar)])
    const t = freshRoot()
    await t.ok(['pull', `${reg.host}/zsave:1`])
    const archive = path.join(t.root, 'zsave.tar')
    await t.ok(['save', '--format', 'docker-archive', '-o', archive, `${reg.host}/zsave:1`])
    const other = freshRoot()
    await other.ok(['load', '-i', archive])
    const run = await other.run(['run', '--rm', '--pull', 'never', `${reg.host}/zsave:1`, 'echo', 'loaded'])
    expect(run.stdout, show(run)).toBe('loaded\n')
  })

  it('a zstd layer whose diff_id does not match the config is refused and nothing of it is stored', async () => {
    const wrong = sha('something else')
    const [digest] = await putImage(reg.host, 'zliar', '1', [{ blob: zst, mediaType: ZSTD }], [wrong])
    await refused(`${reg.host}/zliar:1`, digest, new RegExp(`^Error: .*layer ${digest.slice(7, 19)}: its uncompressed content is ${sha(tar)}, but the image config says ${wrong}; nothing of it was kept$`, 'm'))
  })
})

describe('gzip and plain layers', () => {
  it('a gzip layer whose diff_id does not match the config is refused and nothing of it is stored', async () => {
    const wrong = sha('not this')
    const [digest] = await putImage(reg.host, 'gliar', '1', [{ blob: gzipSync(tar), mediaType: GZIP }], [wrong])
    await refused(`${reg.host}/gliar:1`, digest, /its uncompressed content is sha256:[0-9a-f]{64}, but the image config says/)
  })

  it('a gzip layer with the right digest that does not decompress is refused', async () => {
    const gz = gzipSync(tar)
    gz[Math.floor(gz.length / 2)] ^= 0xff // the registry serves it as is: its digest is of these bytes
    const [digest] = await putImage(reg.host, 'gbroken', '1', [{ blob: gz, mediaType: GZIP }], [sha(tar)])
    await refused(`${reg.host}/gbroken:1`, digest, new RegExp(`layer ${digest.slice(7, 19)}: the layer cannot be unpacked: .*nothing of it was kept`))
  })

  it('a blob that contradicts a layer already unpacked (same diff_id claimed) is refused', async () => {
    // The first image leaves the layer dir for sha(tar); the second claims that
    // diff_id for other content. No unpack happens, so the blob is hashed alone.
    await putImage(reg.host, 'plain', '1', [{ blob: tar, mediaType: TAR }], [sha(tar)])
    const other = Buffer.concat([tar, Buffer.alloc(512)])
    const [digest] = await putImage(reg.host, 'impostor', '1', [{ blob: other, mediaType: TAR }], [sha(tar)])
    const t = freshRoot()
    await t.ok(['pull', `${reg.host}/plain:1`])
    const r = await t.run(['pull', `${reg.host}/impostor:1`])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr), show(r)).toEqual([`Error: ${reg.host}/impostor:1: layer ${digest.slice(7, 19)}: its uncompressed content is ${sha(other)}, but the image config says ${sha(tar)}; nothing of it was kept`])
    expect(storeFiles(t.root).filter((f) => f.includes(digest.slice(7)) || f.startsWith('tmp/'))).toEqual([])
    expect((await t.imagesJson()).length).toBe(1)
  })
})
