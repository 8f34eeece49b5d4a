// push/pull against a real Debian docker-registry on 127.0.0.1, and the peers
// skopeo and podman on the other end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import { busyboxRootfs, exec, lines, show, STACK_TRACE, storeFiles, type Tsrun } from '../support/tsrun'
import { Podman, startRegistry, type Registry } from '../support/registry'
import { useFreshRoots } from '../support/suite'

let reg: Registry
let src: Tsrun
let podman: Podman

const freshRoot = useFreshRoots()

beforeAll(async () => {
  reg = await startRegistry()
  podman = new Podman()
  src = freshRoot()
  await src.importDemo('demo:1')
}, 120_000)

afterAll(async () => {
  await podman?.destroy()
  await reg?.stop()
}, 120_000)

describe('tsrun push, then tsrun pull into an empty store', () => {
  it('pushes a tagged image and prints its digest', async () => {
    await src.ok(['tag', 'demo:1', `${reg.host}/demo:1`])
    const r = await src.ok(['push', `${reg.host}/demo:1`])
    expect(r.stdout).toMatch(/Pushed/)
    expect(r.stdout).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/m)
  })

  it('pulls it with the same image id and digest, and runs it', async () => {
    const dst = freshRoot()
    const r = await dst.ok(['pull', `${reg.host}/demo:1`])
    expect(r.stdout).toMatch(/Pull complete/)
    const [srcImg] = await src.imagesJson()
    const images = await dst.imagesJson()
    expect(images).toHaveLength(1)
    expect(images[0]).toMatchObject({ Repository: `${reg.host}/demo`, Tag: '1', ID: srcImg.ID })
    const pushed = (await src.ok(['image', 'inspect', '-f', '{{.Metadata.ManifestDigest}}', 'demo:1'])).stdout.trim()
    const digests = await dst.ok(['images', '--digests'])
    expect(digests.stdout).toContain(pushed)
    const run = await dst.run(['run', '--rm', `${reg.host}/demo:1`, 'echo', 'pulled and running'])
    expect(run.stdout, show(run)).toBe('pulled and running\n')
  })

  it('pulls by digest: the image is listed with no tag', async () => {
    const digest = (await src.ok(['image', 'inspect', '-f', '{{.Metadata.ManifestDigest}}', 'demo:1'])).stdout.trim()
    const dst = freshRoot()
    await dst.ok(['pull', '-q', `${reg.host}/demo@${digest}`])
    const images = await dst.imagesJson()
    expect(images).toMatchObject([{ Repository: `${reg.host}/demo`, Tag: '<none>', Digest: digest }])
  })

  it('-q prints only the image id', async () => {
    const dst = freshRoot()
    const r = await dst.ok(['pull', '-q', `${reg.host}/demo:1`])
    expect(lines(r.stdout)).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)])
  })

  it('a second pull finds every layer already there', async () => {
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/demo:1`])
    const again = await dst.ok(['pull', `${reg.host}/demo:1`])
    expect(again.stdout).toMatch(/Already exists/)
    expect(again.stdout).not.toMatch(/Downloading/)
  })

  it('mounts blobs from another repository of the same registry instead of uploading them', async () => {
    await src.ok(['tag', 'demo:1', `${reg.host}/team/copy:1`])
    const r = await src.ok(['push', `${reg.host}/team/copy:1`])
    expect(r.stdout).toMatch(/Mounted from demo/)
    expect(r.stdout).not.toMatch(/: Pushing/)
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/team/copy:1`])
  })

  it('uploads in chunks when TSRUN_PUSH_CHUNK_SIZE is set, and the result pulls back', async () => {
    // A fresh registry repo with no sibling tag to mount from: push from a root that only knows this name.
    const solo = freshRoot()
    await solo.importDemo(`${reg.host}/chunked:1`)
    const r = await solo.run(['push', `${reg.host}/chunked:1`], { env: { TSRUN_PUSH_CHUNK_SIZE: String(256 * 1024) } })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/Pushed/)
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/chunked:1`])
    const run = await dst.run(['run', '--rm', `${reg.host}/chunked:1`, 'cat', '/etc/passwd'])
    expect(run.stdout, show(run)).toMatch(/^root:x:0:0/)
  })

  it('push IMAGE DEST sends a local image under another name', async () => {
    const r = await src.ok(['push', 'demo:1', `${reg.host}/renamed:7`])
    expect(r.stdout).toMatch(/^7: digest:/m)
    const inspect = await exec('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/renamed:7`])
    expect(inspect.code, show(inspect)).toBe(0)
    expect(JSON.parse(inspect.stdout).Architecture).toBe('amd64')
  })
})

describe('run --pull', () => {
  it('pulls a missing image before running it (missing is the default)', async () => {
    const dst = freshRoot()
    const r = await dst.run(['run', '--rm', `${reg.host}/demo:1`, 'echo', 'auto-pulled'])
    expect(r.stdout, show(r)).toBe('auto-pulled\n')
    expect(r.stderr).toMatch(/Pull complete/)
    expect(await dst.imagesJson()).toHaveLength(1)
  })

  it('--pull never refuses an image that is not there', async () => {
    const dst = freshRoot()
    const r = await dst.run(['run', '--rm', '--pull', 'never', `${reg.host}/demo:1`, 'true'])
    expect(r.code).toBe(125)
    expect(r.stderr).toMatch(/^Error: No such image/m)
    expect(await dst.imagesJson()).toEqual([])
  })

  it('--pull always fetches even when the image is present', async () => {
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/demo:1`])
    const r = await dst.run(['create', '--pull', 'always', `${reg.host}/demo:1`, 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stderr).toMatch(/Already exists/)
  })
})

describe('interop with skopeo and podman', () => {
  it('an image pushed by skopeo copy is pulled and run by tsrun', async () => {
    // skopeo reads tsrun's store directly: it is an OCI layout.
    const copy = await exec('skopeo', ['copy', '--dest-tls-verify=false', `oci:${src.root}/images:docker.io/library/demo:1`, `docker://${reg.host}/from-skopeo:1`])
    expect(copy.code, show(copy)).toBe(0)
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/from-skopeo:1`])
    const run = await dst.run(['run', '--rm', `${reg.host}/from-skopeo:1`, 'echo', 'skopeo'])
    expect(run.stdout, show(run)).toBe('skopeo\n')
  })

  it('an image pushed by podman is pulled and run by tsrun', async () => {
    const load = await podman.run(['import', busyboxRootfs(), 'localhost/pm:1'])
    expect(load.code, show(load)).toBe(0)
    const push = await podman.run(['push', '--tls-verify=false', 'localhost/pm:1', `docker://${reg.host}/from-podman:1`])
    expect(push.code, show(push)).toBe(0)
    const dst = freshRoot()
    await dst.ok(['pull', `${reg.host}/from-podman:1`])
    const run = await dst.run(['run', '--rm', `${reg.host}/from-podman:1`, 'echo', 'podman'])
    expect(run.stdout, show(run)).toBe('podman\n')
  })

  it('an image pushed by tsrun is pulled and run by podman', async () => {
    const pull = await podman.run(['pull', '--tls-verify=false', `${reg.host}/demo:1`])
    expect(pull.code, show(pull)).toBe(0)
    const run = await podman.runContainer(`${reg.host}/demo:1`, ['echo', 'from tsrun'])
    expect(run.stdout, show(run)).toBe('from tsrun\n')
  })
})

describe('an interrupted pull', () => {
  it('kill -9 at any moment leaves a store that lists and pulls again', async () => {
    const dst = freshRoot()
    const child = dst.spawn(['pull', `${reg.host}/demo:1`])
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (/Downloading|Extracting|complete|exists/.test(d.toString())) child.kill('SIGKILL')
      })
      child.on('exit', () => resolve())
    })
    const images = await dst.run(['images'])
    expect(images.code, show(images)).toBe(0)
    expect(images.stderr).not.toMatch(STACK_TRACE)
    await dst.ok(['pull', `${reg.host}/demo:1`])
    const run = await dst.run(['run', '--rm', `${reg.host}/demo:1`, 'echo', 'resumed'])
    expect(run.stdout, show(run)).toBe('resumed\n')
    expect(storeFiles(dst.root).filter((f) => f.startsWith('tmp/'))).toEqual([])
    // An unpack the kill cut short left a temp layer dir; the next pull sweeps it (its pid is dead).
    const layers = `${dst.root}/storage/overlay/layers`
    expect(fs.readdirSync(layers).filter((n) => n.startsWith('.tmp-'))).toEqual([])
  })
})
