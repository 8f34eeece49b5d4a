// pause / unpause: the freezer stops a counter; state shows in ps and inspect;
// wrong-state requests are one clear line and change nothing.
import { describe, expect, it } from 'vitest'
import { show, sleep } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** The counter the container writes, read through exec. */
async function count(): Promise<number> {
  const r = await t.run(['exec', 'ctr', 'cat', '/tmp/n'])
  return Number(r.stdout.trim())
}

async function logLines(): Promise<number> {
  return (await t.ok(['logs', 'ctr'])).stdout.split('\n').filter(Boolean).length
}

describe('pause freezes a counter', () => {
  it('starts counting', async () => {
    const r = await t.run(['run', '-d', '--name', 'ctr', 'demo:1', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i; echo $i > /tmp/n; sleep 0.1; done'])
    expect(r.code, show(r)).toBe(0)
    await sleep(500)
    expect(await count()).toBeGreaterThan(0)
  })

  it('pause: the count stops and ps / inspect say paused', async () => {
    const p = await t.run(['pause', 'ctr'])
    expect(p.code, show(p)).toBe(0)
    expect(p.stdout).toBe('ctr\n')
    const before = await logLines()
    await sleep(1000)
    expect(await logLines()).toBe(before)
    const s = (await t.inspect('ctr')).State
    expect(s).toMatchObject({ Status: 'paused', Paused: true, Running: true })
    const ps = (await t.psJson()).find((c) => c.Names === 'ctr')
    expect(ps.Status).toMatch(/^Up .* \(Paused\)$/)
    expect(ps.State).toBe('paused')
  })

  it('pause again, exec: clear errors, still paused', async () => {
    const again = await t.run(['pause', 'ctr'])
    expect(again.code).toBe(125)
    expect(again.stderr).toBe('Error: container ctr is already paused\n')
    const ex = await t.run(['exec', 'ctr', 'true'])
    expect(ex.code).toBe(125)
    expect(ex.stderr).toBe('Error: container ctr is paused, unpause the container before exec\n')
    expect((await t.inspect('ctr')).State.Status).toBe('paused')
  })

  it('unpause: counting goes on', async () => {
    const before = await logLines()
    const u = await t.run(['unpause', 'ctr'])
    expect(u.code, show(u)).toBe(0)
    await sleep(600)
    expect(await logLines()).toBeGreaterThan(before)
    expect((await t.inspect('ctr')).State).toMatchObject({ Status: 'running', Paused: false })
  })

  it('unpause of a running container, pause of a stopped one: one line, 125', async () => {
    const u = await t.run(['unpause', 'ctr'])
    expect(u.code).toBe(125)
    expect(u.stderr).toBe('Error: container ctr is not paused\n')
    await t.ok(['create', '--name', 'off', 'demo:1', 'true'])
    const p = await t.run(['pause', 'off'])
    expect(p.code).toBe(125)
    expect(p.stderr).toBe('Error: container off is not running\n')
  })

  it('a paused container can still be removed with rm -f', async () => {
    await t.ok(['pause', 'ctr'])
    const rm = await t.run(['rm', '-f', 'ctr'], { timeout: 30_000 })
    expect(rm.code, show(rm)).toBe(0)
    expect((await t.psJson()).some((c) => c.Names === 'ctr')).toBe(false)
  })
})
