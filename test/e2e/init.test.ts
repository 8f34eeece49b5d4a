// run --init: tsrun-init (a sealed copy of the shim) is PID 1, reaps
// orphans, forwards signals and passes the exit code on.
import { describe, expect, it } from 'vitest'
import { lines, show, sleep } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** PID 1 execs `sleep`, which never waits: an orphan that exits stays a zombie without an init. */
const ORPHAN = ['sh', '-c', '(sleep 0.2 &); exec sleep 1000']

async function zombies(name: string): Promise<string[]> {
  const r = await t.ok(['exec', name, 'ps', '-o', 'stat,comm'])
  return lines(r.stdout).filter((l) => l.startsWith('Z'))
}

describe('--init', () => {
  it('PID 1 is /sbin/tsrun-init, the command its child', async () => {
    const r = await t.run(['run', '--rm', '--init', 'demo:1', 'ps', '-o', 'pid,args'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^\s*1 \/sbin\/tsrun-init -- ps -o pid,args$/m)
    expect(r.stdout).toMatch(/^\s*\d+ ps -o pid,args$/m)
  })

  it('the init is a sealed copy of the runtime, not a file the container can write', async () => {
    const r = await t.run(['run', '--rm', '--init', 'demo:1', 'sh', '-c', 'readlink /proc/1/exe; echo x >> /proc/1/exe'])
    expect(r.code, show(r)).toBe(1)
    expect(r.stdout.trim()).toBe('/memfd:tsrun-shim (deleted)')
    expect(r.stderr).toMatch(/text file busy|operation not permitted/i)
  })

  it('reaps zombies (and without --init they stay)', async () => {
    await t.ok(['run', '-d', '--name', 'plain', 'demo:1', ...ORPHAN])
    await t.ok(['run', '-d', '--name', 'inited', '--init', 'demo:1', ...ORPHAN])
    await sleep(1000)
    expect(await zombies('plain')).toHaveLength(1)
    expect(await zombies('inited')).toEqual([])
    expect((await t.inspect('inited')).HostConfig.Init).toBe(true)
  })

  it('forwards SIGTERM: stop ends the command well before the timeout', async () => {
    // sleep as PID 1 would ignore SIGTERM (no handler, PID 1); under init it is an ordinary child.
    const r = await t.run(['stop', '-t', '30', 'inited'])
    expect(r.code, show(r)).toBe(0)
    const s = (await t.inspect('inited')).State
    expect(s.ExitCode).toBe(143)
  })

  it('passes the exit code on, and 127 for a missing command', async () => {
    expect((await t.run(['run', '--rm', '--init', 'demo:1', 'sh', '-c', 'exit 5'])).code).toBe(5)
    const nf = await t.run(['run', '--rm', '--init', 'demo:1', 'nosuchcmd'])
    expect(nf.code).toBe(127)
    expect(nf.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH')
  })
})
