// Archives with absurd metadata: configs and manifests nested 100,000 deep
// or megabytes large, thousands of layers or Env entries, invalid RepoTags,
// 20,000 tags. Refused at load/pull with one line (nothing stored, nothing
// for inspect to crash on later), or, for the tags, applied all at once.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE, storeFiles, SUPPORT, type Tsrun } from '../support/tsrun'
import { putBlob, putManifest, startRegistry, type Registry } from '../support/registry'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
let work: string
let reg: Registry

const DEEP = 100_000
const deepArray = '['.repeat(DEEP) + ']'.repeat(DEEP)
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

function makeArchive(name: string, spec: object): string {
  const out = path.join(work, name)
  const file = path.join(work, `${name}.json`)
  fs.writeFileSync(file, JSON.stringify({ out, ...spec }))
  execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), file])
  return out
}

/** A config text as the archive builder would make it, with `extra` spliced in raw (to nest deeper than any JSON library writes). */
function rawConfig(extra: string): string {
  return `{"architecture":"amd64","os":"linux","config":{"Labels":{"x":${extra}}},"rootfs":{"type":"layers","diff_ids":[]}}`
}

/** Refused: exit 125, one line matching `pattern`, and the store holds nothing. */
async function refused(t: Tsrun, args: string[], pattern: RegExp): Promise<void> {
  const r = await t.run(args, { timeout: 60_000 })
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(lines(r.stderr)[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(r.stderr).not.toMatch(/Maximum call stack/)
  expect(await t.imagesJson()).toEqual([])
  expect(storeFiles(t.root).filter((f) => /^(tmp|storage|images\/blobs)\//.test(f))).toEqual([])
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-hostile-archives-'))
  reg = await startRegistry()
}, 60_000)

afterAll(async () => {
  await reg?.stop()
  fs.rmSync(work, { recursive: true, force: true })
}, 60_000)

describe('configs and manifests past the limits', () => {
  it('a config nested 100,000 deep is refused by load (both formats) and pull, before anything is stored', async () => {
    const docker = makeArchive('deep.tar', { images: [{ layers: [], config_raw: rawConfig(deepArray), tags: ['deep:1'] }] })
    const oci = makeArchive('deep-oci.tar', { format: 'oci', images: [{ layers: [], config_raw: rawConfig(deepArray), tags: ['deep:1'] }] })
    const t = freshRoot()
    await refused(t, ['load', '-i', docker], /^Error: deep:1: the image config nests arrays or objects more than 64 deep; refusing it$/)
    await refused(t, ['load', '-i', oci], /the image config nests arrays or objects more than 64 deep/)
    await refused(t, ['pull', `docker-archive:${docker}`], /the image config nests arrays or objects more than 64 deep/)
  })

  it('the same config through a registry', async () => {
    const config = Buffer.from(rawConfig(deepArray))
    const digest = await putBlob(reg.host, 'deep', config)
    await putManifest(reg.host, 'deep', '1', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length }, layers: [] }, 'application/vnd.oci.image.manifest.v1+json')
    await refused(freshRoot(), ['pull', `${reg.host}/deep:1`], /the image config nests arrays or objects more than 64 deep/)
  })

  it('a config within the limits (60 deep) loads, and inspect, history and run handle it', async () => {
    // root, config, Healthcheck, then 59 arrays: 62 levels.
    const nested = '['.repeat(59) + ']'.repeat(59)
    const config = `{"architecture":"amd64","os":"linux","config":{"Labels":{"x":"fine"},"Healthcheck":{"Test":${nested}}},"rootfs":{"type":"layers","diff_ids":[]}}`
    const file = makeArchive('ok-deep.tar', { images: [{ layers: [], config_raw: config, tags: ['okdeep:1'] }] })
    const t = freshRoot()
    await t.ok(['load', '-i', file])
    expect((await t.inspect('okdeep:1')).Config.Labels).toEqual({ x: 'fine' })
    await t.ok(['history', 'okdeep:1'])
  })

  it('a config over 8 MiB, or a manifest.json / index.json nested too deep', async () => {
    const t = freshRoot()
    await refused(t, ['load', '-i', makeArchive('fat.tar', { images: [{ layers: [], config_pad: 9 * 1024 * 1024, tags: ['fat:1'] }] })], /fat\.tar: \w{64}\.json is 94\d{5} bytes, more than the 8388608 allowed; refusing it$/)
    // manifest.json / index.json themselves: rewrite them in an otherwise good archive.
    const base = makeArchive('plain.tar', { images: [{ layers: [{ files: { a: 'x' } }], tags: ['plain:1'] }] })
    const deepText = path.join(work, 'deep.json.txt')
    fs.writeFileSync(deepText, deepArray)
    const deepManifest = path.join(work, 'deep-manifest.tar')
    execFileSync('python3', ['-c', REWRITE, base, deepManifest, 'manifest.json', deepText])
    await refused(t, ['load', '-i', deepManifest], /manifest\.json nests arrays or objects more than 64 deep/)
    const baseOci = makeArchive('plain-oci.tar', { format: 'oci', images: [{ layers: [{ files: { a: 'x' } }], tags: ['plain:1'] }] })
    const deepIndex = path.join(work, 'deep-index.tar')
    execFileSync('python3', ['-c', REWRITE, baseOci, deepIndex, 'index.json', deepText])
    await refused(t, ['load', '-i', deepIndex], /index\.json nests arrays or objects more than 64 deep/)
  })

  it('absurd counts: 501 layers, 10,001 Env entries or history entries; a Cmd that is not a list', async () => {
    const t = freshRoot()
    const layers = Array.from({ length: 501 }, () => ({ files: { a: 'same' } }))
    await refused(t, ['load', '-i', makeArchive('layers.tar', { images: [{ layers, tags: ['layers:1'] }] })], /lists 501 layers, more than the 500 allowed/)
    const env = Array.from({ length: 10_001 }, (_, i) => `V${i}=x`)
    await refused(t, ['load', '-i', makeArchive('env.tar', { images: [{ layers: [], config: { config: { Env: env } }, tags: ['env:1'] }] })], /config\.Env has 10001 entries, more than the 10000 allowed/)
    const history = Array.from({ length: 10_001 }, () => ({ created_by: 'x', empty_layer: true }))
    await refused(t, ['load', '-i', makeArchive('hist.tar', { images: [{ layers: [], config: { history }, tags: ['hist:1'] }] })], /history has 10001 entries/)
    await refused(t, ['load', '-i', makeArchive('cmd.tar', { images: [{ layers: [], config: { config: { Cmd: 'sh -c true' } }, tags: ['cmd:1'] }] })], /config\.Cmd is not a list of strings/)
  })

  it('a registry manifest nested too deep is refused before its config is fetched', async () => {
    const layer = Buffer.alloc(10240)
    const digest = await putBlob(reg.host, 'deepm', layer)
    const nested = '['.repeat(70) + ']'.repeat(70)
    const body = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"${digest}","size":${layer.length}},"layers":[],"annotations":{"x":"y"},"x-nested":${nested}}`
    const res = await fetch(`http://${reg.host}/v2/deepm/manifests/1`, { method: 'PUT', body, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })
    expect(res.status, await res.text()).toBe(201)
    expect(res.headers.get('docker-content-digest')).toBe(sha(Buffer.from(body)))
    await refused(freshRoot(), ['pull', `${reg.host}/deepm:1`], /the manifest nests arrays or objects more than 64 deep/)
  })
})

describe('RepoTags and ref names', () => {
  it('an invalid RepoTags entry is a warning naming it; the image loads under its good tags', async () => {
    const t = freshRoot()
    const upper = makeArchive('upper.tar', { images: [{ layers: [{ files: { a: 'x' } }], tags: ['ok:1', 'UPPER:1'] }] })
    const r = await t.run(['load', '-i', upper])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('Loaded image: ok:1\n')
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^WARNING: docker-archive:.*upper\.tar: manifest\.json has an invalid tag "UPPER:1" \(invalid reference format: repository name must be lowercase\); the image is loaded without it$/)])
    // Docker's `invalid tag`: a RepoTags entry must carry a tag. The only tag bad: loaded untagged.
    const bare = makeArchive('bare.tar', { images: [{ layers: [{ files: { a: 'y' } }], tags: ['demo'] }] })
    const b = await t.run(['load', '-i', bare])
    expect(b.code, show(b)).toBe(0)
    expect(b.stderr).toMatch(/^WARNING: .*invalid tag "demo" \(a RepoTags entry is name:tag, without a digest\); the image is loaded without it\n$/)
    expect(b.stdout).toMatch(/^Loaded image ID: sha256:[0-9a-f]{64}\n$/)
    expect((await t.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`).sort()).toEqual(['<none>:<none>', 'ok:1'])
  })

  it('an oci-archive ref name that is not a reference: a warning naming it, the image loaded without it', async () => {
    const t = freshRoot()
    const file = makeArchive('oci-names.tar', { format: 'oci', images: [{ layers: [{ files: { a: 'x' } }], tags: ['good:1', 'UPPER/x:1', 'latest'] }] })
    const r = await t.run(['load', '-i', file])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('Loaded image: good:1\n')
    expect(lines(r.stderr)).toHaveLength(1)
    expect(lines(r.stderr)[0]).toMatch(/^WARNING: oci-archive:.*oci-names\.tar: the name "UPPER\/x:1" of image \w{12} is not a valid image reference; the image is loaded without it$/)
    expect((await t.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`)).toEqual(['good:1'])
  })
})

describe('20,000 tags', () => {
  const tags = (n: number) => ({ format: 'many/t:{i}', count: n })

  it('all land, in one index rewrite', async () => {
    const t = freshRoot()
    const file = makeArchive('tags.tar', { images: [{ layers: [{ files: { a: 'x' } }], tag_range: tags(20_000) }] })
    const r = await t.ok(['load', '-i', file], { timeout: 120_000 })
    expect(lines(r.stdout)).toHaveLength(20_000)
    const names = new Set((await t.imagesJson()).map((i) => `${i.Repository}:${i.Tag}`))
    expect(names.size).toBe(20_000)
    expect(names.has('many/t:0') && names.has('many/t:19999')).toBe(true)
    // Loading it again moves nothing and adds nothing.
    await t.ok(['load', '-q', '-i', file], { timeout: 120_000 })
    expect((await t.imagesJson()).length).toBe(20_000)
  }, 180_000)

  it('none land when the load fails after them (a later image of the archive is broken)', async () => {
    const t = freshRoot()
    const file = makeArchive('tags-broken.tar', {
      images: [
        { layers: [{ files: { a: 'x' } }], tag_range: tags(20_000) },
        { layers: [{ files: { b: 'y' } }], wrong_diff_id: true, tags: ['broken:1'] },
      ],
    })
    await refused(t, ['load', '-i', file], /broken:1: layer \w{12}: its uncompressed content is .*, but the image config says sha256:0+/)
    expect(JSON.parse(fs.readFileSync(path.join(t.root, 'images', 'index.json'), 'utf8')).manifests).toEqual([])
  }, 120_000)
})

/** python3 -c REWRITE IN OUT NAME FILE: copy the tar IN to OUT with member NAME's content replaced by FILE's. */
const REWRITE = `
import io, sys, tarfile
src, dst, name, file = sys.argv[1:5]
with tarfile.open(src) as i, tarfile.open(dst, "w", format=tarfile.GNU_FORMAT) as o:
    for m in i.getmembers():
        data = open(file, "rb").read() if m.name == name else (i.extractfile(m).read() if m.isreg() else None)
        if data is not None: m.size = len(data)
        o.addfile(m, io.BytesIO(data) if data is not None else None)
`
