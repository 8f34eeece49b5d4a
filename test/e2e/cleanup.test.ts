// --rm and rm leave nothing behind: no mount, no cgroup, no process, no directory.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  cgroupDirsFor, hostMountsMentioning, lines, pidStartTime, pidsWithCmdline, processAlive, show, waitFor,
} from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** Everything the spec says must be gone for container `id` (full or 12-char short id). */
function leftovers(id: string): string[] {
  const found: string[] = []
  for (const m of hostMountsMentioning(id)) found.push(`mount: ${m}`)
  for (const cg of cgroupDirsFor(id)) found.push(`cgroup: ${cg}`)
  for (const p of pidsWithCmdline(id)) found.push(`process ${p}: ${fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')}`)
  let dirs: string[] = []
  try {
    dirs = fs.readdirSync(path.join(t.root, 'containers')).filter((d) => d.startsWith(id))
  } catch {
    /* no containers dir at all */
  }
  for (const d of dirs) found.push(`dir: ${path.join(t.root, 'containers', d)}`)
  return found
}

/** Leftovers anywhere under this root: mounts and runtime directories. */
function rootMounts(): string[] {
  return hostMountsMentioning(t.root)
}

for (const driver of ['overlay', 'bind'] as const) {
  describe(`storage ${driver}`, () => {
    const flag = ['--storage-driver', driver]

    it('run --rm leaves nothing', async () => {
      // the hostname is the short id: that is how we learn the id of a --rm container
      const r = await t.run(['run', '--rm', ...flag, 'demo:1', 'cat', '/etc/hostname'])
      expect(r.code, show(r)).toBe(0)
      const short = r.stdout.trim()
      expect(short).toMatch(/^[0-9a-f]{12}$/)
      expect(leftovers(short)).toEqual([])
      expect(lines((await t.ok(['ps', '-aq'])).stdout)).not.toContain(short)
    })

    it('run --rm of a failing command leaves nothing', async () => {
      const r = await t.run(['run', '--rm', ...flag, 'demo:1', 'sh', '-c', 'cat /etc/hostname; exit 7'])
      expect(r.code, show(r)).toBe(7)
      expect(leftovers(r.stdout.trim())).toEqual([])
    })

    it('run -d --rm leaves nothing once it exits', async () => {
      const id = (await t.ok(['run', '-d', '--rm', ...flag, 'demo:1', 'sh', '-c', 'sleep 1'])).stdout.trim()
      await waitFor(async () => !lines((await t.ok(['ps', '-aq', '--no-trunc'])).stdout).includes(id), 'auto-removal')
      await waitFor(() => leftovers(id).length === 0, `no leftovers of ${id}: ${leftovers(id).join('; ')}`)
      expect(leftovers(id)).toEqual([])
    })

    it('rm -f of a running container kills it and leaves nothing', async () => {
      const id = (await t.ok(['run', '-d', ...flag, 'demo:1', 'sh', '-c', 'sleep 1000 & sleep 1000 & exec sleep 1000'])).stdout.trim()
      const pid = (await t.inspect(id)).State.Pid
      const st = pidStartTime(pid)
      expect(processAlive(pid, st)).toBe(true)
      // a cgroup exists while it runs (so the check below means something)
      const cgs = cgroupDirsFor(id)
      expect(cgs.length).toBeGreaterThan(0)
      // every process of the container (PID 1 and the two background sleeps)
      const procs = new Map<number, string | undefined>()
      await waitFor(() => {
        for (const cg of cgs) {
          try {
            for (const p of lines(fs.readFileSync(path.join(cg, 'cgroup.procs'), 'utf8'))) procs.set(Number(p), pidStartTime(Number(p)))
          } catch {
            /* not every hierarchy lists them */
          }
        }
        return procs.size >= 3
      }, 'three processes in the container cgroup')

      const r = await t.run(['rm', '-f', id])
      expect(r.code, show(r)).toBe(0)
      expect(processAlive(pid, st)).toBe(false)
      for (const [p, s] of procs) expect(processAlive(p, s), `pid ${p} survived`).toBe(false)
      expect(leftovers(id)).toEqual([])
    })

    it('rm of an exited container leaves nothing', async () => {
      const id = (await t.ok(['run', '-d', ...flag, 'demo:1', 'true'])).stdout.trim()
      expect((await t.ok(['wait', id])).stdout).toBe('0\n')
      const r = await t.run(['rm', id])
      expect(r.code, show(r)).toBe(0)
      expect(leftovers(id)).toEqual([])
    })
  })
}

describe('the container dies with its PID 1', () => {
  it('children left behind by PID 1 are killed when it exits', async () => {
    const id = (await t.ok(['run', '-d', 'demo:1', 'sh', '-c', 'sleep 777 & echo started; sleep 1'])).stdout.trim()
    expect((await t.ok(['wait', id])).stdout).toBe('0\n')
    // no `sleep 777` survives on the host
    const orphans = () =>
      pidsWithCmdline('777').filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000777\u0000' && processAlive(p, pidStartTime(p))
        } catch {
          return false
        }
      })
    await waitFor(() => orphans().length === 0, 'no orphan sleep 777', 10_000).catch(() => undefined)
    expect(orphans()).toEqual([])
    await t.ok(['rm', id])
    expect(leftovers(id)).toEqual([])
  })
})

describe('a tsrun call killed midway', () => {
  it('killing a foreground `tsrun run` loses nothing: the container is still tracked and removable', async () => {
    const child = t.spawn(['run', '--name', 'orphaned', 'demo:1', 'sleep', '1000'])
    try {
      await waitFor(async () => (await t.psJson(false)).some((c) => c.Names === 'orphaned'), 'orphaned running')
      child.kill('SIGKILL')
      await new Promise((r) => child.on('exit', r))
      const c = await t.inspect('orphaned')
      expect(['running', 'exited']).toContain(c.State.Status)
      if (c.State.Status === 'running') expect(pidStartTime(c.State.Pid)).toBeDefined()
      const r = await t.run(['rm', '-f', 'orphaned'])
      expect(r.code, show(r)).toBe(0)
      expect(leftovers(c.Id)).toEqual([])
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('SIGKILL of `tsrun stop` does not stop the bookkeeping', async () => {
    await t.ok(['run', '-d', '--name', 'stopkill', 'demo:1', 'sleep', '1000'])
    const child = t.spawn(['stop', '-t', '30', 'stopkill'])
    await new Promise((r) => setTimeout(r, 300))
    child.kill('SIGKILL')
    await new Promise((r) => child.on('exit', r))
    const ps = await t.run(['ps', '-a'])
    expect(ps.code, show(ps)).toBe(0)
    const rm = await t.run(['rm', '-f', 'stopkill'])
    expect(rm.code, show(rm)).toBe(0)
    expect((await t.psJson()).some((c) => c.Names === 'stopkill')).toBe(false)
  })
})

describe('the store after all that', () => {
  it('has no container left and nothing mounted under the root', async () => {
    await t.removeAllContainers()
    expect(lines((await t.ok(['ps', '-aq'])).stdout)).toEqual([])
    expect(rootMounts()).toEqual([])
    let dirs: string[] = []
    try {
      dirs = fs.readdirSync(path.join(t.root, 'containers'))
    } catch {
      /* fine */
    }
    expect(dirs).toEqual([])
  })
})
