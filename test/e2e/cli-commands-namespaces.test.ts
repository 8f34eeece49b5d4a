// Issue 10: --ipc (private|shareable|none|host|container:NAME), --pid
// (host|container:NAME), --uts host, --cgroupns host|private,
// --cgroup-parent and --shm-size, as Docker's run reference describes them
// (docs.docker.com/reference/cli/docker/container/run/ and the "IPC
// settings", "PID settings", "UTS settings" sections of the run reference).
// tsrun's one difference is kept deliberately: --cgroupns defaults to
// private on every host (Docker: host on cgroup v1), see namespace-modes.ts.
import * as fs from 'node:fs'
import * as os from 'node:os'
import { afterAll, describe, expect, it } from 'vitest'
import { cgroupDirsFor, hostMountsMentioning, lines, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const ns = (pid: number | 'self', kind: string) => fs.readlinkSync(`/proc/${pid}/ns/${kind}`)

async function pid1(name: string): Promise<number> {
  return (await t.inspect(name)).State.Pid
}

async function out(args: string[]): Promise<string[]> {
  const r = await t.run(args)
  expect(r.code, show(r)).toBe(0)
  return lines(r.stdout)
}

describe('--ipc', () => {
  it('default (private): its own IPC namespace and a 64m /dev/shm; inspect says IpcMode private and ShmSize 67108864', async () => {
    await t.ok(['run', '-d', '--name', 'ipc-private', 'demo:1', 'sleep', '60'])
    expect(ns(await pid1('ipc-private'), 'ipc')).not.toBe(ns('self', 'ipc'))
    expect(await out(['exec', 'ipc-private', 'sh', '-c', 'df -k /dev/shm | tail -1 | awk "{print \\$2}"'])).toEqual(['65536'])
    expect((await t.inspect('ipc-private')).HostConfig).toMatchObject({ IpcMode: 'private', ShmSize: 64 * 1024 * 1024 })
  })

  it('docker run --shm-size: "Size of /dev/shm"', async () => {
    expect(await out(['run', '--rm', '--shm-size', '128m', 'demo:1', 'sh', '-c', 'df -k /dev/shm | tail -1 | awk "{print \\$2}"'])).toEqual(['131072'])
    const bad = await t.run(['run', '--rm', '--shm-size', '-1', 'demo:1', 'true'])
    expect(bad.code).toBe(125)
    expect(lines(bad.stderr)).toEqual([expect.stringMatching(/SHM size can not be less than 0/)])
  })

  it('--ipc none: its own namespace and no /dev/shm mount', async () => {
    expect(await out(['run', '--rm', '--ipc', 'none', 'demo:1', 'sh', '-c', 'grep -c " /dev/shm " /proc/mounts || true'])).toEqual(['0'])
    const c = (await t.ok(['create', '--ipc', 'none', 'demo:1', 'true'])).stdout.trim()
    expect((await t.inspect(c)).HostConfig.IpcMode).toBe('none')
  })

  it('--ipc host: the host\'s IPC namespace and its /dev/shm', async () => {
    const marker = `/dev/shm/tsrun-ipc-host-${process.pid}`
    fs.writeFileSync(marker, 'from-host')
    try {
      await t.ok(['run', '-d', '--name', 'ipc-host', '--ipc', 'host', 'demo:1', 'sleep', '60'])
      expect(ns(await pid1('ipc-host'), 'ipc')).toBe(ns('self', 'ipc'))
      expect(await out(['exec', 'ipc-host', 'cat', marker])).toEqual(['from-host'])
    } finally {
      fs.rmSync(marker, { force: true })
    }
  })

  it('--ipc container:NAME with a shareable donor: its IPC namespace and /dev/shm, both ways, and nothing mounted on the host', async () => {
    await t.ok(['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'demo:1', 'sh', '-c', 'echo from-donor > /dev/shm/d; sleep 60'])
    await waitFor(async () => (await t.run(['exec', 'donor', 'cat', '/dev/shm/d'])).code === 0, 'the donor to write')
    await t.ok(['run', '-d', '--name', 'joiner', '--ipc', 'container:donor', 'demo:1', 'sh', '-c', 'echo from-joiner > /dev/shm/j; sleep 60'])
    expect(ns(await pid1('joiner'), 'ipc')).toBe(ns(await pid1('donor'), 'ipc'))
    expect(await out(['exec', 'joiner', 'cat', '/dev/shm/d'])).toEqual(['from-donor'])
    await waitFor(async () => (await t.run(['exec', 'donor', 'cat', '/dev/shm/j'])).code === 0, 'the joiner to write')
    expect(await out(['exec', 'donor', 'cat', '/dev/shm/j'])).toEqual(['from-joiner'])
    expect((await t.inspect('joiner')).HostConfig.IpcMode).toBe('container:donor')
    expect(hostMountsMentioning('/dev/shm').filter((l) => l.includes(t.root))).toEqual([])
  })

  it('the donor\'s namespace is found again at every start (its PID 1 changed)', async () => {
    await t.ok(['stop', '-t', '0', 'joiner'])
    await t.ok(['restart', '-t', '0', 'donor'])
    await waitFor(async () => (await t.run(['exec', 'donor', 'cat', '/dev/shm/d'])).code === 0, 'the donor to write again')
    await t.ok(['start', 'joiner'])
    expect(ns(await pid1('joiner'), 'ipc')).toBe(ns(await pid1('donor'), 'ipc'))
    expect(await out(['exec', 'joiner', 'cat', '/dev/shm/d'])).toEqual(['from-donor'])
    await t.ok(['rm', '-f', 'joiner'])
  })

  it('a private (non-shareable) donor, a stopped one and a missing one are refused as Docker refuses them', async () => {
    const r = await t.run(['run', '--rm', '--ipc', 'container:ipc-private', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: cannot join the IPC namespace of container ipc-private: non-shareable IPC (create it with --ipc shareable)'])
    await t.ok(['create', '--name', 'cold', '--ipc', 'shareable', 'demo:1', 'true'])
    const stopped = await t.run(['run', '--rm', '--ipc', 'container:cold', 'demo:1', 'true'])
    expect(stopped.code).toBe(125)
    expect(lines(stopped.stderr)).toEqual(['Error: cannot join the IPC namespace of container cold: it is not running; start it first'])
    const missing = await t.run(['create', '--name', 'orphan', '--ipc', 'container:nobody-here', 'demo:1', 'true'])
    expect(missing.code).toBe(125)
    expect(lines(missing.stderr)).toHaveLength(1)
    expect(missing.stderr).toMatch(/nobody-here/)
    expect((await t.psJson()).map((c) => c.Names)).not.toContain('orphan')
    const bad = await t.run(['run', '--rm', '--ipc', 'sideways', 'demo:1', 'true'])
    expect(lines(bad.stderr)).toEqual(['Error: --ipc "sideways": invalid IPC mode: use private, shareable, none, host or container:NAME'])
  })
})

describe('--pid', () => {
  it('--pid host: the host\'s PID namespace (its processes visible), capabilities and seccomp as ever', async () => {
    const seen = await out(['run', '--rm', '--pid', 'host', 'demo:1', 'sh', '-c', `test -d /proc/${process.pid} && echo sees-the-test; grep -E "^(CapEff|Seccomp):" /proc/self/status`])
    expect(seen[0]).toBe('sees-the-test')
    // Docker's 14 capabilities (0x00000000a80425fb) and a seccomp filter (mode 2), as without --pid host.
    const plain = await out(['run', '--rm', 'demo:1', 'grep', '-E', '^(CapEff|Seccomp):', '/proc/self/status'])
    expect(seen.slice(1)).toEqual(plain)
    expect(plain).toEqual([expect.stringMatching(/^CapEff:\s+00000000a80425fb$/), expect.stringMatching(/^Seccomp:\s+2$/)])
    const c = (await t.ok(['create', '--pid', 'host', 'demo:1', 'true'])).stdout.trim()
    expect((await t.inspect(c)).HostConfig.PidMode).toBe('host')
  })

  it('--pid container:NAME: the other container\'s processes are its own; it is told apart from the donor', async () => {
    await t.ok(['run', '-d', '--name', 'pdonor', 'demo:1', 'sleep', '61'])
    const ps = await out(['run', '--rm', '--pid', 'container:pdonor', 'demo:1', 'ps', '-o', 'pid,args'])
    expect(ps).toEqual(['PID   COMMAND', '    1 sleep 61', expect.stringMatching(/^\s+\d+ ps -o pid,args$/)])
  })

  it('a joiner\'s --rm still works when the donor dies first (its monitor is not left in a dead namespace)', async () => {
    await t.ok(['run', '-d', '--name', 'pjoin', '--rm', '--pid', 'container:pdonor', 'demo:1', 'sleep', '60'])
    await t.ok(['kill', 'pdonor'])
    // The donor's PID 1 died: the kernel killed the joiner too; its monitor then removes it.
    await waitFor(async () => (await t.run(['inspect', 'pjoin'])).code !== 0, 'the joiner to be removed')
    await t.ok(['rm', 'pdonor'])
  })

  it('a stopped donor is refused at start; an unknown mode is one line', async () => {
    await t.ok(['create', '--name', 'pcold', 'demo:1', 'true'])
    const r = await t.run(['run', '--rm', '--pid', 'container:pcold', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: cannot join the PID namespace of container pcold: it is not running; start it first'])
    const bad = await t.run(['run', '--rm', '--pid', 'private', 'demo:1', 'true'])
    expect(lines(bad.stderr)).toEqual(['Error: --pid "private": invalid PID mode: use host or container:NAME'])
  })
})

describe('--uts', () => {
  it('--uts host: the host\'s UTS namespace and hostname; --hostname conflicts, as Docker says', async () => {
    await t.ok(['run', '-d', '--name', 'uts', '--uts', 'host', 'demo:1', 'sleep', '60'])
    expect(ns(await pid1('uts'), 'uts')).toBe(ns('self', 'uts'))
    expect(await out(['exec', 'uts', 'hostname'])).toEqual([os.hostname()])
    expect((await t.inspect('uts')).HostConfig.UTSMode).toBe('host')
    const r = await t.run(['run', '--rm', '--uts', 'host', '-h', 'other', 'demo:1', 'true'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(["Error: conflicting options: --hostname and --uts host (the container has the host's hostname)"])
  })
})

describe('--cgroupns and --cgroup-parent', () => {
  it('the default is a private cgroup namespace on every host (tsrun\'s choice; Docker\'s default on cgroup v2)', async () => {
    expect(await out(['run', '--rm', 'demo:1', 'sh', '-c', 'grep -c -v ":/$" /proc/self/cgroup || true'])).toEqual(['0'])
    const c = (await t.ok(['create', 'demo:1', 'true'])).stdout.trim()
    expect((await t.inspect(c)).HostConfig.CgroupnsMode).toBe('private')
  })

  it('docker run --cgroupns host: the host\'s cgroup namespace, where the container sees its own path', async () => {
    await t.ok(['run', '-d', '--name', 'cgh', '--cgroupns', 'host', 'demo:1', 'sleep', '60'])
    expect(ns(await pid1('cgh'), 'cgroup')).toBe(ns('self', 'cgroup'))
    const id = (await t.inspect('cgh')).Id
    expect((await out(['exec', 'cgh', 'cat', '/proc/self/cgroup'])).filter((l) => l.endsWith(`/tsrun/${id}`)).length).toBeGreaterThan(0)
    expect((await t.inspect('cgh')).HostConfig.CgroupnsMode).toBe('host')
    const bad = await t.run(['run', '--rm', '--cgroupns', 'shared', 'demo:1', 'true'])
    expect(lines(bad.stderr)).toEqual(['Error: --cgroupns "shared": invalid CGROUP mode: use private (the default) or host'])
  })

  const parent = `tsrun-test-parent-${process.pid}`
  afterAll(() => {
    // Deepest first: Docker too leaves a --cgroup-parent in place, the test removes its own.
    const dirs = cgroupDirsFor(parent).flatMap((d) => [`${d}/batch`, d])
    for (const d of dirs.sort((a, b) => b.length - a.length)) if (fs.existsSync(d)) fs.rmdirSync(d)
  })

  it('docker run --cgroup-parent: the container\'s cgroup goes under that one, in every hierarchy, and goes with it', async () => {
    const id = (await t.ok(['run', '-d', '--name', 'cgp', '--cgroup-parent', `/${parent}/batch`, '--memory', '64m', 'demo:1', 'sleep', '60'])).stdout.trim()
    const dirs = cgroupDirsFor(id)
    expect(dirs.length).toBeGreaterThan(0)
    for (const d of dirs) expect(d).toMatch(new RegExp(`/${parent}/batch/${id}$`))
    expect(fs.readFileSync(`/sys/fs/cgroup/memory/${parent}/batch/${id}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(64 << 20))
    expect((await t.inspect('cgp')).HostConfig.CgroupParent).toBe(`${parent}/batch`)
    await t.ok(['rm', '-f', 'cgp'])
    expect(cgroupDirsFor(id)).toEqual([])
  })

  it('a parent that climbs out with .. is refused before anything is made', async () => {
    const r = await t.run(['run', '--rm', '--cgroup-parent', '../../escape', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^Error: --cgroup-parent "\.\.\/\.\.\/escape": give a cgroup path/)])
  })
})
