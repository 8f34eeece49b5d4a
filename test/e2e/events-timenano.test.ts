// `events` writes `timeNano` exactly: Docker's events.Message has it as an
// int64 (moby api/types/events), which is above 2^53 and so cannot pass
// through a JavaScript number (issue 10: it came out rounded to 256 ns).
import { describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { lines } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** No double holds it: doubles near 1.8e18 are multiples of 256. */
const ODD_NANO = '1796124560225986699'

describe('events: timeNano as an exact int64', () => {
  it('a journal line is printed with its own digits by --format json, {{.TimeNano}} and the text format', async () => {
    const line = `{"Type":"container","Action":"probe","Actor":{"ID":"${'a'.repeat(64)}","Attributes":{"name":"probe","image":"demo:1"}},"time":1796124560,"timeNano":${ODD_NANO}}\n`
    fs.appendFileSync(path.join(t.root, 'events.log'), line)
    const since = ['events', '--since', '1796124500', '--until', '1796124600', '--filter', 'event=probe']
    const json = await t.ok([...since, '--format', 'json'])
    expect(json.stdout).toContain(`"time":1796124560,"timeNano":${ODD_NANO}}`)
    expect((await t.ok([...since, '--format', '{{.TimeNano}} {{.Time}}'])).stdout).toBe(`${ODD_NANO} 1796124560\n`)
    expect((await t.ok(since)).stdout).toMatch(new RegExp(`^2026-12-01T\\d\\d:\\d\\d:\\d\\d\\.${ODD_NANO.slice(-9)}Z container probe a{64} `))
  })

  it("the engine's own events carry nanoseconds that agree with time and with the journal", async () => {
    await t.ok(['run', '--rm', '--name', 'tick', 'demo:1', 'true'])
    const r = await t.ok(['events', '--since', '10m', '--until', '0s', '--filter', 'container=tick', '--format', 'json'])
    const events = lines(r.stdout)
    expect(events.length).toBeGreaterThanOrEqual(3)
    const journal = fs.readFileSync(path.join(t.root, 'events.log'), 'utf8')
    for (const e of events) {
      const nano = /"timeNano":(\d+)}$/.exec(e)![1]
      expect(String(JSON.parse(e).time)).toBe(nano.slice(0, -9))
      expect(journal).toContain(`"timeNano":${nano}}`)
    }
  })
})
