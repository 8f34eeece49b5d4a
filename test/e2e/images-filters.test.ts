// `images --filter` and `image prune --filter` as Docker's
// (docs.docker.com/reference/cli/docker/image/ls/#filter and
// .../image/prune/#filter; moby daemon/containerd/image_list.go and
// image_prune.go for how they combine), and the image bugs of issue 10: a
// pull by tag then by digest listed twice, and `save | load` reporting every
// name of the image id instead of the archive's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, lines, show, STACK_TRACE, SUPPORT, BIN, type Result, type Tsrun } from '../support/tsrun'
import { startRegistry, type Registry } from '../support/registry'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
let work: string
let archive: string
let untagged: string

/** Three tagged images with known created times and labels, and one without a name. */
const IMAGES = [
  { tags: ['old:1'], created: '2020-01-01T00:00:00Z', labels: { tier: 'base' } },
  { tags: ['mid:1'], created: '2022-01-01T00:00:00Z', labels: { tier: 'app', team: 'a' } },
  { tags: ['new:1'], created: '2024-01-01T00:00:00Z', labels: { team: 'b' } },
]

function makeArchive(name: string, images: Array<{ tags: string[]; created: string; labels: Record<string, string> }>): string {
  const out = path.join(work, name)
  const spec = path.join(work, `${name}.json`)
  const specImages = images.map((i) => ({ tags: i.tags, layers: [{ files: { [`${i.created}.txt`]: i.created } }], config: { created: i.created, config: { Labels: i.labels } } }))
  fs.writeFileSync(spec, JSON.stringify({ out, images: specImages }))
  execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), spec])
  return out
}

/** A store with demo:1 (created now), the three images, and a dangling image of 2023. */
async function stocked(): Promise<Tsrun> {
  const t = freshRoot()
  await t.importDemo('demo:1')
  await t.ok(['load', '-i', archive])
  await t.ok(['load', '-i', untagged])
  return t
}

/** `images ARGS` as sorted `repo:tag` words. */
async function listed(t: Tsrun, ...filters: string[]): Promise<string[]> {
  const r = await t.ok(['images', ...filters.flatMap((f) => ['--filter', f]), '--format', '{{.Repository}}:{{.Tag}}'])
  return lines(r.stdout).sort()
}

function refused(r: Result, message: string) {
  expect(r.code, show(r)).toBe(125)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr), show(r)).toEqual([`Error: ${message}`])
}

let t: Tsrun

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-images-filters-'))
  archive = makeArchive('three.tar', IMAGES)
  untagged = makeArchive('untagged.tar', [{ tags: [], created: '2023-01-01T00:00:00Z', labels: {} }])
  t = await stocked()
}, 120_000)

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe('docker image ls reference: --filter', () => {
  it('dangling=true lists only images without a name, dangling=false only named ones', async () => {
    expect(await listed(t)).toEqual(['<none>:<none>', 'demo:1', 'mid:1', 'new:1', 'old:1'])
    expect(await listed(t, 'dangling=true')).toEqual(['<none>:<none>'])
    expect(await listed(t, 'dangling=false')).toEqual(['demo:1', 'mid:1', 'new:1', 'old:1'])
    refused(await t.run(['images', '--filter', 'dangling=maybe']), "invalid filter 'dangling=[maybe]'")
  })

  it('label=KEY and label=KEY=VALUE on the image config; two must both hold', async () => {
    expect(await listed(t, 'label=tier')).toEqual(['mid:1', 'old:1'])
    expect(await listed(t, 'label=tier=app')).toEqual(['mid:1'])
    expect(await listed(t, 'label=tier', 'label=team')).toEqual(['mid:1'])
  })

  it('before= and since= name an image: created before it, after it', async () => {
    expect(await listed(t, 'before=mid:1')).toEqual(['old:1'])
    expect(await listed(t, 'since=mid:1')).toEqual(['<none>:<none>', 'demo:1', 'new:1'])
    expect(await listed(t, 'since=old:1', 'before=new:1')).toEqual(['<none>:<none>', 'mid:1'])
    refused(await t.run(['images', '--filter', 'before=nosuch:1']), 'No such image: nosuch:1')
  })

  it('until= takes a timestamp or a duration back from now', async () => {
    expect(await listed(t, 'until=2021-01-01T00:00:00Z')).toEqual(['old:1'])
    expect(await listed(t, 'until=1h')).toEqual(['<none>:<none>', 'mid:1', 'new:1', 'old:1'])
    expect((await t.run(['images', '--filter', 'until=yesterday'])).stderr).toMatch(/^Error: invalid value for 'until' filter: /)
  })

  it('reference= is a shell pattern on the name with or without the tag, familiar or in full; two patterns are either', async () => {
    expect(await listed(t, 'reference=*:1')).toEqual(['demo:1', 'mid:1', 'new:1', 'old:1'])
    expect(await listed(t, 'reference=mid')).toEqual(['mid:1'])
    expect(await listed(t, 'reference=docker.io/library/mid:1')).toEqual(['mid:1'])
    expect(await listed(t, 'reference=m?d:*', 'reference=old')).toEqual(['mid:1', 'old:1'])
    expect(await listed(t, 'reference=zzz*')).toEqual([])
  })

  it("different keys must all hold; an unknown key is the daemon's \"invalid filter 'KEY'\"", async () => {
    expect(await listed(t, 'dangling=false', 'label=tier', 'since=old:1')).toEqual(['mid:1'])
    refused(await t.run(['images', '--filter', 'colour=red']), "invalid filter 'colour'")
  })
})

describe('docker image prune reference: --filter until= and label=', () => {
  it('-a --filter until= removes only unused images created before it', async () => {
    const s = await stocked()
    const r = await s.ok(['image', 'prune', '-a', '-f', '--filter', 'until=2021-06-01T00:00:00Z'])
    expect(r.stdout).toMatch(/^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n/)
    expect(await listed(s)).toEqual(['<none>:<none>', 'demo:1', 'mid:1', 'new:1'])
  })

  it('-a --filter label= and label!= choose by the image labels; an image a container uses stays', async () => {
    const s = await stocked()
    await s.ok(['create', '--name', 'user', 'mid:1', 'true'])
    await s.ok(['image', 'prune', '-a', '-f', '--filter', 'label=team'])
    expect(await listed(s)).toEqual(['<none>:<none>', 'demo:1', 'mid:1', 'old:1'])
    await s.ok(['image', 'prune', '-a', '-f', '--filter', 'label!=tier'])
    expect(await listed(s)).toEqual(['mid:1', 'old:1'])
  })

  it('without -a only dangling images, and until= narrows those', async () => {
    const s = await stocked()
    await s.ok(['image', 'prune', '-f', '--filter', 'until=2022-06-01T00:00:00Z'])
    expect(await listed(s)).toContain('<none>:<none>')
    await s.ok(['image', 'prune', '-f', '--filter', 'until=2023-06-01T00:00:00Z'])
    expect(await listed(s)).toEqual(['demo:1', 'mid:1', 'new:1', 'old:1'])
  })

  it('a bad filter removes nothing: an unknown key, and dangling=false without -a (docker/cli sends dangling=true with it)', async () => {
    const s = await stocked()
    refused(await s.run(['image', 'prune', '-f', '--filter', 'colour=red']), "invalid filter 'colour'")
    refused(await s.run(['image', 'prune', '-f', '--filter', 'dangling=false']), "invalid filter 'dangling=[false true]'")
    expect(await listed(s)).toHaveLength(5)
  })
})

describe('names a pull or a load gives', () => {
  let reg: Registry
  beforeAll(async () => {
    reg = await startRegistry()
  }, 60_000)
  afterAll(async () => {
    await reg?.stop()
  })

  it('pull REG/bb:1 then pull REG/bb:1@sha256:...: one row in images, as Docker (the digest wins, the tag is not set again)', async () => {
    const src = freshRoot()
    await src.importDemo('demo:1')
    await src.ok(['tag', 'demo:1', `${reg.host}/bb:1`])
    await src.ok(['push', `${reg.host}/bb:1`])
    const digest = (await src.ok(['image', 'inspect', '-f', '{{.Metadata.ManifestDigest}}', `${reg.host}/bb:1`])).stdout.trim()
    const dst = freshRoot()
    await dst.ok(['pull', '-q', `${reg.host}/bb:1`])
    const pulled = await dst.ok(['pull', `${reg.host}/bb:1@${digest}`])
    expect(pulled.stdout).toContain(`Pulled: ${reg.host}/bb@${digest}`)
    expect(await listed(dst)).toEqual([`${reg.host}/bb:1`])
    expect(lines((await dst.ok(['images', '--digests', '--format', '{{.Tag}} {{.Digest}}'])).stdout)).toEqual([`1 ${digest}`])
    const info = JSON.parse((await dst.ok(['image', 'inspect', `${reg.host}/bb:1`])).stdout)[0]
    expect(info.RepoTags).toEqual([`${reg.host}/bb:1`])
    expect(info.RepoDigests).toEqual([`${reg.host}/bb@${digest}`])
    // Both spellings name the image here: nothing is pulled again.
    for (const ref of [`${reg.host}/bb:1@${digest}`, `${reg.host}/bb@${digest}`]) {
      const run = await dst.run(['run', '--rm', '--pull', 'never', ref, 'echo', 'same image'])
      expect(run.stdout, show(run)).toBe('same image\n')
    }
  }, 60_000)

  it('save bb:1 | load reports the archive\'s own tags, not every name the image id has here (docker load prints "Loaded image: NAME" per tag)', async () => {
    const s = freshRoot()
    await s.importDemo('bb:1')
    await s.ok(['tag', 'bb:1', 'other:2'])
    await s.ok(['tag', 'bb:1', 'third:3'])
    const load = await exec('sh', ['-c', `"${BIN}" save bb:1 | "${BIN}" load`], { env: s.env })
    expect(load.code, show(load)).toBe(0)
    expect(lines(load.stdout)).toEqual(['Loaded image: bb:1'])
    const two = await exec('sh', ['-c', `"${BIN}" save bb:1 third:3 | "${BIN}" load`], { env: s.env })
    expect(lines(two.stdout).sort()).toEqual(['Loaded image: bb:1', 'Loaded image: third:3'])
    expect(await listed(s)).toEqual(['bb:1', 'other:2', 'third:3'])
  })
})
