// tsrun events: the journal the engine and the monitors append to.
import { describe, expect, it } from 'vitest'
import { lines, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function eventsJson(args: string[]): Promise<any[]> {
  const r = await t.ok(['events', '--since', '10m', '--until', '0s', '--format', 'json', ...args])
  return lines(r.stdout).map((l) => JSON.parse(l))
}

describe('events', () => {
  it('create, start, die, kill, stop, destroy appear in order for a container', async () => {
    await t.ok(['run', '-d', '--name', 'ev', 'demo:1', 'sleep', '60'])
    await t.ok(['stop', '-t', '1', 'ev'])
    await t.ok(['rm', 'ev'])
    const evs = await eventsJson(['--filter', 'container=ev'])
    expect(evs.map((e) => e.Action)).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy'])
    expect(evs.every((e) => e.Type === 'container' && e.Actor.Attributes.name === 'ev')).toBe(true)
    expect(evs.find((e) => e.Action === 'die').Actor.Attributes.exitCode).toBe('137') // sleep as PID 1 ignores SIGTERM: stop ends with SIGKILL
  })

  it('filters by event, and the default format is one readable line', async () => {
    expect((await t.run(['run', '--rm', '--name', 'ev2', 'demo:1', 'sh', '-c', 'exit 7'])).code).toBe(7)
    const dies = await eventsJson(['--filter', 'event=die', '--filter', 'container=ev2'])
    expect(dies).toHaveLength(1)
    expect(dies[0].Actor.Attributes.exitCode).toBe('7')
    const r = await t.ok(['events', '--since', '10m', '--until', '0s', '--filter', 'container=ev2', '--filter', 'event=destroy'])
    expect(lines(r.stdout)).toHaveLength(1)
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z container destroy [0-9a-f]{64} \(image=demo:1, name=ev2\)$/m)
  })

  it('streams live events until interrupted', async () => {
    const child = t.spawn(['events', '--format', '{{.Action}} {{.Actor.Attributes.name}}'])
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
    try {
      await new Promise((r) => setTimeout(r, 1500)) // let it start reading at "now"
      await t.ok(['run', '--rm', '--name', 'live', 'demo:1', 'true'])
      await waitFor(() => out.includes('destroy live'), 'the destroy event')
      expect(lines(out)).toEqual(['create live', 'start live', 'die live', 'destroy live'])
    } finally {
      child.kill('SIGINT')
    }
  })

  it('a bad filter is one line, exit 125', async () => {
    const r = await t.run(['events', '--filter', 'colour=red', '--until', '0s'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: invalid --filter "colour=red": use type=container, event=NAME or container=NAME'])
  })
})
