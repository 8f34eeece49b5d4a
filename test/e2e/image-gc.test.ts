// Garbage collection of the image store: layers and blobs that a failed
// pull or load left, spool files of dead pulls, all counted by system df and
// removed by image prune and rmi; never what a running pull is still using
// (its lease); and a pull ended by SIGINT/SIGTERM removes its own spool.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { execFileSync, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, lines, show, SUPPORT, waitFor, type Tsrun } from '../support/tsrun'
import { putImage, startRegistry, type Registry } from '../support/registry'
import { stallProxy, type StallProxy } from '../support/stall-proxy'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
let work: string
let reg: Registry
let proxy: StallProxy
let small: { tar: Buffer; digest: string }
let stalled: { digest: string }

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const hex = (d: string) => d.slice('sha256:'.length)

/** A plain tar holding `files` (name -> content). */
function tarOf(files: Record<string, Buffer>): Buffer {
  const dir = fs.mkdtempSync(path.join(work, 'tree-'))
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data)
  return execFileSync('tar', ['-cf', '-', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-C', dir, '.'], { maxBuffer: 64 * 1024 * 1024 })
}

function makeArchive(spec: object): void {
  const file = path.join(work, 'spec.json')
  fs.writeFileSync(file, JSON.stringify(spec))
  execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), file])
}

const layersOf = (t: Tsrun) => fs.readdirSync(path.join(t.root, 'storage', 'overlay', 'layers'))
const blobsOf = (t: Tsrun) => fs.readdirSync(path.join(t.root, 'images', 'blobs', 'sha256'))
const spoolOf = (t: Tsrun) => fs.readdirSync(path.join(t.root, 'tmp')).filter((f) => f.startsWith('blob-'))
const leasesOf = (t: Tsrun) => {
  try {
    return fs.readdirSync(path.join(t.root, 'run', 'leases'))
  } catch {
    return []
  }
}

async function imagesRow(t: Tsrun): Promise<{ TotalCount: string; Size: string; Reclaimable: string }> {
  const rows = lines((await t.ok(['system', 'df', '--format', 'json'])).stdout).map((l) => JSON.parse(l))
  return rows.find((r) => r.Type === 'Images')
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  child.stdout!.resume()
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })))
}

/** Start a pull through the stalling proxy; resolves once its first layer is unpacked and the second is stuck mid-download. */
async function stalledPull(t: Tsrun): Promise<{ child: ChildProcess; done: ReturnType<typeof exited> }> {
  const child = t.spawn(['pull', `${proxy.host}/stall:1`])
  const done = exited(child)
  await waitFor(() => layersOf(t).includes(hex(small.digest)) && spoolOf(t).some((f) => fs.statSync(path.join(t.root, 'tmp', f)).size > 500_000), 'the pull to stall', 30_000)
  return { child, done }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-gc-'))
  reg = await startRegistry()
  const smallTar = tarOf({ small: Buffer.from('the layer that arrives\n') })
  small = { tar: smallTar, digest: sha(smallTar) }
  const bigTar = tarOf({ big: randomBytes(4_000_000) })
  stalled = { digest: sha(bigTar) }
  const mediaType = 'application/vnd.oci.image.layer.v1.tar'
  await putImage(reg.host, 'stall', '1', [{ blob: smallTar, mediaType }, { blob: bigTar, mediaType }], [small.digest, stalled.digest])
  proxy = await stallProxy(reg.host, stalled.digest, 1_000_000)
  // Two images in one archive, the second broken: the first one's layer is unpacked before the failure.
  makeArchive({
    out: path.join(work, 'half.tar'),
    images: [
      { layers: [{ base: busyboxRootfs() }], tags: ['good:1'] },
      { layers: [{ files: { a: 'its diff_id is a lie' } }], wrong_diff_id: true, tags: ['bad:1'] },
    ],
  })
}, 120_000)

afterAll(async () => {
  await proxy?.stop()
  await reg?.stop()
  fs.rmSync(work, { recursive: true, force: true })
}, 60_000)

describe('what a failed pull or load leaves', () => {
  it('a pull that failed after unpacking a layer: system df counts it, image prune removes it', async () => {
    const t = freshRoot()
    const pull = await t.run(['pull', `docker-archive:${path.join(work, 'half.tar')}`])
    expect(pull.code, show(pull)).toBe(125)
    expect(pull.stderr).toMatch(/bad:1: layer \w+: its uncompressed content is sha256:\w+, but the image config says sha256:0+/)
    expect(await t.imagesJson()).toEqual([])
    expect(layersOf(t)).toHaveLength(1) // good:1's, kept for a rerun to resume from
    const before = await imagesRow(t)
    expect(before.TotalCount).toBe('0')
    expect(before.Size).toMatch(/^[1-9][\d.]*MB$/)
    expect(before.Reclaimable).toBe(`${before.Size} (100%)`)
    const prune = await t.ok(['image', 'prune'])
    expect(prune.stdout).toMatch(/^Total reclaimed space: [1-9][\d.]*MB$/m)
    expect(layersOf(t)).toEqual([])
    expect(blobsOf(t)).toEqual([])
    expect((await imagesRow(t)).Size).toBe('0B')
  })

  it('rmi of the last image collects what failed pulls left, not only its own layers', async () => {
    const t = freshRoot()
    await t.importDemo('demo:1')
    const pull = await t.run(['pull', `docker-archive:${path.join(work, 'half.tar')}`])
    expect(pull.code, show(pull)).toBe(125)
    // demo:1 and good:1 are the same busybox rootfs: one layer dir; bad:1's config blob is left too.
    expect(blobsOf(t).length).toBeGreaterThan(3)
    await t.ok(['rmi', 'demo:1'])
    expect(layersOf(t)).toEqual([])
    expect(blobsOf(t)).toEqual([])
  })

  it('a load that fails removes what it made: no layer, no blob, no spool file', async () => {
    const t = freshRoot()
    const load = await t.run(['load', '-i', path.join(work, 'half.tar')])
    expect(load.code, show(load)).toBe(125)
    expect(lines(load.stderr)).toHaveLength(1)
    expect(layersOf(t)).toEqual([])
    expect(blobsOf(t)).toEqual([])
    expect(spoolOf(t)).toEqual([])
    expect(leasesOf(t)).toEqual([])
  })
})

describe('a pull stalled mid-download', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`keeps its layers from a concurrent image prune -a; ${sig} ends it and removes its spool file`, async () => {
      const t = freshRoot()
      const { child, done } = await stalledPull(t)
      // The first layer is unpacked and its blob committed, but nothing points at them yet: the lease does.
      const prune = await t.ok(['image', 'prune', '-a'])
      expect(prune.stdout).toBe('Total reclaimed space: 0B\n')
      expect(layersOf(t)).toEqual([hex(small.digest)])
      expect(blobsOf(t)).toContain(hex(small.digest))
      expect(spoolOf(t)).toHaveLength(1)
      child.kill(sig)
      const r = await done
      expect(r.signal ?? r.code, r.stderr).toBe(sig)
      expect(spoolOf(t)).toEqual([])
      expect(leasesOf(t)).toEqual([])
      // Ended, it protects nothing: prune takes the layer it left (a rerun would have resumed from it).
      await t.ok(['image', 'prune'])
      expect(layersOf(t)).toEqual([])
      expect(blobsOf(t)).toEqual([])
    })
  }

  it('after kill -9 its spool file is counted by system df and removed by image prune; the store still pulls', async () => {
    const t = freshRoot()
    const { child, done } = await stalledPull(t)
    child.kill('SIGKILL')
    await done
    expect(spoolOf(t)).toHaveLength(1)
    const row = await imagesRow(t)
    expect(row.TotalCount).toBe('0')
    expect(row.Size).toMatch(/^[1-9][\d.]*MB$/) // the spool file (~1 MB) and the first layer, blob and dir
    expect(row.Reclaimable).toBe(`${row.Size} (100%)`)
    const prune = await t.ok(['image', 'prune'])
    expect(prune.stdout).toMatch(/^Total reclaimed space: [1-9][\d.]*MB$/m)
    expect(spoolOf(t)).toEqual([])
    expect(layersOf(t)).toEqual([])
    expect(blobsOf(t)).toEqual([])
    expect(leasesOf(t)).toEqual([])
    await t.ok(['pull', `${reg.host}/stall:1`], { timeout: 60_000 })
    expect((await t.imagesJson()).map((i) => i.Tag)).toEqual(['1'])
    expect(layersOf(t).sort()).toEqual([hex(small.digest), hex(stalled.digest)].sort())
  })
})
