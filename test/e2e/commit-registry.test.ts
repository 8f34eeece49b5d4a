// Issue 10: a committed image is a proper OCI image: tsrun pushes it to a
// real registry (Debian's docker-registry), skopeo inspects it there, and
// podman pulls it and runs it, its whiteouts applied by podman's own
// storage; a tsrun export is imported by podman too (docker import's format).
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exec, show, type Tsrun } from '../support/tsrun'
import { Podman, startRegistry, type Registry } from '../support/registry'
import { useFreshRoots } from '../support/suite'

let reg: Registry
let t: Tsrun
let podman: Podman
const freshRoot = useFreshRoots()

beforeAll(async () => {
  reg = await startRegistry()
  podman = new Podman()
  t = freshRoot()
  await t.importDemo('demo:1')
  await t.ok(['run', '--name', 'src', 'demo:1', 'sh', '-c', 'echo committed > /etc/new && rm /etc/passwd && rm -rf /usr'])
}, 120_000)

afterAll(async () => {
  await podman?.destroy()
  await reg?.stop()
}, 120_000)

describe('a committed image in the registry', () => {
  const ref = () => `${reg.host}/committed:1`

  it('is pushed by tsrun push', async () => {
    await t.ok(['commit', '-m', 'for the registry', '-c', 'CMD ["cat", "/etc/new"]', 'src', ref()])
    const r = await t.ok(['push', ref()])
    expect(r.stdout).toMatch(/^1: digest: sha256:[0-9a-f]{64} size: \d+$/m)
  })

  it('is an OCI image of two layers to skopeo inspect, with its command', async () => {
    const r = await exec('skopeo', ['inspect', '--tls-verify=false', `docker://${ref()}`])
    expect(r.code, show(r)).toBe(0)
    const info = JSON.parse(r.stdout)
    expect(info.Layers).toHaveLength(2)
    const raw = await exec('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref()}`])
    const manifest = JSON.parse(raw.stdout)
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(manifest.layers[1].mediaType).toMatch(/^application\/vnd\.oci\.image\.layer\.v1\.tar/)
    const config = JSON.parse((await exec('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${ref()}`])).stdout)
    expect(config.config.Cmd).toEqual(['cat', '/etc/new'])
    expect(config.history.at(-1)).toMatchObject({ comment: 'for the registry' })
  })

  it('is pulled and run by podman, deletions applied', async () => {
    const pull = await podman.run(['pull', '--tls-verify=false', ref()])
    expect(pull.code, show(pull)).toBe(0)
    const run = await podman.runContainer(ref(), [])
    expect(run.stdout, show(run)).toBe('committed\n')
    const gone = await podman.runContainer(ref(), ['sh', '-c', 'test -e /etc/passwd || echo no-passwd; test -e /usr || echo no-usr'])
    expect(gone.stdout, show(gone)).toBe('no-passwd\nno-usr\n')
  })

  it('is pulled back into an empty tsrun store with the same id, and runs', async () => {
    const dst = freshRoot()
    await dst.ok(['pull', ref()])
    const id = (await t.ok(['image', 'inspect', '-f', '{{.Id}}', ref()])).stdout
    expect((await dst.ok(['image', 'inspect', '-f', '{{.Id}}', ref()])).stdout).toBe(id)
    const run = await dst.run(['run', '--rm', ref()])
    expect(run.stdout, show(run)).toBe('committed\n')
  })
})

describe('export for docker import', () => {
  it('podman import takes a tsrun export and runs it', async () => {
    const file = path.join(t.root, 'src.tar')
    await t.ok(['export', '-o', file, 'src'])
    const imp = await podman.run(['import', file, 'localhost/exported:1'])
    expect(imp.code, show(imp)).toBe(0)
    const run = await podman.runContainer('localhost/exported:1', ['sh', '-c', 'cat /etc/new; test -e /etc/passwd || echo no-passwd'])
    expect(run.stdout, show(run)).toBe('committed\nno-passwd\n')
  })
})
