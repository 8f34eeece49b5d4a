// `inspect` as Docker scripts read it. The shapes are the Engine API's
// (moby api/types/container: InspectResponse, HostConfig, Config,
// NetworkSettings v1.52, MountPoint); the lookup is docker/cli's
// (cli/command/system/inspect.go: without --type a name is a container, then
// an image, a network, a volume; cli/command/inspect/inspector.go: the objects
// found are printed, then the errors, exit 1) and
// docs.docker.com/reference/cli/docker/inspect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { busyboxRootfs, hostNs, lines, show, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
let work: string
let hostDir: string

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-inspect-'))
  hostDir = path.join(work, 'host')
  fs.mkdirSync(hostDir)
  fs.mkdirSync(path.join(work, 'rel'))
  // An image with a VOLUME and a STOPSIGNAL of its own.
  const spec = path.join(work, 'vol.json')
  const out = path.join(work, 'vol.tar')
  fs.writeFileSync(spec, JSON.stringify({ out, images: [{ tags: ['withvol:1'], layers: [{ base: busyboxRootfs() }], config: { config: { Volumes: { '/vol': {} }, StopSignal: 'SIGINT', Cmd: ['sh'] } } }] }))
  execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), spec])
  await t.ok(['load', '-i', out])
  await t.ok(
    ['run', '-d', '--name', 'web', '--label', 'a=b', '--restart', 'on-failure:2', '-v', 'data:/data', '-v', `${hostDir}:/host:ro`, '-v', './rel:/rel', '-v', '/anon', '--tmpfs', '/run:size=1m', '--mount', 'type=tmpfs,dst=/scratch', 'demo:1', 'sleep', '600'],
    { cwd: work },
  )
  await t.ok(['create', '--name', 'plain', 'demo:1', 'true'])
  await t.ok(['run', '-d', '--name', 'hostnet', '--network', 'host', 'demo:1', 'sleep', '600'])
  await t.ok(['create', '--name', 'fromvol', 'withvol:1'])
}, 120_000)

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe('container inspect: the fields Docker scripts read', () => {
  it('HostConfig.Binds: the -v mounts with a source, host paths absolute (./rel resolved as Docker 23+ sends it); null without', async () => {
    const web = await t.inspect('web')
    expect(web.HostConfig.Binds).toEqual(['data:/data', `${hostDir}:/host:ro`, `${path.join(work, 'rel')}:/rel`])
    expect((await t.inspect('plain')).HostConfig.Binds).toBeNull()
  })

  it('HostConfig.PortBindings is the empty map until networking publishes ports; VolumesFrom null', async () => {
    expect((await t.ok(['inspect', '-f', '{{json .HostConfig.PortBindings}} {{json .HostConfig.VolumesFrom}}', 'web'])).stdout).toBe('{} null\n')
  })

  it('HostConfig.Tmpfs: --tmpfs destinations to their options; omitted without (omitempty)', async () => {
    expect((await t.inspect('web')).HostConfig.Tmpfs).toEqual({ '/run': 'size=1m' })
    expect(Object.keys((await t.inspect('plain')).HostConfig)).not.toContain('Tmpfs')
    expect((await t.ok(['inspect', '-f', '{{.HostConfig.Tmpfs}}', 'plain'])).stdout).toBe('map[]\n')
  })

  it('HostConfig.RestartPolicy: Name and MaximumRetryCount', async () => {
    expect((await t.inspect('web')).HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 })
    expect((await t.inspect('plain')).HostConfig.RestartPolicy).toEqual({ Name: 'no', MaximumRetryCount: 0 })
  })

  it("Config.StopSignal: the image's, omitted when there is none (omitempty)", async () => {
    expect((await t.inspect('fromvol')).Config.StopSignal).toBe('SIGINT')
    expect(Object.keys((await t.inspect('plain')).Config)).not.toContain('StopSignal')
  })

  it("Config.Volumes: anonymous -v destinations and the image's VOLUMEs; null without", async () => {
    expect((await t.inspect('web')).Config.Volumes).toEqual({ '/anon': {} })
    expect((await t.inspect('fromvol')).Config.Volumes).toEqual({ '/vol': {} })
    expect((await t.inspect('plain')).Config.Volumes).toBeNull()
  })

  it('Config.Labels: the map of --label (empty, not null, without)', async () => {
    expect((await t.ok(['inspect', '-f', '{{.Config.Labels.a}} {{json .Config.Labels}}', 'web'])).stdout).toBe('b {"a":"b"}\n')
    expect((await t.inspect('plain')).Config.Labels).toEqual({})
  })

  it("Mounts: Docker's MountPoint fields for volumes, binds and --mount tmpfs; --tmpfs is HostConfig.Tmpfs only", async () => {
    const mounts = (await t.inspect('web')).Mounts
    expect(mounts.map((m: any) => m.Destination).sort()).toEqual(['/anon', '/data', '/host', '/rel', '/scratch'])
    const data = mounts.find((m: any) => m.Destination === '/data')
    expect(data).toEqual({ Type: 'volume', Name: 'data', Source: expect.stringContaining('/volumes/data/_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' })
    const host = mounts.find((m: any) => m.Destination === '/host')
    expect(host).toEqual({ Type: 'bind', Source: hostDir, Destination: '/host', Mode: 'ro', RW: false, Propagation: 'rprivate' })
    expect(mounts.find((m: any) => m.Destination === '/scratch')).toMatchObject({ Type: 'tmpfs', Source: '' })
  })

  it('NetworkSettings: SandboxID, SandboxKey, Ports and Networks (API v1.52), the network named after the mode', async () => {
    const web = await t.inspect('web')
    expect(Object.keys(web.NetworkSettings)).toEqual(['SandboxID', 'SandboxKey', 'Ports', 'Networks'])
    expect(web.NetworkSettings.Ports).toEqual({})
    expect(Object.keys(web.NetworkSettings.Networks)).toEqual(['none'])
    expect(Object.keys(web.NetworkSettings.Networks.none)).toEqual(['IPAMConfig', 'Links', 'Aliases', 'DriverOpts', 'GwPriority', 'NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'MacAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames'])
    // The sandbox key is the container's own network namespace: private for none, the host's for host.
    expect(web.NetworkSettings.SandboxKey).toBe(`/proc/${web.State.Pid}/ns/net`)
    expect(fs.readlinkSync(web.NetworkSettings.SandboxKey)).not.toBe(hostNs('net'))
    const hostnet = await t.inspect('hostnet')
    expect(Object.keys(hostnet.NetworkSettings.Networks)).toEqual(['host'])
    expect(fs.readlinkSync(hostnet.NetworkSettings.SandboxKey)).toBe(hostNs('net'))
    expect((await t.inspect('plain')).NetworkSettings.SandboxKey).toBe('')
  })

  it('State has no Health without a healthcheck (omitempty), as Docker', async () => {
    expect(Object.keys((await t.inspect('web')).State)).not.toContain('Health')
  })

  it('-s adds SizeRw and SizeRootFs to a container, and warns it is ignored for an image', async () => {
    const r = await t.ok(['inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'web'])
    const [rw, rootFs] = r.stdout.trim().split(' ').map(Number)
    expect(rw).toBeGreaterThanOrEqual(0)
    expect(rootFs).toBeGreaterThan(rw)
    const img = await t.ok(['inspect', '-s', '-f', '{{.Id}}', 'demo:1'])
    expect(lines(img.stderr)).toEqual(['WARNING: --size ignored for image'])
  })
})

describe('inspect: which object a name is, and names that are none', () => {
  beforeAll(async () => {
    await t.ok(['tag', 'demo:1', 'shared:latest'])
    await t.ok(['volume', 'create', 'shared'])
    await t.ok(['create', '--name', 'shared', 'demo:1', 'true'])
  }, 60_000)

  it('without --type a container comes first, then an image, then a volume; --type picks one', async () => {
    const kind = async (...args: string[]) => {
      const o = JSON.parse((await t.ok(['inspect', ...args])).stdout)[0]
      return o.State ? 'container' : o.RepoTags ? 'image' : o.Mountpoint ? 'volume' : 'unknown'
    }
    expect(await kind('shared')).toBe('container')
    expect(await kind('--type', 'image', 'shared')).toBe('image')
    expect(await kind('--type', 'volume', 'shared')).toBe('volume')
    expect(await kind('--type', 'container', 'shared')).toBe('container')
    await t.ok(['rm', 'shared'])
    expect(await kind('shared')).toBe('image')
    await t.ok(['rmi', 'shared:latest'])
    expect(await kind('shared')).toBe('volume')
  })

  it('inspect A B C prints the objects found, then an error for each missing one, and exits 1', async () => {
    const r = await t.run(['inspect', 'web', 'nope', 'plain', 'nada'])
    expect(r.code, show(r)).toBe(1)
    expect(JSON.parse(r.stdout).map((o: any) => o.Name)).toEqual(['/web', '/plain'])
    expect(lines(r.stderr)).toEqual(['Error: No such object: nope', 'Error: No such object: nada'])
    const f = await t.run(['inspect', '-f', '{{.Name}}', 'web', 'nope'])
    expect(f.code, show(f)).toBe(1)
    expect(f.stdout).toBe('/web\n')
  })

  it('a name that is nothing prints [] (an empty line with a template) and exits 1', async () => {
    const r = await t.run(['inspect', 'nope'])
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '[]\n', 'Error: No such object: nope\n'])
    const f = await t.run(['inspect', '-f', '{{.Id}}', 'nope'])
    expect([f.code, f.stdout]).toEqual([1, '\n'])
  })

  it('with --type the error is that kind\'s; an unknown --type is refused before any lookup', async () => {
    const c = await t.run(['inspect', '--type', 'container', 'demo:1'])
    expect([c.code, c.stderr]).toEqual([1, 'Error: No such container: demo:1\n'])
    const n = await t.run(['inspect', '--type', 'network', 'nonet'])
    expect([n.code, n.stderr]).toEqual([1, 'Error: No such network: nonet\n'])
    const bad = await t.run(['inspect', '--type', 'pod', 'web'])
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([125, '', 'Error: unknown type: "pod": must be one of "container", "image", "network", "volume"\n'])
  })

  it('image inspect and volume inspect print what they found too, then the errors, exit 1', async () => {
    const i = await t.run(['image', 'inspect', 'demo:1', 'nosuch:1'])
    expect(i.code, show(i)).toBe(1)
    expect(JSON.parse(i.stdout)).toHaveLength(1)
    expect(i.stderr).toBe('Error: No such image: nosuch:1\n')
    const v = await t.run(['volume', 'inspect', 'data', 'novol', '-f', '{{.Name}}'])
    expect([v.code, v.stdout, v.stderr]).toEqual([1, 'data\n', 'Error: No such volume: novol\n'])
  })
})
