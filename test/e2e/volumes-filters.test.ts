// `volume ls --filter`, `volume prune --filter` and the Local Volumes row of
// `system df`, as Docker's: docs.docker.com/reference/cli/docker/volume/ls/#filter,
// .../volume/prune/#filter, .../system/df; moby daemon/volume/service
// (filters) and daemon/disk_usage.go (what the row counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { lines, show, STACK_TRACE, type Result, type Tsrun } from '../support/tsrun'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()
const hostDirs: string[] = []
afterAll(() => {
  for (const d of hostDirs) fs.rmSync(d, { recursive: true, force: true })
})

/**
 * data (tier=db, role=main; 100 kB; a running container uses it), cache
 * (tier=tmp; empty), logs (no label; 300 kB), an anonymous volume nothing
 * uses any more, and bound (tier=bind; local, -o bind: no bytes of its own).
 */
async function stocked(): Promise<{ t: Tsrun; anon: string }> {
  const t = freshRoot()
  await t.importDemo('demo:1')
  await t.ok(['volume', 'create', '--label', 'tier=db', '--label', 'role=main', 'data'])
  await t.ok(['volume', 'create', '--label', 'tier=tmp', 'cache'])
  await t.ok(['volume', 'create', 'logs'])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-bound-'))
  hostDirs.push(dir)
  fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(50_000))
  await t.ok(['volume', 'create', '--label', 'tier=bind', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${dir}`, 'bound'])
  await t.ok(['run', '--rm', '-v', 'logs:/l', 'demo:1', 'dd', 'if=/dev/zero', 'of=/l/f', 'bs=1000', 'count=300'])
  await t.ok(['run', '-d', '--name', 'db', '-v', 'data:/d', 'demo:1', 'sh', '-c', 'dd if=/dev/zero of=/d/f bs=1000 count=100 && sleep 600'])
  await t.ok(['run', '--name', 'gone', '-v', '/anon', 'demo:1', 'true'])
  const anon = (await t.ok(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'gone'])).stdout.trim()
  await t.ok(['rm', 'gone'])
  // The running container has written its 100 kB once its file is whole.
  for (let i = 0; i < 100; i++) {
    const r = await t.run(['exec', 'db', 'sh', '-c', 'test "$(wc -c < /d/f)" -eq 100000'])
    if (r.code === 0) break
    await new Promise((res) => setTimeout(res, 100))
  }
  return { t, anon }
}

async function volumes(t: Tsrun, ...filters: string[]): Promise<string[]> {
  const r = await t.ok(['volume', 'ls', '-q', ...filters.flatMap((f) => ['--filter', f])])
  return lines(r.stdout).sort()
}

function refused(r: Result, message: string) {
  expect(r.code, show(r)).toBe(125)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr), show(r)).toEqual([`Error: ${message}`])
}

let t: Tsrun
let anon: string

beforeAll(async () => {
  ;({ t, anon } = await stocked())
}, 120_000)

describe('docker volume ls reference: --filter', () => {
  it('dangling=true: volumes no container uses; dangling=false: those one does', async () => {
    expect(await volumes(t, 'dangling=true')).toEqual([anon, 'bound', 'cache', 'logs'].sort())
    expect(await volumes(t, 'dangling=false')).toEqual(['data'])
    refused(await t.run(['volume', 'ls', '--filter', 'dangling=yes']), "invalid filter 'dangling=[yes]'")
  })

  it('name= matches part of the name (a regular expression, as the daemon\'s)', async () => {
    expect(await volumes(t, 'name=a')).toEqual(['cache', 'data'].concat(anon.includes('a') ? [anon] : []).sort())
    expect(await volumes(t, 'name=^ca')).toEqual(['cache'])
    expect(await volumes(t, 'name=^logs$', 'name=^data$')).toEqual(['data', 'logs'])
  })

  it('driver= names the volume driver', async () => {
    expect(await volumes(t, 'driver=local')).toHaveLength(5)
    expect(await volumes(t, 'driver=nfs')).toEqual([])
  })

  it('label=KEY and label=KEY=VALUE; two label filters must both hold; different keys too', async () => {
    expect(await volumes(t, 'label=tier')).toEqual(['bound', 'cache', 'data'])
    expect(await volumes(t, 'label=tier=db')).toEqual(['data'])
    expect(await volumes(t, 'label=tier', 'label=role=main')).toEqual(['data'])
    expect(await volumes(t, 'label=tier', 'dangling=true')).toEqual(['bound', 'cache'])
  })

  it("an unknown key is the daemon's \"invalid filter 'KEY'\", exit 125", async () => {
    refused(await t.run(['volume', 'ls', '--filter', 'colour=red']), "invalid filter 'colour'")
    refused(await t.run(['volume', 'ls', '--filter', 'colour']), 'invalid argument "colour" for "-f, --filter" flag: bad format of filter (expected name=value)')
  })
})

describe('docker system df reference: the Local Volumes row', () => {
  it('counts the local volumes made without options, their bytes, and what unused ones hold', async () => {
    const r = await t.ok(['system', 'df', '--format', 'json'])
    const row = lines(r.stdout).map((l) => JSON.parse(l)).find((o) => o.Type === 'Local Volumes')
    // data, cache, logs and the anonymous one; `bound` binds a host directory (it holds nothing of its own).
    expect(row).toEqual({ Type: 'Local Volumes', TotalCount: '4', Active: '1', Size: '400kB', Reclaimable: '300kB (75%)' })
  })
})

describe('docker volume prune reference: --filter', () => {
  it('without -a only anonymous volumes go; label= narrows it; named ones need -a (or all=true)', async () => {
    const s = await stocked()
    const r = await s.t.ok(['volume', 'prune', '-f', '--filter', 'label=tier'])
    expect(r.stdout).toBe('Total reclaimed space: 0B\n')
    await s.t.ok(['volume', 'prune', '-f'])
    expect(await volumes(s.t)).toEqual(['bound', 'cache', 'data', 'logs'])
    await s.t.ok(['volume', 'prune', '-f', '--filter', 'all=true', '--filter', 'label=tier=tmp'])
    expect(await volumes(s.t)).toEqual(['bound', 'data', 'logs'])
    const rest = await s.t.ok(['volume', 'prune', '-a', '-f', '--filter', 'label!=tier'])
    expect(rest.stdout).toBe('Deleted Volumes:\nlogs\n\nTotal reclaimed space: 300kB\n')
    // A volume in use is never pruned.
    expect(await volumes(s.t)).toEqual(['bound', 'data'])
  })

  it('-a with --filter all= is the conflict docker/cli refuses; an unknown key removes nothing', async () => {
    refused(await t.run(['volume', 'prune', '-a', '-f', '--filter', 'all=1']), 'conflicting options: cannot specify both --all and --filter all=1')
    refused(await t.run(['volume', 'prune', '-f', '--filter', 'dangling=true']), "invalid filter 'dangling'")
    expect(await volumes(t)).toHaveLength(5)
  })
})
