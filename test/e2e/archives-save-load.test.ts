// save/load and the local transports, with podman, skopeo and umoci as peers;
// tag, rmi, image prune, history, image inspect, system df on the way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { busyboxRootfs, exec, lines, parseTable, show, STACK_TRACE, storeFiles, type Tsrun } from '../support/tsrun'
import { Podman } from '../support/registry'
import { useFreshRoots } from '../support/suite'

let t: Tsrun
let podman: Podman
let work: string

const freshRoot = useFreshRoots()

beforeAll(async () => {
  t = freshRoot()
  podman = new Podman()
  work = fs.mkdtempSync('/tmp/tsrun-archives-')
  await t.importDemo('demo:1')
}, 120_000)

afterAll(async () => {
  await podman?.destroy()
  fs.rmSync(work, { recursive: true, force: true })
}, 120_000)

describe('tsrun save, loaded by podman', () => {
  for (const format of ['docker-archive', 'oci-archive']) {
    it(`${format}: podman loads it and runs the image`, async () => {
      const file = path.join(work, `demo-${format}.tar`)
      await t.ok(['save', '--format', format, '-o', file, 'demo:1'])
      const load = await podman.run(['load', '-i', file])
      expect(load.code, show(load)).toBe(0)
      expect(load.stdout).toMatch(/Loaded image: .*demo:1/)
      const name = /Loaded image: (\S+)/.exec(load.stdout)![1]
      const run = await podman.runContainer(name, ['echo', `saved as ${format}`])
      expect(run.stdout, show(run)).toBe(`saved as ${format}\n`)
    })
  }

  it('save to stdout writes the same archive', async () => {
    const r = await exec('sh', ['-c', `./bin/tsrun save demo:1 | tar tf -`], { env: t.env })
    expect(r.code, show(r)).toBe(0)
    expect(lines(r.stdout)).toContain('manifest.json')
  })

  it('save of an unknown image fails with one line and writes no file', async () => {
    const file = path.join(work, 'nothing.tar')
    const r = await t.run(['save', '-o', file, 'nope:1'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: no such image: nope:1'])
    expect(fs.readdirSync(work).filter((f) => f.includes('nothing'))).toEqual([])
  })
})

describe('podman save, loaded by tsrun', () => {
  for (const format of ['docker-archive', 'oci-archive']) {
    it(`${format}: tsrun load names the image and runs it`, async () => {
      const imp = await podman.run(['import', busyboxRootfs(), 'localhost/frompodman:2'])
      expect(imp.code, show(imp)).toBe(0)
      const file = path.join(work, `podman-${format}.tar`)
      const save = await podman.run(['save', '--format', format, '-o', file, 'localhost/frompodman:2'])
      expect(save.code, show(save)).toBe(0)
      const dst = freshRoot()
      const load = await dst.ok(['load', '-i', file])
      expect(load.stdout).toBe('Loaded image: localhost/frompodman:2\n')
      const run = await dst.run(['run', '--rm', 'localhost/frompodman:2', 'echo', format])
      expect(run.stdout, show(run)).toBe(`${format}\n`)
    })
  }

  it('load reads stdin, and a gzip-compressed archive', async () => {
    const file = path.join(work, 'podman-docker-archive.tar')
    const dst = freshRoot()
    const r = await exec('sh', ['-c', `gzip -c ${file} | ./bin/tsrun load`], { env: dst.env })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('Loaded image: localhost/frompodman:2\n')
  })

  it('pull oci-archive:FILE and docker-archive:FILE work like load', async () => {
    const dst = freshRoot()
    await dst.ok(['pull', `oci-archive:${path.join(work, 'podman-oci-archive.tar')}`])
    await dst.ok(['pull', `docker-archive:${path.join(work, 'podman-docker-archive.tar')}`])
    const names = (await dst.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`)
    expect(names).toContain('localhost/frompodman:2')
  })
})

describe('OCI layouts', () => {
  it("tsrun's store passes skopeo inspect oci: and umoci ls", async () => {
    const sk = await exec('skopeo', ['inspect', `oci:${t.root}/images:docker.io/library/demo:1`])
    expect(sk.code, show(sk)).toBe(0)
    expect(JSON.parse(sk.stdout).Layers).toHaveLength(1)
    const um = await exec('umoci', ['ls', '--layout', `${t.root}/images`])
    expect(um.code, show(um)).toBe(0)
    expect(lines(um.stdout)).toContain('docker.io/library/demo:1')
  })

  it('a layout written by skopeo pulls with oci:DIR:REF', async () => {
    const dir = path.join(work, 'layout')
    const cp = await exec('skopeo', ['copy', `oci:${t.root}/images:docker.io/library/demo:1`, `oci:${dir}:copied:3`])
    expect(cp.code, show(cp)).toBe(0)
    const dst = freshRoot()
    await dst.ok(['pull', `oci:${dir}:copied:3`])
    expect((await dst.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`)).toEqual(['copied:3'])
    const missing = await dst.run(['pull', `oci:${dir}:nothere`])
    expect(missing.code).toBe(125)
    expect(lines(missing.stderr)).toEqual([`Error: oci:${dir} has no image named "nothere"; names there: copied:3`])
  })
})

describe('corrupt archives', () => {
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    ['random bytes', (f) => fs.writeFileSync(f, Buffer.alloc(4096, 7)), /is not a tar archive/],
    ['an empty file', (f) => fs.writeFileSync(f, ''), /is not a tar archive/],
    ['a truncated archive', (f) => fs.writeFileSync(f, fs.readFileSync(path.join(work, 'demo-docker-archive.tar')).subarray(0, 700_000)), /truncated/],
    ['bad gzip', (f) => fs.writeFileSync(f, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(100, 1)])), /not a valid gzip stream/],
  ]
  for (const [what, make, pattern] of cases) {
    it(`${what}: one line, exit 125, nothing in images`, async () => {
      const file = path.join(work, `bad-${what.replace(/\W+/g, '-')}.tar`)
      make(file)
      const dst = freshRoot()
      const r = await dst.run(['load', '-i', file])
      expect(r.code, show(r)).toBe(125)
      expect(lines(r.stderr), show(r)).toHaveLength(1)
      expect(r.stderr).toMatch(pattern)
      expect(r.stderr).not.toMatch(STACK_TRACE)
      expect(await dst.imagesJson()).toEqual([])
      expect(storeFiles(dst.root).filter((f) => f.startsWith('tmp/'))).toEqual([])
    })
  }

  it('a tar without manifest.json or oci-layout says which formats it expected', async () => {
    const file = path.join(work, 'plain.tar')
    const mk = await exec('tar', ['-cf', file, '-C', '/etc', 'hostname'])
    expect(mk.code).toBe(0)
    const dst = freshRoot()
    const r = await dst.run(['load', '-i', file])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: ${file} is neither a docker-archive (no manifest.json) nor an oci-archive (no oci-layout and index.json)`])
  })

  it('an archive whose layer was altered fails verification against its own manifest', async () => {
    // oci-archive: index and manifest name digests, so a flipped byte in a blob is caught.
    const good = fs.readFileSync(path.join(work, 'demo-oci-archive.tar'))
    const bad = Buffer.from(good)
    bad[5000] ^= 0xff // inside the first blob (the layer), past its header
    const file = path.join(work, 'altered.tar')
    fs.writeFileSync(file, bad)
    const dst = freshRoot()
    const r = await dst.run(['load', '-i', file])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/digest mismatch|diff_id|corrupt/)
    expect(await dst.imagesJson()).toEqual([])
  })
})

describe('tag, history, inspect, rmi, prune, system df', () => {
  it('tag adds a name to the same image id; image inspect shows both', async () => {
    await t.ok(['tag', 'demo:1', 'other/name:2'])
    const info = JSON.parse((await t.ok(['image', 'inspect', 'other/name:2'])).stdout)[0]
    expect(info.RepoTags.sort()).toEqual(['demo:1', 'other/name:2'])
    expect(info.Id).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('images --filter reference=PATTERN matches names and tags', async () => {
    const r = await t.ok(['images', '--filter', 'reference=other/*'])
    expect(parseTable(r.stdout).rows.map((x) => `${x.REPOSITORY}:${x.TAG}`)).toEqual(['other/name:2'])
    const none = await t.ok(['images', '--filter', 'reference=zzz*'])
    expect(parseTable(none.stdout).rows).toEqual([])
    const bad = await t.run(['images', '--filter', 'colour=red'])
    expect(bad.code).toBe(125)
    expect(bad.stderr).toBe("Error: invalid filter 'colour'\n")
  })

  it('history shows the import step with the layer size', async () => {
    const r = await t.ok(['history', 'demo:1'])
    const rows = parseTable(r.stdout).rows
    expect(rows).toHaveLength(1)
    expect(rows[0]['CREATED BY']).toBe('tsrun import')
    expect(rows[0].SIZE).toMatch(/^2\.\d+MB$/)
  })

  it('system df counts a shared layer once and calls unused images reclaimable', async () => {
    const r = await t.ok(['system', 'df', '--format', 'json'])
    const rows = lines(r.stdout).map((l) => JSON.parse(l))
    const images = rows.find((x) => x.Type === 'Images')
    expect(images.TotalCount).toBe('1')
    expect(images.Size).toMatch(/^2\.\d+MB$/)
    expect(images.Reclaimable).toMatch(/\(100%\)$/)
  })

  it('image prune removes only dangling images; -a removes unused ones', async () => {
    const dst = freshRoot()
    // podman's two formats carry the same name with different manifests: the first load becomes dangling.
    await dst.ok(['load', '-i', path.join(work, 'podman-docker-archive.tar')])
    await dst.ok(['load', '-i', path.join(work, 'podman-oci-archive.tar')])
    const before = await dst.imagesJson()
    expect(before.map((i) => i.Tag).sort()).toEqual(['2', '<none>'])
    const prune = await dst.ok(['image', 'prune'])
    expect(prune.stdout).toMatch(/deleted: sha256:/)
    expect((await dst.imagesJson()).map((i) => i.Tag)).toEqual(['2'])
    const all = await dst.ok(['image', 'prune', '-a'])
    expect(all.stdout).toMatch(/Total reclaimed space: 2\.\d+MB/)
    expect(await dst.imagesJson()).toEqual([])
    expect(fs.readdirSync(path.join(dst.root, 'images', 'blobs', 'sha256'))).toEqual([])
  })
})
