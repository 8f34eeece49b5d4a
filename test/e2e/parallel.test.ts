// Concurrent tsrun calls on one root: atomic state, per-resource locks.
import { describe, expect, it } from 'vitest'
import { busyboxRootfs, HEX64, lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('20 concurrent run -d', () => {
  const ids: string[] = []

  it('all succeed with distinct ids and names; ps -a lists 20', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.run(['run', '-d', 'demo:1', 'sleep', '1000'], { timeout: 110_000 })),
    )
    for (const r of results) {
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout.trim()).toMatch(HEX64)
      ids.push(r.stdout.trim())
    }
    expect(new Set(ids).size).toBe(20)

    const ps = await t.psJson()
    expect(ps).toHaveLength(20)
    expect(new Set(ps.map((c) => c.Names)).size).toBe(20)
    for (const c of ps) {
      expect(c.State).toBe('running')
      expect(ids.some((id) => id.startsWith(c.ID))).toBe(true)
    }
    const q = lines((await t.ok(['ps', '-aq', '--no-trunc'])).stdout)
    expect(q.sort()).toEqual([...ids].sort())
  }, 120_000)

  it('an ambiguous id prefix is refused, naming the problem', async () => {
    // 20 ids over 16 hex digits: some first digit is shared
    const byFirst = new Map<string, string[]>()
    for (const id of ids) byFirst.set(id[0], [...(byFirst.get(id[0]) ?? []), id])
    const [prefix] = [...byFirst.entries()].find(([, v]) => v.length > 1)!
    const r = await t.run(['inspect', prefix])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/multiple|ambiguous|more than one/i)
    // inspect of several at once gives them all, in order
    const two = await t.ok(['inspect', ids[0], ids[1].slice(0, 12)])
    expect(JSON.parse(two.stdout).map((c: any) => c.Id)).toEqual([ids[0], ids[1]])
  })

  it('20 concurrent rm -f all succeed and ps -a is empty', async () => {
    const results = await Promise.all(ids.map((id) => t.run(['rm', '-f', id], { timeout: 110_000 })))
    for (const r of results) expect(r.code, show(r)).toBe(0)
    expect(await t.psJson()).toEqual([])
  }, 120_000)
})

describe('concurrent names', () => {
  it('20 named containers at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.run(['run', '-d', '--name', `p${i}`, 'demo:1', 'sleep', '1000'], { timeout: 110_000 })),
    )
    for (const r of results) expect(r.code, show(r)).toBe(0)
    const names = (await t.psJson()).map((c) => c.Names).sort()
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `p${i}`).sort())
    const rm = await t.run(['rm', '-f', ...names], { timeout: 110_000 })
    expect(rm.code, show(rm)).toBe(0)
  }, 120_000)

  it('the same name requested 6 times at once: exactly one wins, the rest fail 125', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.run(['run', '-d', '--name', 'contested', 'demo:1', 'sleep', '1000'], { timeout: 110_000 })),
    )
    const won = results.filter((r) => r.code === 0)
    const lost = results.filter((r) => r.code !== 0)
    expect(won.length, results.map(show).join('\n')).toBe(1)
    for (const r of lost) {
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toMatch(/already in use/i)
    }
    const ps = await t.psJson()
    expect(ps.filter((c) => c.Names === 'contested')).toHaveLength(1)
    expect(ps).toHaveLength(1)
    await t.ok(['rm', '-f', 'contested'])
  }, 120_000)
})

describe('concurrent foreground runs and imports', () => {
  it('10 foreground runs each get their own output and code', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.run(['run', '--rm', 'demo:1', 'sh', '-c', `echo out-${i}; exit ${i}`], { timeout: 110_000 })),
    )
    results.forEach((r, i) => {
      expect(r.code, show(r)).toBe(i)
      expect(r.stdout).toBe(`out-${i}\n`)
    })
    expect(await t.psJson()).toEqual([])
  }, 120_000)

  it('5 imports at once all land', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => t.run(['import', busyboxRootfs(), `par:${i}`], { timeout: 110_000 })),
    )
    for (const r of results) expect(r.code, show(r)).toBe(0)
    const tags = (await t.imagesJson()).filter((o) => o.Repository === 'par').map((o) => o.Tag).sort()
    expect(tags).toEqual(['0', '1', '2', '3', '4'])
    const run = await t.run(['run', '--rm', 'par:3', 'echo', 'ok'])
    expect(run.stdout).toBe('ok\n')
  }, 120_000)

  it('runs while images are removed and imported do not corrupt the store', async () => {
    const work = await Promise.all([
      t.run(['rmi', 'par:0'], { timeout: 110_000 }),
      t.run(['run', '--rm', 'par:1', 'true'], { timeout: 110_000 }),
      t.run(['import', busyboxRootfs(), 'par:5'], { timeout: 110_000 }),
      t.run(['rmi', 'par:2'], { timeout: 110_000 }),
      t.run(['run', '--rm', 'demo:1', 'true'], { timeout: 110_000 }),
    ])
    for (const r of work) expect(r.code, show(r)).toBe(0)
    const tags = (await t.imagesJson()).filter((o) => o.Repository === 'par').map((o) => o.Tag).sort()
    expect(tags).toEqual(['1', '3', '4', '5'])
  }, 120_000)
})
