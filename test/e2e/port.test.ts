// Issue 10: `tsrun port` (and `container port`), as docker port for a
// container with no published ports (tsrun publishes none yet): nothing and
// exit 0, or docker's "No public port" error and exit 1 for a port asked for.
import { describe, expect, it } from 'vitest'
import { show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('tsrun port', () => {
  it('prints nothing and exits 0 for a container without published ports, running or not', async () => {
    await t.ok(['create', '--name', 'p1', 'demo:1', 'true'])
    for (const args of [['port', 'p1'], ['container', 'port', 'p1']]) {
      const r = await t.run(args)
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout + r.stderr).toBe('')
    }
    await t.ok(['run', '-d', '--name', 'p2', 'demo:1', 'sleep', '300'])
    try {
      const r = await t.run(['port', 'p2'])
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout).toBe('')
    } finally {
      await t.run(['rm', '-f', 'p2'])
    }
  })

  it("names the port asked for, tcp by default, in docker's words, and exits 1", async () => {
    const cases: Array<[string, string]> = [['80', '80/tcp'], ['53/udp', '53/udp'], ['443/TCP', '443/tcp']]
    for (const [arg, key] of cases) {
      const r = await t.run(['port', 'p1', arg])
      expect(r.code, show(r)).toBe(1)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`Error: No public port '${key}' published for p1\n`)
    }
  })

  it('refuses a port that is not one, and a container that does not exist, with 125', async () => {
    for (const arg of ['http', '70000', '80/xyz']) {
      const r = await t.run(['port', 'p1', arg])
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toMatch(/^Error: invalid (port|protocol) /)
    }
    const r = await t.run(['port', 'no-such', '80'])
    expect(r.code).toBe(125)
    expect(r.stderr).toMatch(/No such container: no-such/)
  })
})
