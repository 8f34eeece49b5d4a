// A full disk while an image comes in (load, pull, import) or goes out
// (save): one line that says "no space left on device" and where, exit
// 125, nothing half-written left, and the store still works afterwards.
// The store is a small tmpfs used as --root; the archives live elsewhere.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, exec, lines, show, STACK_TRACE, storeFiles, SUPPORT, Tsrun } from '../support/tsrun'
import { useTmpfs } from '../support/tmpfs'

const tmpfs = useTmpfs()
let work: string
let t: Tsrun

function makeArchive(name: string, spec: object): string {
  const out = path.join(work, name)
  const file = path.join(work, `${name}.json`)
  fs.writeFileSync(file, JSON.stringify({ out, ...spec }))
  execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), file])
  return out
}

/** One line naming the full disk and the directory, exit 125, no stack. */
function fullDisk(r: Awaited<ReturnType<Tsrun['run']>>, what: RegExp, dir: string): void {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(what)
  expect(r.stderr).toContain(`no space left on device in ${dir};`)
  expect(r.stderr).not.toMatch(/corrupt|not a valid gzip/)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

/** Nothing half-written: no spool file, no unpack temp dir, no layer, no blob (a failed pull may keep its verified config). */
function nothingLeft(allowedBlobs = 0): void {
  const files = storeFiles(t.root)
  expect(files.filter((f) => f.startsWith('tmp/'))).toEqual([])
  expect(files.filter((f) => f.startsWith('storage/'))).toEqual([])
  expect(files.filter((f) => f.startsWith('images/blobs/')).length).toBeLessThanOrEqual(allowedBlobs)
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-diskfull-'))
  t = new Tsrun(tmpfs('12m').dir)
  // 20 MB of zeros: a tiny gzip archive that decompresses past the 12 MB store.
  makeArchive('zeros.tar.gz', { gzip: true, images: [{ layers: [{ files: { zeros: 20_000_000 } }], tags: ['zeros:1'] }] })
  makeArchive('zeros.tar', { images: [{ layers: [{ files: { zeros: 20_000_000 } }], tags: ['zeros:1'] }] })
  // 7 MB: its blob fits, the blob and its unpacked copy do not.
  makeArchive('seven.tar', { images: [{ layers: [{ files: { seven: 7_000_000 } }], tags: ['seven:1'] }] })
  makeArchive('busybox.tar', { images: [{ layers: [{ base: busyboxRootfs() }], config: { config: { Cmd: ['sh'] } }, tags: ['small:1'] }] })
}, 60_000)

afterAll(async () => {
  await t?.removeAllContainers()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('a full store', () => {
  it('load of a gzip archive: "no space left on device" in <root>/tmp, not "corrupt"', async () => {
    const r = await t.run(['load', '-i', path.join(work, 'zeros.tar.gz')])
    fullDisk(r, /^Error: decompressing .*zeros\.tar\.gz: /, path.join(t.root, 'tmp'))
    nothingLeft()
  })

  it('the same archive on stdin', async () => {
    const r = await exec('sh', ['-c', `./bin/tsrun load < ${path.join(work, 'zeros.tar.gz')}`], { env: t.env })
    fullDisk(r, /^Error: decompressing stdin: /, path.join(t.root, 'tmp'))
    nothingLeft()
  })

  it('load of a plain archive whose layer does not fit', async () => {
    const r = await t.run(['load', '-i', path.join(work, 'zeros.tar')])
    fullDisk(r, /^Error: zeros:1: layer \w{12}: /, path.join(t.root, 'tmp'))
    nothingLeft()
  })

  it('load whose layer fits but not its unpacked copy names the storage driver', async () => {
    const r = await t.run(['load', '-i', path.join(work, 'seven.tar')])
    fullDisk(r, /^Error: seven:1: layer \w{12}: /, path.join(t.root, 'storage', 'overlay'))
    nothingLeft()
  })

  it('pull docker-archive: (a pull keeps only its verified config for the rerun)', async () => {
    const r = await t.run(['pull', '-q', `docker-archive:${path.join(work, 'zeros.tar')}`])
    fullDisk(r, /^Error: zeros:1: layer \w{12}: /, path.join(t.root, 'tmp'))
    nothingLeft(1)
  })

  it('import', async () => {
    const r = await t.run(['import', path.join(work, 'zeros.tar'), 'imp:1'])
    fullDisk(r, /^Error: cannot import .*zeros\.tar: /, path.join(t.root, 'tmp'))
    nothingLeft(1)
  })

  it('is still usable afterwards: images, a load that fits, a container, prune', async () => {
    expect(await t.imagesJson()).toEqual([])
    const load = await t.ok(['load', '-i', path.join(work, 'busybox.tar')])
    expect(load.stdout).toBe('Loaded image: small:1\n')
    const run = await t.run(['run', '--rm', 'small:1', 'echo', 'still works'])
    expect(run.stdout, show(run)).toBe('still works\n')
    await t.ok(['rmi', 'small:1'])
    expect(storeFiles(t.root).filter((f) => /^(tmp|storage|images\/blobs)\//.test(f))).toEqual([])
  })
})

describe('save to a full disk', () => {
  it('save -o: one line naming the directory, exit 125, no temp file', async () => {
    await t.ok(['load', '-i', path.join(work, 'busybox.tar')])
    const out = tmpfs('1m').dir
    const r = await t.run(['save', '-o', path.join(out, 'small.tar'), 'small:1'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: saving to ${path.join(out, 'small.tar')}: no space left on device in ${out}; free some space there or write the file elsewhere; nothing was written`])
    expect(fs.readdirSync(out)).toEqual([])
  })

  it('save to stdout redirected to a full disk: one line, exit 125', async () => {
    const out = tmpfs('1m').dir
    const r = await exec('sh', ['-c', `./bin/tsrun save small:1 > ${path.join(out, 'small.tar')}`], { env: t.env })
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: saving to stdout: no space left on device in ${out}; free some space there or write the archive elsewhere`])
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })
})
