// Both storage drivers (overlay, bind) and the isolation backend name, chosen by flag or env.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { hostMountsMentioning, lines, show, STACK_TRACE } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
// a failing test must not leave containers behind for the next one
afterEach(() => t.removeAllContainers(), 60_000)

/** The mountinfo line of / as the container sees it. */
async function rootMount(args: string[], env?: Record<string, string>): Promise<{ fstype: string; line: string }> {
  const r = await t.run(['run', '--rm', ...args, 'demo:1', 'cat', '/proc/self/mountinfo'], { env })
  if (r.code !== 0) throw new Error(show(r))
  const line = lines(r.stdout).find((l) => l.split(' ')[4] === '/')!
  expect(line, r.stdout).toBeDefined()
  const after = line.split(' - ')[1].split(' ')
  return { fstype: after[0], line }
}

for (const driver of ['overlay', 'bind'] as const) {
  describe(`--storage-driver ${driver}`, () => {
    const flag = ['--storage-driver', driver]

    it('runs a container', async () => {
      const r = await t.run(['run', '--rm', ...flag, 'demo:1', 'sh', '-c', 'echo $$ && cat /etc/passwd | head -1'])
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout).toBe('1\nroot:x:0:0:root:/root:/bin/sh\n')
    })

    it(`really uses ${driver} for /`, async () => {
      const { fstype, line } = await rootMount(flag)
      if (driver === 'overlay') expect(fstype, line).toBe('overlay')
      else expect(fstype, line).not.toBe('overlay')
    })

    it('is recorded in inspect (GraphDriver.Name)', async () => {
      const c = await t.ok(['create', ...flag, 'demo:1', 'true'])
      const id = c.stdout.trim()
      expect((await t.inspect(id)).GraphDriver.Name).toBe(driver)
      await t.ok(['rm', id])
    })

    it('a container\'s writes and deletes do not reach the image or other containers', async () => {
      const a = await t.run(['run', '--name', `w-${driver}`, ...flag, 'demo:1', 'sh', '-c',
        'echo changed > /etc/motd-test && echo root2:x:0:0::/:/bin/sh >> /etc/passwd && rm /bin/ls && mkdir -p /data && echo d > /data/f && cat /etc/motd-test'])
      expect(a.code, show(a)).toBe(0)
      expect(a.stdout).toBe('changed\n')

      const b = await t.run(['run', '--rm', ...flag, 'demo:1', 'sh', '-c',
        'test -e /etc/motd-test && echo motd; grep -c root2 /etc/passwd; test -e /bin/ls && echo has-ls; test -e /data && echo data; true'])
      expect(b.code, show(b)).toBe(0)
      expect(b.stdout).toBe('0\nhas-ls\n')

      // the other driver does not see them either
      const other = driver === 'overlay' ? 'bind' : 'overlay'
      const c = await t.run(['run', '--rm', '--storage-driver', other, 'demo:1', 'sh', '-c', 'test -e /etc/motd-test && echo motd; test -e /bin/ls && echo has-ls'])
      expect(c.stdout).toBe('has-ls\n')
      await t.ok(['rm', `w-${driver}`])
    })

    it('two running containers have separate filesystems', async () => {
      await t.ok(['run', '-d', '--name', `s1-${driver}`, ...flag, 'demo:1', 'sh', '-c', 'echo one > /tmp/who; sleep 1000'])
      await t.ok(['run', '-d', '--name', `s2-${driver}`, ...flag, 'demo:1', 'sh', '-c', 'echo two > /tmp/who; sleep 1000'])
      try {
        // each container's files are only reachable through that container: read them via /proc/<pid>/root
        const p1 = (await t.inspect(`s1-${driver}`)).State.Pid
        const p2 = (await t.inspect(`s2-${driver}`)).State.Pid
        const read = async (pid: number) => {
          for (let i = 0; i < 100; i++) {
            try {
              return fs.readFileSync(`/proc/${pid}/root/tmp/who`, 'utf8')
            } catch {
              await new Promise((r) => setTimeout(r, 100))
            }
          }
          return 'unreadable'
        }
        expect(await read(p1)).toBe('one\n')
        expect(await read(p2)).toBe('two\n')
      } finally {
        await t.run(['rm', '-f', `s1-${driver}`, `s2-${driver}`])
      }
    })

    it('rm leaves no directory and no mount of the container', async () => {
      const id = (await t.ok(['run', '-d', ...flag, 'demo:1', 'sleep', '1000'])).stdout.trim()
      await t.ok(['rm', '-f', id])
      expect(fs.existsSync(path.join(t.root, 'containers', id))).toBe(false)
      expect(hostMountsMentioning(id)).toEqual([])
    })

    it('the image stays runnable after many containers', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await t.run(['run', '--rm', ...flag, 'demo:1', 'sh', '-c', 'rm -rf /bin/* 2>/dev/null; echo gone'])
        expect(r.code, show(r)).toBe(0)
      }
      const r = await t.run(['run', '--rm', ...flag, 'demo:1', 'ls', '/bin/busybox'])
      expect(r.stdout).toBe('/bin/busybox\n')
    })
  })
}

describe('choosing backends', () => {
  it('TSRUN_STORAGE_DRIVER=bind selects bind; the flag wins over it', async () => {
    const env = { TSRUN_STORAGE_DRIVER: 'bind' }
    const a = await t.run(['create', '--name', 'envbind', 'demo:1', 'true'], { env })
    expect(a.code, show(a)).toBe(0)
    expect((await t.inspect('envbind')).GraphDriver.Name).toBe('bind')
    expect((await rootMount([], env)).fstype).not.toBe('overlay')
    const b = await t.run(['create', '--name', 'flagwins', '--storage-driver', 'overlay', 'demo:1', 'true'], { env })
    expect(b.code, show(b)).toBe(0)
    expect((await t.inspect('flagwins')).GraphDriver.Name).toBe('overlay')
    await t.ok(['rm', 'envbind', 'flagwins'])
  })

  it('overlay is the default', async () => {
    expect((await rootMount([])).fstype).toBe('overlay')
  })

  it('an unknown storage driver is 125 and lists the registered ones', async () => {
    for (const r of [
      await t.run(['run', '--rm', '--storage-driver', 'zfs-nope', 'demo:1', 'true']),
      await t.run(['run', '--rm', 'demo:1', 'true'], { env: { TSRUN_STORAGE_DRIVER: 'zfs-nope' } }),
      await t.run(['create', '--storage-driver', 'zfs-nope', 'demo:1', 'true']),
    ]) {
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toContain('zfs-nope')
      expect(r.stderr).toMatch(/\boverlay\b/)
      expect(r.stderr).toMatch(/\bbind\b/)
      expect(r.stderr).not.toMatch(STACK_TRACE)
    }
    expect((await t.psJson()).length).toBe(0)
  })

  it('--isolation native works; an unknown isolation is 125 listing native', async () => {
    const ok = await t.run(['run', '--rm', '--isolation', 'native', 'demo:1', 'echo', 'native'])
    expect(ok.code, show(ok)).toBe(0)
    expect(ok.stdout).toBe('native\n')
    const ok2 = await t.run(['run', '--rm', 'demo:1', 'echo', 'native'], { env: { TSRUN_ISOLATION: 'native' } })
    expect(ok2.code, show(ok2)).toBe(0)

    for (const r of [
      await t.run(['run', '--rm', '--isolation', 'vm-nope', 'demo:1', 'true']),
      await t.run(['run', '--rm', 'demo:1', 'true'], { env: { TSRUN_ISOLATION: 'vm-nope' } }),
    ]) {
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toContain('vm-nope')
      expect(r.stderr).toMatch(/\bnative\b/)
      expect(r.stderr).not.toMatch(STACK_TRACE)
    }
    expect((await t.psJson()).length).toBe(0)
  })
})
