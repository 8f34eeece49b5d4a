// Issue 10: --memory-reservation, --oom-kill-disable, --oom-score-adj,
// --cpu-period, --cpu-quota, --blkio-weight, --device-read-bps and
// friends, and --group-add, as Docker's run reference documents them
// (docs.docker.com/reference/cli/docker/container/run/ and "Runtime
// constraints on resources" of the run reference), and `update` for the
// ones Docker's update takes. Each limit is read back where the kernel
// keeps it (this machine kind: the cgroup v1 hierarchies).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cgroupDirsFor, lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const LOOP = ['sh', '-c', 'while true; do sleep 1; done']

/** The container's file in the v1 hierarchy `controller`. */
function cgroupFile(cid: string, controller: string, file: string): string {
  const dir = cgroupDirsFor(cid).find((d) => d.startsWith(`/sys/fs/cgroup/${controller}/`))
  if (!dir) throw new Error(`no ${controller} cgroup for ${cid}: ${cgroupDirsFor(cid).join(', ')}`)
  return fs.readFileSync(path.join(dir, file), 'utf8').trim()
}

/** A whole-disk block device of this host (for the per-device limits), as `/dev/NAME` and `MAJ:MIN`. */
function wholeDisk(): { dev: string; numbers: string } | undefined {
  for (const name of fs.readdirSync('/sys/block')) {
    if (/^(loop|ram|zram)/.test(name) || !fs.existsSync(`/dev/${name}`)) continue
    return { dev: `/dev/${name}`, numbers: fs.readFileSync(`/sys/block/${name}/dev`, 'utf8').trim() }
  }
  return undefined
}

async function enforceable(): Promise<string[]> {
  return JSON.parse((await t.ok(['info', '--format', '{{json .EnforceableLimits}}'])).stdout)
}

describe('memory', () => {
  it('docker run --memory-reservation: the soft limit (v1 memory.soft_limit_in_bytes), shown as MemoryReservation', async () => {
    const id = (await t.ok(['run', '-d', '--name', 'res', '-m', '128m', '--memory-reservation', '32m', 'demo:1', ...LOOP])).stdout.trim()
    expect(cgroupFile(id, 'memory', 'memory.soft_limit_in_bytes')).toBe(String(32 << 20))
    expect((await t.inspect('res')).HostConfig).toMatchObject({ Memory: 128 << 20, MemoryReservation: 32 << 20 })
  })

  it('docker update --memory-reservation changes it on a running container', async () => {
    const r = await t.run(['update', '--memory-reservation', '48m', 'res'])
    expect(r.code, show(r)).toBe(0)
    const id = (await t.inspect('res')).Id
    expect(cgroupFile(id, 'memory', 'memory.soft_limit_in_bytes')).toBe(String(48 << 20))
    expect((await t.inspect('res')).HostConfig.MemoryReservation).toBe(48 << 20)
    await t.ok(['rm', '-f', 'res'])
  })

  it('a reservation above the limit, or below 6m, is refused as Docker refuses it', async () => {
    const above = await t.run(['run', '--rm', '-m', '16m', '--memory-reservation', '32m', 'demo:1', 'true'])
    expect(above.code).toBe(125)
    expect(lines(above.stderr)).toEqual(['Error: --memory cannot be less than --memory-reservation: the reservation is a soft limit below the hard one'])
    const small = await t.run(['run', '--rm', '--memory-reservation', '1m', 'demo:1', 'true'])
    expect(lines(small.stderr)).toEqual(['Error: invalid value "1m" for --memory-reservation: the minimum is 6m'])
  })

  it('docker run --oom-kill-disable with -m: the v1 OOM killer is off, a hog waits instead of dying; shown as OomKillDisable', async () => {
    const r = await t.run(['run', '-d', '--name', 'nooom', '-m', '16m', '--memory-swap', '16m', '--oom-kill-disable', 'demo:1', 'sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stderr).toBe('')
    const id = r.stdout.trim()
    expect(cgroupFile(id, 'memory', 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m)
    // The kernel says it is under OOM, and nothing was killed.
    await expect.poll(() => cgroupFile(id, 'memory', 'memory.oom_control'), { timeout: 20_000 }).toMatch(/^under_oom 1$/m)
    expect(cgroupFile(id, 'memory', 'memory.oom_control')).toMatch(/^oom_kill 0$/m)
    expect((await t.inspect('nooom')).State.Running).toBe(true)
    expect((await t.inspect('nooom')).HostConfig.OomKillDisable).toBe(true)
    await t.ok(['rm', '-f', 'nooom'])
  })

  it('--oom-kill-disable without -m prints docker/cli\'s warning', async () => {
    const r = await t.run(['run', '--rm', '--oom-kill-disable', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stderr).toBe("WARNING: Disabling the OOM killer on containers without setting a '-m/--memory' limit may be dangerous.\n")
  })
})

describe('--oom-score-adj', () => {
  it('docker run --oom-score-adj: the init\'s score, inherited by what it starts and by exec', async () => {
    await t.ok(['run', '-d', '--name', 'oomadj', '--oom-score-adj', '500', 'demo:1', 'sh', '-c', 'sleep 60 & wait'])
    expect(lines((await t.ok(['exec', 'oomadj', 'sh', '-c', 'cat /proc/1/oom_score_adj /proc/$(pidof sleep)/oom_score_adj /proc/self/oom_score_adj'])).stdout)).toEqual(['500', '500', '500'])
    expect((await t.inspect('oomadj')).HostConfig.OomScoreAdj).toBe(500)
    await t.ok(['rm', '-f', 'oomadj'])
  })

  it('out of [-1000, 1000] is Docker\'s error, one line', async () => {
    const r = await t.run(['run', '--rm', '--oom-score-adj', '1001', 'demo:1', 'true'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: invalid value 1001 for --oom-score-adj: the range is [-1000, 1000]'])
  })

  it('lowering it needs CAP_SYS_RESOURCE: refused at create when tsrun lacks it, as the kernel would refuse it at start', async () => {
    const status = fs.readFileSync('/proc/self/status', 'utf8')
    const bnd = BigInt(`0x${/^CapBnd:\s+([0-9a-f]+)$/m.exec(status)![1]}`)
    const hasSysResource = (bnd >> 24n) & 1n
    const r = await t.run(['run', '--rm', '--oom-score-adj', '-500', 'demo:1', 'cat', '/proc/self/oom_score_adj'])
    if (hasSysResource) {
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout).toBe('-500\n')
    } else {
      expect(r.code).toBe(125)
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^Error: --oom-score-adj -500: lowering the OOM score below -?\d+ needs CAP_SYS_RESOURCE, which tsrun does not hold on this host$/)])
    }
  })
})

describe('--cpu-period and --cpu-quota', () => {
  it('docker run --cpu-period --cpu-quota: the CFS files, shown as CpuPeriod and CpuQuota; update changes them', async () => {
    const id = (await t.ok(['run', '-d', '--name', 'cfs', '--cpu-period', '50000', '--cpu-quota', '25000', 'demo:1', ...LOOP])).stdout.trim()
    expect(cgroupFile(id, 'cpu', 'cpu.cfs_period_us')).toBe('50000')
    expect(cgroupFile(id, 'cpu', 'cpu.cfs_quota_us')).toBe('25000')
    expect((await t.inspect('cfs')).HostConfig).toMatchObject({ CpuPeriod: 50000, CpuQuota: 25000, NanoCpus: 0 })
    await t.ok(['update', '--cpu-quota', '40000', 'cfs'])
    expect(cgroupFile(id, 'cpu', 'cpu.cfs_quota_us')).toBe('40000')
    expect((await t.inspect('cfs')).HostConfig.CpuQuota).toBe(40000)
    await t.ok(['rm', '-f', 'cfs'])
  })

  it('out of range, or with --cpus, is refused with Docker\'s reasons', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--cpu-period', '999'], /CPU cfs period can not be less than 1ms \(i\.e\. 1000\) or larger than 1s \(i\.e\. 1000000\)/],
      [['--cpu-quota', '999'], /CPU cfs quota can not be less than 1ms \(i\.e\. 1000\)/],
      [['--cpus', '0.5', '--cpu-quota', '50000'], /^Error: conflicting options: --cpus and --cpu-quota cannot both be set/],
    ]
    for (const [flags, why] of cases) {
      const r = await t.run(['run', '--rm', ...flags, 'demo:1', 'true'])
      expect(r.code, flags.join(' ')).toBe(125)
      expect(lines(r.stderr)).toEqual([expect.stringMatching(why)])
    }
  })
})

describe('block I/O', () => {
  const disk = wholeDisk()
  if (!disk) console.warn('skipping the per-device limits: this host has no whole-disk block device in /dev')

  it.skipIf(!disk)('docker run --device-read-bps/--device-write-bps/--device-read-iops/--device-write-iops: one line each in the blkio throttle files', async () => {
    const d = disk!
    const id = (await t.ok(['run', '-d', '--name', 'io', '--device-read-bps', `${d.dev}:1mb`, '--device-write-bps', `${d.dev}:2m`, '--device-read-iops', `${d.dev}:300`, '--device-write-iops', `${d.dev}:400`, 'demo:1', ...LOOP])).stdout.trim()
    expect(cgroupFile(id, 'blkio', 'blkio.throttle.read_bps_device')).toBe(`${d.numbers} 1048576`)
    expect(cgroupFile(id, 'blkio', 'blkio.throttle.write_bps_device')).toBe(`${d.numbers} 2097152`)
    expect(cgroupFile(id, 'blkio', 'blkio.throttle.read_iops_device')).toBe(`${d.numbers} 300`)
    expect(cgroupFile(id, 'blkio', 'blkio.throttle.write_iops_device')).toBe(`${d.numbers} 400`)
    expect((await t.inspect('io')).HostConfig).toMatchObject({
      BlkioDeviceReadBps: [{ Path: d.dev, Rate: 1048576 }],
      BlkioDeviceWriteBps: [{ Path: d.dev, Rate: 2097152 }],
      BlkioDeviceReadIOps: [{ Path: d.dev, Rate: 300 }],
      BlkioDeviceWriteIOps: [{ Path: d.dev, Rate: 400 }],
    })
    await t.ok(['rm', '-f', 'io'])
  })

  it('docker run --blkio-weight: blkio.weight, or BFQ\'s blkio.bfq.weight where CFQ is gone; shown as BlkioWeight', async () => {
    const id = (await t.ok(['run', '-d', '--name', 'bw', '--blkio-weight', '300', 'demo:1', ...LOOP])).stdout.trim()
    const dir = cgroupDirsFor(id).find((x) => x.startsWith('/sys/fs/cgroup/blkio/'))!
    const file = ['blkio.weight', 'blkio.bfq.weight'].find((f) => fs.existsSync(path.join(dir, f)))
    if (file) expect(fs.readFileSync(path.join(dir, file), 'utf8')).toMatch(/^(default )?300\n?/)
    else expect(await enforceable()).not.toContain('blkio weight')
    expect((await t.inspect('bw')).HostConfig.BlkioWeight).toBe(300)
    await t.ok(['update', '--blkio-weight', '600', 'bw'])
    if (file) expect(fs.readFileSync(path.join(dir, file), 'utf8')).toMatch(/^(default )?600\n?/)
    await t.ok(['rm', '-f', 'bw'])
  })

  it('bad device limits are refused as Docker refuses them, before anything is made', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['--device-read-bps', '/dev/vda1mb', /the format is <device-path>:<number>\[<unit>\]/],
      ['--device-read-bps', 'sda:1mb', /the device path must start with \/dev\//],
      ['--device-write-bps', '/dev/vda:fast', /invalid rate "fast" for --device-write-bps/],
      ['--device-read-iops', '/dev/vda:1.5', /invalid rate "1.5" for --device-read-iops/],
      ['--device-read-bps', '/dev/no-such-disk:1mb', /^Error: --device-read-bps \/dev\/no-such-disk: no such device on the host$/],
      ['--device-write-iops', '/dev/null:10', /^Error: --device-write-iops \/dev\/null: not a block device$/],
      ['--blkio-weight', '5', /the range is from 10 to 1000/],
    ]
    const before = (await t.psJson()).length
    for (const [flag, value, why] of cases) {
      const r = await t.run(['create', flag, value, 'demo:1', 'true'])
      expect(r.code, `${flag} ${value}`).toBe(125)
      expect(lines(r.stderr), `${flag} ${value}`).toEqual([expect.stringMatching(why)])
    }
    expect((await t.psJson()).length).toBe(before)
  })

  it('every limit `info` calls enforceable is enforced, with no warning; the others warn by name (none on this machine kind)', async () => {
    const d = disk
    const can = await enforceable()
    const r = await t.run(['run', '-d', '--name', 'all', '-m', '64m', '--memory-reservation', '16m', '--oom-kill-disable', '--cpu-quota', '50000', '--pids-limit', '40', '--blkio-weight', '200', ...(d ? ['--device-read-bps', `${d.dev}:5mb`] : []), 'demo:1', ...LOOP])
    expect(r.code, show(r)).toBe(0)
    const id = r.stdout.trim()
    const checks: Record<string, () => void> = {
      memory: () => expect(cgroupFile(id, 'memory', 'memory.limit_in_bytes')).toBe(String(64 << 20)),
      'oom kill disable': () => expect(cgroupFile(id, 'memory', 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m),
      cpu: () => expect(cgroupFile(id, 'cpu', 'cpu.cfs_quota_us')).toBe('50000'),
      pids: () => expect(cgroupFile(id, 'pids', 'pids.max')).toBe('40'),
      'blkio throttle': () => d && expect(cgroupFile(id, 'blkio', 'blkio.throttle.read_bps_device')).toBe(`${d.numbers} ${5 << 20}`),
    }
    for (const [name, check] of Object.entries(checks)) if (can.includes(name)) check()
    const wanted = ['memory', 'oom kill disable', 'cpu', 'pids', 'blkio weight', ...(d ? ['blkio throttle'] : [])]
    expect(lines(r.stderr)).toHaveLength(wanted.filter((w) => !can.includes(w)).length)
    await t.ok(['rm', '-f', 'all'])
  })
})

describe('--group-add', () => {
  it('docker run --group-add: a gid or a group name of the image, on top of the user\'s groups, for exec too', async () => {
    expect((await t.ok(['run', '--rm', '--group-add', 'nogroup', '--group-add', '4242', 'demo:1', 'id', '-G'])).stdout.trim().split(' ').sort()).toEqual(['0', '4242', '65534'])
    await t.ok(['run', '-d', '--name', 'ga', '-u', 'nobody', '--group-add', '4242', 'demo:1', 'sleep', '60'])
    expect((await t.ok(['exec', 'ga', 'id', '-G'])).stdout.trim().split(' ').sort()).toEqual(['4242', '65534'])
    expect((await t.inspect('ga')).HostConfig.GroupAdd).toEqual(['4242'])
    await t.ok(['rm', '-f', 'ga'])
  })

  it('a group the image does not have fails the start with Docker\'s words', async () => {
    const r = await t.run(['run', '--rm', '--group-add', 'no-such-group', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/unable to find group no-such-group: no matching entries in group file$/)])
  })
})
