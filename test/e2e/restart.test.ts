// Restart policies carried out by the container's monitor (no daemon).
import { describe, expect, it } from 'vitest'
import { lines, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function state(name: string): Promise<{ status: string; restarts: number; code: number }> {
  const i = await t.inspect(name)
  return { status: i.State.Status, restarts: i.RestartCount, code: i.State.ExitCode }
}

describe('--restart', () => {
  it('on-failure:2 restarts a failing container exactly twice, then leaves it exited', async () => {
    await t.ok(['run', '-d', '--name', 'of', '--restart', 'on-failure:2', 'demo:1', 'sh', '-c', 'echo attempt; exit 3'])
    const code = await t.run(['wait', 'of'])
    expect(code.stdout.trim(), show(code)).toBe('3')
    expect(await state('of')).toEqual({ status: 'exited', restarts: 2, code: 3 })
    expect(lines((await t.ok(['logs', 'of'])).stdout)).toEqual(['attempt', 'attempt', 'attempt'])
    const i = await t.inspect('of')
    expect(i.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 })
  })

  it('on-failure does not restart a container that succeeded', async () => {
    await t.ok(['run', '-d', '--name', 'ok', '--restart', 'on-failure', 'demo:1', 'true'])
    expect((await t.ok(['wait', 'ok'])).stdout.trim()).toBe('0')
    expect(await state('ok')).toEqual({ status: 'exited', restarts: 0, code: 0 })
  })

  it('always survives its process dying, and stop does not restart it', async () => {
    await t.ok(['run', '-d', '--name', 'al', '--restart', 'always', 'demo:1', 'sh', '-c', 'echo up; sleep 0.3'])
    await waitFor(async () => (await state('al')).restarts >= 2, 'two restarts')
    expect((await state('al')).status).toMatch(/running|restarting/)
    await t.ok(['stop', '-t', '2', 'al'])
    const after = await state('al')
    expect(after.status).toBe('exited')
    // The monitor is gone with it: nothing can start it again.
    const ps = await t.psJson()
    expect(ps.find((c) => c.Names === 'al')?.State).toBe('exited')
    expect((await t.inspect('al')).State.Pid).toBe(0)
    expect((await state('al')).restarts).toBe(after.restarts)
  })

  it('kill does not restart an always container either, and start brings it back under its policy', async () => {
    await t.ok(['run', '-d', '--name', 'kk', '--restart', 'always', 'demo:1', 'sleep', '60'])
    await t.ok(['kill', 'kk'])
    expect((await t.ok(['wait', 'kk'])).stdout.trim()).toBe('137')
    expect((await state('kk')).status).toBe('exited')
    await t.ok(['start', 'kk'])
    expect((await state('kk')).status).toBe('running')
    await t.ok(['rm', '-f', 'kk'])
  })

  it('a foreground run ends with its container', async () => {
    const r = await t.run(['run', '--name', 'fg', '--restart', 'on-failure:3', 'demo:1', 'sh', '-c', 'exit 5'])
    expect(r.code, show(r)).toBe(5)
    expect((await state('fg')).restarts).toBe(0)
  })
})

describe('generate systemd', () => {
  it('prints a unit that starts and stops the container with tsrun', async () => {
    await t.ok(['create', '--name', 'unit', '--restart', 'unless-stopped', 'demo:1', 'sleep', '60'])
    const id = (await t.inspect('unit')).Id
    const u = (await t.ok(['generate', 'systemd', 'unit'])).stdout
    expect(u).toContain('[Service]')
    expect(u).toContain('Type=forking')
    expect(u).toMatch(new RegExp(`^ExecStart=.*/bin/tsrun start --root ${t.root} ${id}$`, 'm'))
    expect(u).toMatch(new RegExp(`^ExecStop=.*/bin/tsrun stop --root ${t.root} -t 10 ${id}$`, 'm'))
    expect(u).toContain('WantedBy=multi-user.target')
  })
})
