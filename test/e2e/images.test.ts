// import / images / rmi, as a user sees them.
import * as fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { busyboxRootfs, lines, parseTable, show, STACK_TRACE } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot({ image: false })

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/
let demoId = ''

async function importAs(ref: string): Promise<string> {
  const r = await t.run(['import', busyboxRootfs(), ref], { timeout: 60_000 })
  expect(r.code, show(r)).toBe(0)
  const id = r.stdout.trim()
  expect(id, show(r)).toMatch(IMAGE_ID)
  return id
}

describe('import', () => {
  it('prints the image id (sha256:<64 hex>) and lists the image', async () => {
    const id = await importAs('demo:1')
    demoId = id
    const hex = id.slice('sha256:'.length)

    const r = await t.run(['images'])
    expect(r.code, show(r)).toBe(0)
    const { header, rows } = parseTable(r.stdout)
    expect(header).toEqual(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'])
    const row = rows.find((x) => x.REPOSITORY === 'demo' && x.TAG === '1')
    expect(row, r.stdout).toBeDefined()
    expect(row!['IMAGE ID']).toBe(hex.slice(0, 12))
    expect(row!.CREATED).not.toBe('')
    // The rootfs is ~2 MB: the size is shown with a unit.
    expect(row!.SIZE).toMatch(/^\d+(\.\d+)?\s?[kKMG]?B$/)
  })

  it('reads the tarball from stdin with -', async () => {
    const r = await t.run(['import', '-', 'fromstdin:v2'], { input: fs.readFileSync(busyboxRootfs()), timeout: 60_000 })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout.trim()).toMatch(IMAGE_ID)
    const img = await t.run(['images'])
    const row = parseTable(img.stdout).rows.find((x) => x.REPOSITORY === 'fromstdin')
    expect(row?.TAG, img.stdout).toBe('v2')
    // and it runs
    const run = await t.run(['run', '--rm', 'fromstdin:v2', 'echo', 'from-stdin-image'])
    expect(run.code, show(run)).toBe(0)
    expect(run.stdout).toBe('from-stdin-image\n')
  })

  it('a reference without a tag means :latest', async () => {
    await importAs('plain')
    const rows = await t.imagesJson()
    expect(rows.find((x) => x.Repository === 'plain')?.Tag).toBe('latest')
    const run = await t.run(['run', '--rm', 'plain:latest', 'true'])
    expect(run.code, show(run)).toBe(0)
  })

  it('accepts a registry-style reference', async () => {
    await importAs('localhost:5000/team/app:2.0')
    const rows = await t.imagesJson()
    expect(rows.find((x) => x.Repository === 'localhost:5000/team/app')?.Tag).toBe('2.0')
  })
})

describe('images', () => {
  it('--format json prints one Docker-style object per line', async () => {
    const r = await t.run(['images', '--format', 'json'])
    expect(r.code, show(r)).toBe(0)
    const objs = lines(r.stdout).map((l) => JSON.parse(l))
    const demo = objs.find((o) => o.Repository === 'demo' && o.Tag === '1')
    expect(demo, r.stdout).toBeDefined()
    for (const k of ['Repository', 'Tag', 'ID', 'CreatedAt', 'Size']) expect(demo).toHaveProperty(k)
    expect(String(demo.ID).replace(/^sha256:/, '')).toMatch(/^[0-9a-f]{12,64}$/)
    expect(String(demo.CreatedAt)).toContain(String(new Date().getUTCFullYear()))
  })

  it('-q prints only image ids, which run accepts', async () => {
    const r = await t.run(['images', '-q'])
    expect(r.code, show(r)).toBe(0)
    const ids = lines(r.stdout)
    expect(ids.length).toBeGreaterThan(0)
    for (const id of ids) expect(id.replace(/^sha256:/, '')).toMatch(/^[0-9a-f]{12,64}$/)
    const run = await t.run(['run', '--rm', ids[0], 'echo', 'by-id'])
    expect(run.code, show(run)).toBe(0)
    expect(run.stdout).toBe('by-id\n')
  })

  it('run accepts the short image id and the full sha256: id', async () => {
    const demo = (await t.imagesJson()).find((o) => o.Repository === 'demo' && o.Tag === '1')
    const short = String(demo.ID).replace(/^sha256:/, '').slice(0, 12)
    const a = await t.run(['run', '--rm', short, 'echo', 'short'])
    expect(a.code, show(a)).toBe(0)
    expect(a.stdout).toBe('short\n')
    expect(demoId).toMatch(IMAGE_ID)
    const b = await t.run(['run', '--rm', demoId, 'echo', 'full'])
    expect(b.code, show(b)).toBe(0)
    expect(b.stdout).toBe('full\n')
  })
})

describe('rmi', () => {
  it('untags and deletes an image', async () => {
    const id = await importAs('gone:1')
    const r = await t.run(['rmi', 'gone:1'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^Untagged: gone:1$/m)
    expect(r.stdout).toContain(`Deleted: ${id}`)
    const img = await t.run(['images'])
    expect(img.stdout).not.toMatch(/^gone\s/m)
    const run = await t.run(['run', '--rm', '--pull', 'never', 'gone:1', 'true'])
    expect(run.code, show(run)).toBe(125)
    expect(run.stderr).toMatch(/no such image/i)
  })

  it('refuses an image used by a container, and -f forces it', async () => {
    await importAs('used:1')
    const c = await t.run(['create', '--name', 'uses-image', 'used:1', 'true'])
    expect(c.code, show(c)).toBe(0)

    const r = await t.run(['rmi', 'used:1'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/uses-image|[0-9a-f]{12}/)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    expect((await t.imagesJson()).some((o) => o.Repository === 'used')).toBe(true)

    const f = await t.run(['rmi', '-f', 'used:1'])
    expect(f.code, show(f)).toBe(0)
    expect(f.stdout).toMatch(/Untagged: used:1/)
    expect((await t.imagesJson()).some((o) => o.Repository === 'used')).toBe(false)
    // the container can still be removed afterwards
    const rm = await t.run(['rm', 'uses-image'])
    expect(rm.code, show(rm)).toBe(0)
  })

  it('an unknown image is an error', async () => {
    const r = await t.run(['rmi', 'nosuchimage:9'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/no such image/i)
    expect(r.stderr).toContain('nosuchimage:9')
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })

  it('removing the last image leaves an empty list and a working store', async () => {
    const before = await t.imagesJson()
    for (const o of before) {
      // dangling images (untagged while a container used them) are removed by id
      const ref = o.Repository === '<none>' || o.Tag === '<none>' ? String(o.ID) : `${o.Repository}:${o.Tag}`
      const r = await t.run(['rmi', '-f', ref])
      expect(r.code, show(r)).toBe(0)
    }
    const r = await t.run(['images'])
    expect(r.code, show(r)).toBe(0)
    expect(parseTable(r.stdout).header).toEqual(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'])
    expect(parseTable(r.stdout).rows).toEqual([])
    // and the store still works
    await importAs('demo:1')
    const run = await t.run(['run', '--rm', 'demo:1', 'echo', 'again'])
    expect(run.code, show(run)).toBe(0)
  })
})
