// Resource limits: --memory (OOM kill, 137, OOMKilled), --pids-limit (a fork
// bomb stays inside), --cpus (a busy loop held near its share), update, and
// bad input. Limits go to the v1 controllers on this hybrid host.
import * as fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { cgroupDirsFor, show, sleep, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const LOOP = ['sh', '-c', 'while true; do sleep 1; done']

async function id(name: string): Promise<string> {
  return (await t.ok(['inspect', '-f', '{{.Id}}', name])).stdout.trim()
}

/** The container's file in the v1 hierarchy `controller` (or the v2 tree). */
function cgroupFile(cid: string, controller: string, file: string): string {
  const dir = cgroupDirsFor(cid).find((d) => d.startsWith(`/sys/fs/cgroup/${controller}/`) || d.startsWith('/sys/fs/cgroup/tsrun/'))
  if (!dir) throw new Error(`no ${controller} cgroup for ${cid}: ${cgroupDirsFor(cid).join(', ')}`)
  return fs.readFileSync(`${dir}/${file}`, 'utf8').trim()
}

describe('limits reach the kernel and inspect', () => {
  it('run --memory --cpus --pids-limit --cpu-shares --cpuset-cpus', async () => {
    const r = await t.run(['run', '-d', '--name', 'lim', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', '--cpu-shares', '512', '--cpuset-cpus', '0', 'demo:1', ...LOOP])
    expect(r.code, show(r)).toBe(0)
    const cid = r.stdout.trim()
    expect(cgroupFile(cid, 'memory', 'memory.limit_in_bytes')).toBe(String(64 << 20))
    expect(cgroupFile(cid, 'cpu', 'cpu.cfs_quota_us')).toBe('50000')
    expect(cgroupFile(cid, 'cpu', 'cpu.shares')).toBe('512')
    expect(cgroupFile(cid, 'cpuset', 'cpuset.cpus')).toBe('0')
    expect(cgroupFile(cid, 'pids', 'pids.max')).toBe('50')
    const hc = (await t.inspect('lim')).HostConfig
    expect(hc).toMatchObject({ Memory: 64 << 20, MemorySwap: 128 << 20, NanoCpus: 5e8, PidsLimit: 50, CpuShares: 512, CpusetCpus: '0' })
  })

  it('update changes a running container, and inspect follows', async () => {
    const r = await t.run(['update', '--memory', '128m', '--cpus', '1', 'lim'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout.trim()).toBe('lim')
    const cid = await id('lim')
    expect(cgroupFile(cid, 'memory', 'memory.limit_in_bytes')).toBe(String(128 << 20))
    expect(cgroupFile(cid, 'cpu', 'cpu.cfs_quota_us')).toBe('100000')
    expect((await t.inspect('lim')).HostConfig).toMatchObject({ Memory: 128 << 20, NanoCpus: 1e9, PidsLimit: 50 })
  })

  it('the cgroup goes with the container', async () => {
    const cid = await id('lim')
    await t.ok(['rm', '-f', 'lim'])
    expect(cgroupDirsFor(cid)).toEqual([])
  })
})

describe('memory', () => {
  it('a hog is OOM-killed: exit 137 and OOMKilled true', async () => {
    const r = await t.run(['run', '--name', 'hog', '--memory', '16m', 'demo:1', 'sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done'], { timeout: 60_000 })
    expect(r.code, show(r)).toBe(137)
    const s = (await t.inspect('hog')).State
    expect(s.OOMKilled).toBe(true)
    expect(s.ExitCode).toBe(137)
    await t.ok(['rm', 'hog'])
  })

  it('a container under its limit is not marked OOMKilled', async () => {
    const r = await t.run(['run', '--name', 'calm', '--memory', '64m', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
    expect((await t.inspect('calm')).State.OOMKilled).toBe(false)
    await t.ok(['rm', 'calm'])
  })
})

describe('pids', () => {
  it('a fork bomb stays within --pids-limit and the host keeps working', async () => {
    const r = await t.run(['run', '-d', '--name', 'bomb', '--pids-limit', '30', 'demo:1', 'sh', '-c', 'b() { b | b & }; b; exec sleep 1000'])
    expect(r.code, show(r)).toBe(0)
    const cid = r.stdout.trim()
    // The bomb fills its quota...
    await waitFor(() => Number(cgroupFile(cid, 'pids', 'pids.current')) >= 25, 'the bomb to reach the limit')
    await sleep(500)
    expect(Number(cgroupFile(cid, 'pids', 'pids.current'))).toBeLessThanOrEqual(30)
    // ...and another container still starts and runs.
    const other = await t.run(['run', '--rm', 'demo:1', 'echo', 'still fine'])
    expect(other.code, show(other)).toBe(0)
    expect(other.stdout).toBe('still fine\n')
    const rm = await t.run(['rm', '-f', 'bomb'], { timeout: 60_000 })
    expect(rm.code, show(rm)).toBe(0)
    expect(cgroupDirsFor(cid)).toEqual([])
  })
})

describe('cpu', () => {
  it('--cpus 0.5 holds a busy loop near half a CPU', async () => {
    const r = await t.run(['run', '-d', '--name', 'busy', '--cpus', '0.5', 'demo:1', 'sh', '-c', 'while :; do :; done'])
    expect(r.code, show(r)).toBe(0)
    const cid = r.stdout.trim()
    const usage = () => Number(cgroupFile(cid, 'cpuacct', 'cpuacct.usage'))
    await sleep(500)
    const [u0, t0] = [usage(), process.hrtime.bigint()]
    await sleep(3000)
    const [u1, t1] = [usage(), process.hrtime.bigint()]
    const share = (u1 - u0) / Number(t1 - t0)
    // Quota: at most 0.5 CPU (plus one period of slack); the loop keeps it busy.
    expect(share).toBeLessThan(0.65)
    expect(share).toBeGreaterThan(0.15)
    await t.ok(['rm', '-f', 'busy'])
  })
})

describe('bad input: one line, 125, nothing made', () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--rm', '--memory', '12q', 'demo:1', 'true'], /^Error: invalid value "12q" for --memory: expected a size like 64m/],
    [['run', '--rm', '--cpus', '-1', 'demo:1', 'true'], /^Error: invalid value "-1" for --cpus: the range is 0\.01 to/],
    [['run', '--rm', '--memory', '1m', 'demo:1', 'true'], /^Error: invalid value "1m" for --memory: the minimum is 6m/],
    [['run', '--rm', '--memory', '64m', '--memory-swap', '32m', 'demo:1', 'true'], /^Error: invalid value "32m" for --memory-swap: it counts memory plus swap/],
    [['create', '--cpuset-cpus', '0-99', 'demo:1', 'true'], /^Error: invalid value "0-99" for --cpuset-cpus: this host has CPUs 0-/],
  ]
  for (const [args, message] of cases) {
    it(args.slice(1, -2).join(' '), async () => {
      const r = await t.run(args)
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(await t.psJson()).toEqual([])
    })
  }

  it('update of an unknown container, and with no limit', async () => {
    const r = await t.run(['update', '--memory', '64m', 'nosuch'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: No such container: nosuch\n')
    await t.ok(['create', '--name', 'idle', 'demo:1', 'true'])
    const n = await t.run(['update', 'idle'])
    expect(n.code).toBe(125)
    expect(n.stderr).toMatch(/^Error: update needs at least one limit/)
    const bad = await t.run(['update', '--memory', '12q', 'idle'])
    expect(bad.code).toBe(125)
    expect((await t.inspect('idle')).HostConfig.Memory).toBe(0)
    await t.ok(['rm', 'idle'])
  })
})
