// Issue 10, "Commands that are missing": `container prune` and `system
// prune [-a] [--volumes] [-f] [--filter until=]`, as Docker documents them
// (docs.docker.com/reference/cli/docker/container/prune/ and
// .../system/prune/: stopped containers, dangling images or with -a all
// unused ones, anonymous volumes with --volumes; until= takes timestamps or
// durations relative to now; "Total reclaimed space" last).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, show } from '../support/tsrun'
import { afterAll } from 'vitest'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
const tars: string[] = []
afterAll(() => tars.forEach((f) => fs.rmSync(f, { force: true })))

async function ids(t: ReturnType<typeof freshRoot>, ...names: string[]): Promise<string[]> {
  return Promise.all(names.map(async (n) => (await t.ok(['inspect', '-f', '{{.Id}}', n])).stdout.trim()))
}

describe('container prune', () => {
  it('docker container prune: stopped and created containers go, running and paused ones stay; their ids are listed, then the space', async () => {
    const t = freshRoot()
    await t.importDemo()
    await t.ok(['run', '--name', 'done', 'demo:1', 'sh', '-c', 'head -c 100000 /dev/zero > /big'])
    await t.ok(['create', '--name', 'made', 'demo:1', 'true'])
    await t.ok(['run', '-d', '--name', 'up', 'demo:1', 'sleep', '60'])
    await t.ok(['run', '-d', '--name', 'held', 'demo:1', 'sleep', '60'])
    await t.ok(['pause', 'held'])
    const gone = await ids(t, 'done', 'made')
    const r = await t.run(['container', 'prune', '-f'])
    expect(r.code, show(r)).toBe(0)
    const out = r.stdout.split('\n')
    expect(out[0]).toBe('Deleted Containers:')
    expect(out.slice(1, 3).sort()).toEqual(gone.sort())
    expect(out[3]).toBe('')
    // The 100 kB file the first one wrote is part of what was reclaimed.
    expect(out[4]).toMatch(/^Total reclaimed space: (\d{3}(\.\d+)?kB|\d+(\.\d+)?MB)$/)
    expect((await t.psJson()).map((c) => c.Names).sort()).toEqual(['held', 'up'])
    for (const id of gone) expect(fs.existsSync(path.join(t.root, 'containers', id))).toBe(false)
    const again = await t.ok(['container', 'prune', '-f'])
    expect(again.stdout).toBe('Total reclaimed space: 0B\n')
  })

  it('--filter until=: only containers created before then (a duration counts back from now)', async () => {
    const t = freshRoot()
    await t.importDemo()
    await t.ok(['create', '--name', 'old', 'demo:1', 'true'])
    const [old] = await ids(t, 'old')
    const cut = new Date().toISOString()
    await new Promise((r) => setTimeout(r, 50))
    await t.ok(['create', '--name', 'new', 'demo:1', 'true'])
    expect((await t.ok(['container', 'prune', '-f', '--filter', 'until=1h'])).stdout).toBe('Total reclaimed space: 0B\n')
    const r = await t.ok(['container', 'prune', '-f', '--filter', `until=${cut}`])
    expect(lines(r.stdout)).toEqual(['Deleted Containers:', old, expect.stringMatching(/^Total reclaimed space: /)])
    expect((await t.psJson()).map((c) => c.Names)).toEqual(['new'])
  })

  it('a filter it does not take is one line naming the form, 125, and nothing is removed', async () => {
    const t = freshRoot()
    await t.importDemo()
    await t.ok(['create', '--name', 'kept', 'demo:1', 'true'])
    for (const f of ['until=', 'since=1h', 'until=yesterday']) {
      const r = await t.run(['container', 'prune', '-f', '--filter', f])
      expect(r.code, show(r)).toBe(125)
      expect(lines(r.stderr)).toHaveLength(1)
      expect(r.stderr).toMatch(/until/)
    }
    expect((await t.psJson()).map((c) => c.Names)).toEqual(['kept'])
  })
})

describe('system prune', () => {
  it('docker system prune: stopped containers, then dangling images; -a: every image no container uses; running containers and their images stay', async () => {
    const t = freshRoot()
    await t.importDemo('demo:1')
    await t.importDemo('keep:1')
    // A dangling image: an import whose name another image then takes.
    const dangling = (await t.ok(['import', '-', 'spare:1'], { input: fs.readFileSync(await tinyTar()) })).stdout.trim()
    await t.ok(['import', '-', 'spare:1'], { input: fs.readFileSync(await tinyTar('b')) })
    await t.ok(['run', '--name', 'stopped', 'keep:1', 'true'])
    await t.ok(['run', '-d', '--name', 'up', 'demo:1', 'sleep', '60'])
    const stopped = (await ids(t, 'stopped'))[0]
    const r = await t.run(['system', 'prune', '-f'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Deleted Containers:\\n${stopped}\\n\\nDeleted Images:\\ndeleted: ${dangling}\\n\\nTotal reclaimed space: \\S+\\n$`))
    expect((await t.psJson()).map((c) => c.Names)).toEqual(['up'])
    expect((await t.imageSummary()).map((s) => s.split('@')[0]).sort()).toEqual(['demo:1', 'keep:1', 'spare:1'])
    // -a: keep:1 and spare:1 are used by no container now; demo:1 is.
    const all = await t.ok(['system', 'prune', '-a', '-f'])
    expect(lines(all.stdout)[0]).toBe('Deleted Images:')
    expect(lines(all.stdout)).toHaveLength(4)
    expect((await t.imageSummary()).map((s) => s.split('@')[0])).toEqual(['demo:1'])
  })

  it('docker system prune --volumes: anonymous volumes no container uses go too; named ones and ones in use stay', async () => {
    const t = freshRoot()
    await t.importDemo()
    await t.ok(['volume', 'create', 'named'])
    await t.ok(['run', '--name', 'anon', '-v', '/data', 'demo:1', 'true'])
    await t.ok(['run', '-d', '--name', 'user', '-v', '/inuse', 'demo:1', 'sleep', '60'])
    const anon = (await t.inspect('anon')).Mounts[0].Name
    const inuse = (await t.inspect('user')).Mounts[0].Name
    const without = await t.ok(['system', 'prune', '-f'])
    expect(without.stdout).not.toMatch(/Deleted Volumes/)
    const vols = async () => lines((await t.ok(['volume', 'ls', '-q'])).stdout).sort()
    expect(await vols()).toEqual([anon, inuse, 'named'].sort())
    const r = await t.ok(['system', 'prune', '--volumes', '-f'])
    expect(r.stdout).toMatch(new RegExp(`^Deleted Volumes:\\n${anon}\\n\\nTotal reclaimed space: `))
    expect(await vols()).toEqual([inuse, 'named'].sort())
  })

  it('--filter until applies to containers and images; with --volumes it is refused as Docker refuses it', async () => {
    const t = freshRoot()
    await t.importDemo()
    await t.ok(['create', '--name', 'young', 'demo:1', 'true'])
    const r = await t.ok(['system', 'prune', '-a', '-f', '--filter', 'until=1h'])
    expect(r.stdout).toBe('Total reclaimed space: 0B\n')
    const bad = await t.run(['system', 'prune', '--volumes', '-f', '--filter', 'until=1h'])
    expect(bad.code, show(bad)).toBe(125)
    expect(lines(bad.stderr)).toEqual([expect.stringMatching(/^Error: --filter until cannot be used with --volumes/)])
    expect((await t.psJson()).map((c) => c.Names)).toEqual(['young'])
  })
})

/** A one-file rootfs tarball (its content names the image apart). */
async function tinyTar(content = 'a'): Promise<string> {
  const dir = fs.mkdtempSync('/tmp/tsrun-prune-tar-')
  fs.writeFileSync(path.join(dir, 'f'), content)
  const tar = `${dir}.tar`
  const { execFileSync } = await import('node:child_process')
  execFileSync('tar', ['-C', dir, '-cf', tar, 'f'])
  fs.rmSync(dir, { recursive: true })
  tars.push(tar)
  return tar
}
