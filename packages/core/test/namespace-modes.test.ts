// The pure half of issue 10's namespace flags and new limits: what the OCI
// spec gets for each mode, how `container:NAME` is pointed at a donor's
// PID 1 at start, and the OCI form of the new limits. The e2e tests
// (test/e2e/cli-commands-*.test.ts) run them on the kernel.
import { describe, expect, it } from 'vitest'
import { cgroupsPathFor, joinDonors, ociNamespaces, parseNamespaceOptions, shmMount, type Donor } from '../src/containers/namespace-modes'
import { ociResources, parseResources } from '../src/containers/resources'
import { parseLogOpts } from '../src/containers/host-options'

const types = (o: Parameters<typeof ociNamespaces>[0], hostNet = false) => ociNamespaces(o, hostNet).map((n) => (n.path !== undefined ? `${n.type}=join` : n.type))

describe('namespace modes', () => {
  it('defaults: a new namespace of every kind, the cgroup one included (tsrun\'s default on v1 too)', () => {
    expect(types({})).toEqual(['mount', 'pid', 'uts', 'ipc', 'cgroup', 'network'])
    expect(types({}, true)).toEqual(['mount', 'pid', 'uts', 'ipc', 'cgroup'])
  })

  it('host modes drop the namespace (the OCI way of sharing the host\'s); container: joins one', () => {
    expect(types({ PidMode: 'host', UTSMode: 'host', IpcMode: 'host', CgroupnsMode: 'host' })).toEqual(['mount', 'network'])
    expect(types({ PidMode: 'container:a', IpcMode: 'container:b' })).toEqual(['mount', 'pid=join', 'uts', 'ipc=join', 'cgroup', 'network'])
  })

  it('/dev/shm: a sized tmpfs; none: no mount; host: the host\'s; container: the donor\'s, cloned from its mount namespace', () => {
    expect(shmMount({})?.options).toContain('size=65536k')
    expect(shmMount({ ShmSize: 128 << 20 })?.options).toContain('size=131072k')
    expect(shmMount({ IpcMode: 'none' })).toBeUndefined()
    expect(shmMount({ IpcMode: 'host' })).toMatchObject({ type: 'bind', source: '/dev/shm' })
    expect(shmMount({ IpcMode: 'container:x' })?.options).toContain('io.tsrun.mntns=')
  })

  it('joinDonors points the joined namespaces at the donor\'s PID 1 of now, and refuses what Docker refuses', () => {
    const spec = () => ({ linux: { namespaces: ociNamespaces({ PidMode: 'container:d', IpcMode: 'container:d' }, false) }, mounts: [{ destination: '/dev/shm', options: shmMount({ IpcMode: 'container:d' })!.options }] })
    const donor = (d: Partial<Donor>) => () => ({ name: 'd', ...d }) as Donor
    const joined = joinDonors(spec(), { PidMode: 'container:d', IpcMode: 'container:d' }, donor({ pid: 4242, IpcMode: 'shareable' }))
    expect(joined.linux.namespaces.filter((n) => n.path)).toEqual([{ type: 'pid', path: '/proc/4242/ns/pid' }, { type: 'ipc', path: '/proc/4242/ns/ipc' }])
    expect(joined.mounts[0].options).toContain('io.tsrun.mntns=/proc/4242/ns/mnt')
    expect(() => joinDonors(spec(), { IpcMode: 'container:d' }, donor({ pid: 1, IpcMode: 'private' }))).toThrow('non-shareable IPC')
    expect(() => joinDonors(spec(), { PidMode: 'container:d' }, donor({}))).toThrow('cannot join the PID namespace of container d: it is not running')
  })

  it('flags: Docker\'s modes, and one line for anything else', () => {
    expect(parseNamespaceOptions({ ipc: 'shareable', pid: 'host', uts: 'host', cgroupns: 'host', cgroupParent: '/a/b/', shmSize: '1g' })).toEqual({ IpcMode: 'shareable', PidMode: 'host', UTSMode: 'host', CgroupnsMode: 'host', CgroupParent: 'a/b', ShmSize: 1 << 30 })
    expect(() => parseNamespaceOptions({ ipc: 'container:' })).toThrow('invalid IPC mode')
    expect(() => parseNamespaceOptions({ uts: 'host', hostname: 'x' })).toThrow('conflicting options')
    expect(() => parseNamespaceOptions({ cgroupParent: 'a/../../b' })).toThrow('--cgroup-parent')
    expect(cgroupsPathFor('abc', {})).toBe('tsrun/abc')
    expect(cgroupsPathFor('abc', { CgroupParent: 'jobs' })).toBe('jobs/abc')
  })
})

describe('the limits beyond the everyday ones, in OCI form', () => {
  it('reservation, the OOM switch, period and quota, the weight', () => {
    const l = parseResources({ memory: '64m', memoryReservation: '32m', oomKillDisable: true, cpuPeriod: 50_000, cpuQuota: 25_000, blkioWeight: 300 }, {}, 2)
    expect(ociResources(l)).toEqual({
      memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20, disableOOMKiller: true },
      cpu: { period: 50_000, quota: 25_000 },
      blockIO: { weight: 300 },
    })
    expect(ociResources(parseResources({ cpuQuota: -1 }, {}, 2))).toEqual({ cpu: { quota: -1 } })
  })
})

describe('log drivers', () => {
  it('json-file and k8s-file rotate; none takes nothing; anything else is named', () => {
    expect(parseLogOpts(['max-size=1m'], 'k8s-file')).toEqual({ Type: 'k8s-file', Config: { 'max-size': '1m' } })
    expect(parseLogOpts([], 'none')).toEqual({ Type: 'none', Config: {} })
    expect(() => parseLogOpts(['max-size=1m'], 'none')).toThrow('it takes no options')
    expect(() => parseLogOpts([], 'gelf')).toThrow('unknown log driver')
  })
})
