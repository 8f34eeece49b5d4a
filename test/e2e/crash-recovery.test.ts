// A `tsrun create` or `rm` killed half-way leaves a container directory
// without a record (and maybe a name reservation). Nothing lists it, and the
// next call that meets it reclaims it (container-store.ts). A directory
// without even a create marker (made by tsrun versions before markers) is
// swept by the next create once it is old enough to be surely dead.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { cgroupDirsFor, lines, pidsWithCmdline, show, sleep } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { killAfter, killAfterMoment, medianMs, msAfterMoment, spread, type KillOutcome, type Moment } from '../support/kill'
import { halfMade, storeProblems } from '../support/store-check'

const { t } = useRoot()

function plantAbandoned(id: string, name: string, ageMs: number): string {
  const dir = path.join(t.root, 'containers', id)
  fs.mkdirSync(path.join(dir, 'upper', 'etc'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'upper', 'etc', 'half-written'), 'x')
  fs.mkdirSync(path.join(t.root, 'names'), { recursive: true })
  fs.symlinkSync(id, path.join(t.root, 'names', name))
  const then = new Date(Date.now() - ageMs)
  fs.utimesSync(dir, then, then)
  return dir
}

describe('a create that crashed half-way', () => {
  it('is invisible, then swept by the next create once old, and its name is free again', async () => {
    const dir = plantAbandoned('a'.repeat(64), 'ghost', 2 * 60 * 60 * 1000)
    expect((await t.psJson(true)).map((c) => c.Names)).not.toContain('ghost')
    const r = await t.run(['run', '--rm', '--name', 'ghost', 'demo:1', 'echo', 'reborn'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('reborn\n')
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('is left alone while it may still be a create in progress', async () => {
    const dir = plantAbandoned('b'.repeat(64), 'busy', 1000)
    const r = await t.run(['run', '--rm', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(fs.existsSync(dir)).toBe(true)
    const clash = await t.run(['create', '--name', 'busy', 'demo:1', 'true'])
    expect(clash.code, show(clash)).toBe(125)
    expect(clash.stderr).toMatch(/already in use/)
    fs.rmSync(dir, { recursive: true })
    fs.rmSync(path.join(t.root, 'names', 'busy'))
  })
})

describe('what a killed create or rm of this version leaves', () => {
  const containers = () => path.join(t.root, 'containers')
  const ownStartTime = () => fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[19]

  function plantMarked(id: string, name: string, creator: string): string {
    fs.mkdirSync(path.join(containers(), '.creating'), { recursive: true })
    fs.symlinkSync(creator, path.join(containers(), '.creating', id))
    return plantAbandoned(id, name, 0)
  }

  it('a create marker naming a dead process: dir and name are reclaimed at once', async () => {
    // Our own pid with another start time: the pid was reused, the creator is dead.
    const dir = plantMarked('c'.repeat(64), 'halfway', `${process.pid}.1`)
    const r = await t.run(['create', '--name', 'halfway', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(fs.existsSync(dir)).toBe(false)
    expect(fs.existsSync(path.join(containers(), '.creating', 'c'.repeat(64)))).toBe(false)
    await t.ok(['rm', 'halfway'])
  })

  it('a create marker naming a live process: left alone, its name stays taken', async () => {
    const id = 'd'.repeat(64)
    const dir = plantMarked(id, 'inflight', `${process.pid}.${ownStartTime()}`)
    await t.ok(['ps', '-a'])
    const clash = await t.run(['create', '--name', 'inflight', 'demo:1', 'true'])
    expect(clash.code, show(clash)).toBe(125)
    expect(clash.stderr).toMatch(/already in use/)
    expect(fs.existsSync(dir)).toBe(true)
    fs.rmSync(dir, { recursive: true })
    fs.rmSync(path.join(containers(), '.creating', id))
    fs.rmSync(path.join(t.root, 'names', 'inflight'))
  })

  it('a create marker from another pid namespace: its pid means nothing here, so it is left alone', async () => {
    const id = '7'.repeat(64)
    const dir = plantMarked(id, 'foreign', `${process.pid}.1.1`)
    await t.ok(['ps', '-a'])
    expect((await t.run(['create', '--name', 'foreign', 'demo:1', 'true'])).code).toBe(125)
    expect(fs.existsSync(dir)).toBe(true)
    fs.rmSync(dir, { recursive: true })
    fs.rmSync(path.join(containers(), '.creating', id))
    fs.rmSync(path.join(t.root, 'names', 'foreign'))
  })

  it('the tombstone of a killed rm: the next ps -a deletes it and frees the name', async () => {
    const id = 'e'.repeat(64)
    const tomb = path.join(containers(), '.removing', id)
    fs.mkdirSync(path.join(tomb, 'bundle'), { recursive: true })
    fs.writeFileSync(path.join(tomb, 'container.json'), JSON.stringify({ id, name: 'buried' }))
    fs.mkdirSync(path.join(t.root, 'names'), { recursive: true })
    fs.symlinkSync(id, path.join(t.root, 'names', 'buried'))
    expect((await t.psJson()).map((c) => c.Names)).not.toContain('buried')
    expect(fs.existsSync(tomb)).toBe(false)
    expect(fs.existsSync(path.join(t.root, 'names', 'buried'))).toBe(false)
  })

  it('a volume made by a create that died: removed by the next call taking the volumes lock', async () => {
    const dir = path.join(t.root, 'volumes', 'orphaned')
    fs.mkdirSync(path.join(dir, '_data'), { recursive: true })
    const record = { name: 'orphaned', driver: 'local', options: {}, labels: {}, mountpoint: path.join(dir, '_data'), createdAt: new Date().toISOString(), anonymous: true }
    fs.writeFileSync(path.join(dir, 'volume.json'), JSON.stringify({ ...record, createdFor: 'a'.repeat(64) }))
    const halfDir = path.join(t.root, 'volumes', 'halfmade')
    fs.mkdirSync(path.join(halfDir, '_data'), { recursive: true })
    expect(lines((await t.ok(['volume', 'ls', '-q'])).stdout)).toEqual(['orphaned'])
    await t.ok(['volume', 'create', 'fresh'])
    expect(lines((await t.ok(['volume', 'ls', '-q'])).stdout)).toEqual(['fresh'])
    expect(fs.existsSync(dir) || fs.existsSync(halfDir)).toBe(false)
    await t.ok(['volume', 'rm', 'fresh'])
  })

  it('an anonymous volume kept by rm (no -v) is the user\'s: never taken for a leftover', async () => {
    await t.ok(['run', '-d', '--name', 'keeper', '-v', '/data', 'demo:1', 'sleep', '1000'])
    const [vol] = lines((await t.ok(['volume', 'ls', '-q'])).stdout)
    await t.ok(['rm', '-f', 'keeper'])
    await t.ok(['volume', 'create', 'other'])
    expect(lines((await t.ok(['volume', 'ls', '-q'])).stdout).sort()).toEqual([vol, 'other'].sort())
    await t.ok(['volume', 'rm', vol, 'other'])
  })

  it('a stale name wanted by several creates at once: exactly one gets it', async () => {
    fs.mkdirSync(path.join(t.root, 'names'), { recursive: true })
    for (let round = 0; round < 3; round++) {
      fs.symlinkSync('9'.repeat(64), path.join(t.root, 'names', 'contested'))
      const results = await Promise.all(Array.from({ length: 5 }, () => t.run(['create', '--name', 'contested', 'demo:1', 'true'], { timeout: 60_000 })))
      expect(results.map((r) => r.code).sort(), results.map(show).join('\n')).toEqual([0, 125, 125, 125, 125])
      expect((await t.psJson()).filter((c) => c.Names === 'contested')).toHaveLength(1)
      await t.ok(['rm', 'contested'])
    }
  })

  it('a name whose container is gone: rm -f says no such container and frees it', async () => {
    fs.mkdirSync(path.join(t.root, 'names'), { recursive: true })
    fs.symlinkSync('f'.repeat(64), path.join(t.root, 'names', 'dangling'))
    const r = await t.run(['rm', '-f', 'dangling'])
    expect(r.stderr).toMatch(/No such container: dangling/)
    expect(fs.existsSync(path.join(t.root, 'names', 'dangling'))).toBe(false)
  })
})

// The same, with no planting: real `tsrun` processes killed with SIGKILL,
// at moments spread over how long each call takes, and at moments spread
// over the narrow stretch where a crash used to hurt, seen from outside
// through inotify: from a create's mkdir to its end, from a removal's first
// change of the record to its end. After every kill the listings must
// agree with the disk and the rerun must work: the name is free or its
// container is whole.
const SPREAD_KILLS = 8
const WINDOW_KILLS = 4
/** Each kill costs a few tsrun calls (~1 s on a loaded 2-core machine). */
const KILL_TEST_TIMEOUT = 240_000

/** Containers dir entries and name links left at the end (there should be none). */
function storeLeftovers(): string[] {
  const left: string[] = []
  for (const sub of ['containers', 'containers/.creating', 'containers/.removing', 'names']) {
    let names: string[] = []
    try {
      names = fs.readdirSync(path.join(t.root, sub))
    } catch {
      /* none */
    }
    left.push(...names.filter((n) => !n.startsWith('.')).map((n) => `${sub}/${n}`))
  }
  return left
}

/** The store agrees with `ps -a` (which reclaims); answers the names `ps -a` lists. */
async function expectConsistent(after: string): Promise<string[]> {
  const { problems, listed } = await storeProblems(t)
  expect(problems, after).toEqual([])
  return [...listed.containers.values()]
}

/** A new container directory appears (mkdir by create: its record comes last). */
function containerDirAppears(): Moment {
  const dir = path.join(t.root, 'containers')
  fs.mkdirSync(dir, { recursive: true })
  const before = new Set(fs.readdirSync(dir))
  return { dir, seen: () => fs.readdirSync(dir).some((e) => !e.startsWith('.') && !before.has(e)) }
}

/** The record of the one container there is leaves `containers/<id>/` (rm has begun forgetting it). */
function recordLeaves(): Moment {
  const containers = path.join(t.root, 'containers')
  const id = fs.readdirSync(containers).find((e) => !e.startsWith('.'))!
  const dir = path.join(containers, id)
  return { dir, seen: () => !fs.existsSync(path.join(dir, 'container.json')) }
}

/**
 * The kills for one call: `SPREAD_KILLS` over its whole duration, then
 * `WINDOW_KILLS` over the time from `moment` to its end. `setup` runs before
 * every call (and every kill), `undo` after each measured one.
 */
async function killPlan(args: string[], undo: () => Promise<unknown>, setup: () => Promise<unknown>, moment: () => Moment) {
  await setup()
  const duration = await medianMs(() => t.ok(args), async () => {
    await undo()
    await setup()
  })
  const window = await msAfterMoment(t, args, moment())
  await undo()
  const kills: { label: string; run: () => Promise<KillOutcome> }[] = []
  for (const d of spread(duration, SPREAD_KILLS)) kills.push({ label: `${d} ms after the start`, run: () => killAfter(t, args, d) })
  for (const d of spread(window, WINDOW_KILLS)) kills.push({ label: `${d} ms after the moment`, run: () => killAfterMoment(t, args, moment(), d) })
  return { duration, window, kills }
}

describe('kill -9 at any moment of create, run -d and rm -f', () => {
  it('create --name: nothing half-made survives the next call, and the rerun gets the name', async () => {
    const args = ['create', '--name', 'crashy', 'demo:1', 'echo', 'whole']
    const plan = await killPlan(args, () => t.ok(['rm', 'crashy']), async () => {}, containerDirAppears)
    let caught = 0
    for (const kill of plan.kills) {
      const k = await kill.run()
      if (halfMade(t.root).length) caught++
      if ((await expectConsistent(`after create killed ${kill.label}`)).includes('crashy')) {
        // Killed after the record: a whole container, ready to start.
        expect(k.killed || k.code === 0).toBe(true)
        expect((await t.ok(['start', '-a', 'crashy'])).stdout).toBe('whole\n')
        await t.ok(['rm', 'crashy'])
      }
      const again = await t.run(args)
      expect(again.code, `rerun after a kill ${kill.label}\n${show(again)}`).toBe(0)
      await t.ok(['rm', 'crashy'])
    }
    console.log(`create --name: ${plan.kills.length} kills (${Math.round(plan.duration)} ms a call, ${plan.window.toFixed(1)} ms from mkdir to the end), ${caught} left a half-made container`)
    await t.ok(['ps', '-a'])
    expect(storeLeftovers()).toEqual([])
  }, KILL_TEST_TIMEOUT)

  it('run -d --name: a container is whole or gone, and rm -f of it leaves no process or cgroup', async () => {
    const args = ['run', '-d', '--name', 'crashrun', 'demo:1', 'sleep', '1000']
    const plan = await killPlan(args, () => t.ok(['rm', '-f', 'crashrun']), async () => {}, containerDirAppears)
    const ids = new Set<string>()
    let caught = 0
    for (const kill of plan.kills) {
      await kill.run()
      const half = halfMade(t.root)
      if (half.length) caught++
      for (const d of half) ids.add(/[0-9a-f]{64}/.exec(d)?.[0] ?? '')
      if ((await expectConsistent(`after run -d killed ${kill.label}`)).includes('crashrun')) {
        const c = await t.inspect('crashrun')
        expect(['created', 'running']).toContain(c.State.Status)
        ids.add(c.Id)
        await t.ok(['rm', '-f', 'crashrun'])
      }
      const again = await t.run(args)
      expect(again.code, `rerun after a kill ${kill.label}\n${show(again)}`).toBe(0)
      ids.add(again.stdout.trim())
      await t.ok(['rm', '-f', 'crashrun'])
    }
    console.log(`run -d --name: ${plan.kills.length} kills (${Math.round(plan.duration)} ms a call, ${plan.window.toFixed(1)} ms from mkdir to the end), ${caught} left a half-made container`)
    ids.delete('')
    for (const id of ids) {
      expect(cgroupDirsFor(id), id).toEqual([])
      expect(pidsWithCmdline(id), id).toEqual([])
    }
    await t.ok(['ps', '-a'])
    expect(storeLeftovers()).toEqual([])
  }, KILL_TEST_TIMEOUT)

  it('rm -f: the container is still there to remove again, or gone with its name free', async () => {
    const start = () => t.ok(['run', '-d', '--name', 'victim', 'demo:1', 'sleep', '1000'])
    const plan = await killPlan(['rm', '-f', 'victim'], async () => {}, start, recordLeaves)
    let caught = 0
    for (const kill of plan.kills) {
      const id = (await start()).stdout.trim()
      await kill.run()
      const half = halfMade(t.root).length > 0
      const stillThere = (await t.psJson()).find((c) => c.Names === 'victim')
      // Half-removed: killed between killing the container and forgetting it, or after.
      if (half || stillThere?.State === 'exited') caught++
      if ((await expectConsistent(`after rm -f killed ${kill.label}`)).includes('victim')) {
        const again = await t.run(['rm', '-f', 'victim'])
        expect(again.code, `rm -f again after a kill ${kill.label}\n${show(again)}`).toBe(0)
      }
      // The name is free at once, not after an hour.
      const reuse = await t.run(['create', '--name', 'victim', 'demo:1', 'true'])
      expect(reuse.code, `create --name victim after rm -f killed ${kill.label}\n${show(reuse)}`).toBe(0)
      await t.ok(['rm', 'victim'])
      expect(cgroupDirsFor(id), id).toEqual([])
      expect(pidsWithCmdline(id), id).toEqual([])
    }
    console.log(`rm -f: ${plan.kills.length} kills (${Math.round(plan.duration)} ms a call, ${plan.window.toFixed(1)} ms from the record leaving to the end), ${caught} left a half-removed container`)
    expect(storeLeftovers()).toEqual([])
  }, KILL_TEST_TIMEOUT)

  it('run -v /data: the anonymous volume of a killed create goes with it; so does a killed volume create', async () => {
    const args = ['run', '-d', '--name', 'withvol', '-v', '/data', 'demo:1', 'sleep', '1000']
    const volumesAppear = (): Moment => {
      const dir = path.join(t.root, 'volumes')
      fs.mkdirSync(dir, { recursive: true })
      return { dir, seen: () => fs.readdirSync(dir).length > 0 }
    }
    const plan = await killPlan(args, () => t.ok(['rm', '-f', '-v', 'withvol']), async () => {}, volumesAppear)
    let orphans = 0
    for (const kill of plan.kills) {
      await kill.run()
      const names = await expectConsistent(`after run -v killed ${kill.label}`)
      if (names.includes('withvol')) await t.ok(['rm', '-f', '-v', 'withvol'])
      else if (lines((await t.ok(['volume', 'ls', '-q'])).stdout).length) orphans++
      // The rerun takes the volumes lock: whatever the killed create made is reclaimed first.
      const again = await t.run(args)
      expect(again.code, `rerun after a kill ${kill.label}\n${show(again)}`).toBe(0)
      const vols = lines((await t.ok(['volume', 'ls', '-q'])).stdout)
      expect(vols, `volumes after the rerun (kill ${kill.label})`).toHaveLength(1)
      expect((await t.inspect('withvol')).Mounts.map((m: { Name: string }) => m.Name)).toEqual(vols)
      await t.ok(['rm', '-f', '-v', 'withvol'])
    }
    console.log(`run -v /data: ${plan.kills.length} kills, ${orphans} left a volume without its container`)
    for (const delay of spread(await medianMs(() => t.ok(['volume', 'create', 'v1']), () => t.ok(['volume', 'rm', 'v1'])), SPREAD_KILLS)) {
      await killAfter(t, ['volume', 'create', 'v1'], delay)
      await expectConsistent(`after volume create killed at ${delay} ms`)
      await t.ok(['volume', 'create', 'v1'])
      await t.ok(['volume', 'rm', 'v1'])
      expect(fs.readdirSync(path.join(t.root, 'volumes')), `volume create killed at ${delay} ms`).toEqual([])
    }
    expect(storeLeftovers()).toEqual([])
  }, KILL_TEST_TIMEOUT)

  it('a live create, stopped mid-way, is not taken for a dead one', async () => {
    const args = ['create', '--name', 'frozen', 'demo:1', 'echo', 'thawed']
    const duration = await medianMs(() => t.ok(args), () => t.ok(['rm', 'frozen']))
    for (const delay of spread(duration, 6)) {
      const child = t.spawn(args)
      let stderr = ''
      child.stdout!.resume()
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
      await sleep(delay)
      child.kill('SIGSTOP')
      // Everything that reclaims runs while it is stopped mid-way.
      await t.ok(['ps', '-a'])
      const rival = await t.run(['create', '--name', 'frozen', 'demo:1', 'echo', 'rival'])
      await t.ok(['volume', 'ls'])
      child.kill('SIGCONT')
      const code = await exited
      // Exactly one of the two got the name, and the loser says so.
      expect([code, rival.code].sort(), `stopped at ${delay} ms: ${stderr}\n${show(rival)}`).toEqual([0, 125])
      expect(code === 0 ? rival.stderr : stderr).toMatch(/already in use/)
      const out = (await t.ok(['start', '-a', 'frozen'])).stdout
      expect(out).toBe(code === 0 ? 'thawed\n' : 'rival\n')
      await t.ok(['rm', 'frozen'])
    }
    expect(storeLeftovers()).toEqual([])
  }, KILL_TEST_TIMEOUT)
})
