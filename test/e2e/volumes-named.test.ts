// Named and anonymous volumes: data that outlives containers, sharing,
// copy-up with ownership, image VOLUMEs, in-use refusal, prune, --rm.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, lines, show, SUPPORT, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function volumeNames(...filters: string[]): Promise<string[]> {
  const r = await t.ok(['volume', 'ls', '-q', ...filters.flatMap((f) => ['--filter', f])])
  return lines(r.stdout).sort()
}

describe('named volumes', () => {
  it('keep data written through them after the container is removed, for the next container', async () => {
    await t.ok(['run', '--name', 'writer', '-v', 'keep:/data', 'demo:1', 'sh', '-c', 'echo persisted > /data/file'])
    await t.ok(['rm', 'writer'])
    expect(await volumeNames()).toContain('keep')
    const r = await t.ok(['run', '--rm', '-v', 'keep:/somewhere/else', 'demo:1', 'cat', '/somewhere/else/file'])
    expect(r.stdout).toBe('persisted\n')
  })

  it('are created by volume create and shown by ls (filters, json) and inspect', async () => {
    const r = await t.ok(['volume', 'create', '--label', 'team=db', 'made'])
    expect(r.stdout).toBe('made\n')
    const [v] = JSON.parse((await t.ok(['volume', 'inspect', 'made'])).stdout)
    expect(v).toMatchObject({ Name: 'made', Driver: 'local', Labels: { team: 'db' }, Scope: 'local' })
    expect(fs.statSync(v.Mountpoint).isDirectory()).toBe(true)
    expect(await volumeNames('label=team=db')).toEqual(['made'])
    const json = lines((await t.ok(['volume', 'ls', '--format', 'json'])).stdout).map((l) => JSON.parse(l))
    expect(json.find((o) => o.Name === 'made')).toMatchObject({ Driver: 'local', Name: 'made' })
  })

  it('are shared by two running containers, each seeing the other\'s writes', async () => {
    await t.ok(['run', '-d', '--name', 'waiter', '-v', 'shared:/data', 'demo:1', 'sh', '-c', 'while [ ! -f /data/from-b ]; do sleep 0.1; done; cat /data/from-b > /data/ack; sleep 600'])
    await t.ok(['run', '-d', '--name', 'other', '-v', 'shared:/mnt/s', 'demo:1', 'sh', '-c', 'echo hello-from-b > /mnt/s/from-b; sleep 600'])
    const [v] = JSON.parse((await t.ok(['volume', 'inspect', 'shared'])).stdout)
    await waitFor(() => fs.existsSync(path.join(v.Mountpoint, 'ack')) && fs.readFileSync(path.join(v.Mountpoint, 'ack'), 'utf8') === 'hello-from-b\n', 'the first container to see the second one\'s file')
    const seen = await t.ok(['cp', 'other:/mnt/s/ack', path.join(t.root, 'ack-copy')])
    expect(seen.code).toBe(0)
    expect(fs.readFileSync(path.join(t.root, 'ack-copy'), 'utf8')).toBe('hello-from-b\n')
  })

  it('cannot be removed while a container (running or not) uses them, and say which', async () => {
    const r = await t.run(['volume', 'rm', 'shared'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/volume shared is in use by containers? .*(waiter|other)/)
    expect(await volumeNames()).toContain('shared')
    await t.ok(['rm', '-f', 'waiter', 'other'])
    await t.ok(['volume', 'rm', 'shared'])
    expect(await volumeNames()).not.toContain('shared')
    const missing = await t.run(['volume', 'rm', 'shared'])
    expect(missing.code).toBe(125)
    expect(missing.stderr).toBe('Error: No such volume: shared\n')
    await t.ok(['volume', 'rm', '-f', 'shared'])
  })
})

describe('copy-up and anonymous volumes', () => {
  beforeAll(async () => {
    const archive = path.join(t.root, 'volimg.tar')
    execFileSync('python3', [path.join(SUPPORT, 'make_volume_image.py'), archive, busyboxRootfs(), 'volimg:1'])
    await t.ok(['load', '-i', archive])
  })

  it('a new volume over image content gets a copy, with owners, modes and symlinks kept', async () => {
    await t.ok(['run', '--rm', '-v', 'appdata:/srv/app', 'volimg:1', 'true'])
    const r = await t.ok(['run', '--rm', '-v', 'appdata:/v', 'demo:1', 'sh', '-c', 'stat -c "%n %u:%g %a" /v /v/data.txt /v/sub /v/sub/deep.txt; readlink /v/link; cat /v/data.txt'])
    expect(r.stdout).toBe('/v 1000:1000 750\n/v/data.txt 1001:1002 640\n/v/sub 1000:1000 700\n/v/sub/deep.txt 1000:1000 600\n/etc/shadow\nimage data\n')
  })

  it('copy-up keeps hard links as hard links', async () => {
    const r = await t.ok(['run', '--rm', '-v', 'links:/srv/links', 'volimg:1', 'sh', '-c', 'stat -c "%h %i" /srv/links/a; stat -c "%h %i" /srv/links/b'])
    const [a, b] = r.stdout.trim().split('\n')
    expect(a).toMatch(/^2 \d+$/)
    expect(b).toBe(a)
    await t.ok(['volume', 'rm', 'links'])
  })

  it('a volume with data keeps it: no second copy-up', async () => {
    await t.ok(['run', '--rm', '-v', 'appdata:/srv/app', 'volimg:1', 'sh', '-c', 'rm /srv/app/data.txt && echo mine > /srv/app/mine'])
    const r = await t.ok(['run', '--rm', '-v', 'appdata:/srv/app', 'volimg:1', 'ls', '/srv/app'])
    expect(lines(r.stdout)).toEqual(['link', 'mine', 'sub'])
  })

  it('nocopy leaves the new volume empty', async () => {
    const r = await t.ok(['run', '--rm', '-v', 'empty:/srv/app:nocopy', 'volimg:1', 'ls', '-A', '/srv/app'])
    expect(r.stdout).toBe('')
    const m = await t.ok(['run', '--rm', '--mount', 'type=volume,src=empty2,dst=/srv/app,volume-nocopy', 'volimg:1', 'ls', '-A', '/srv/app'])
    expect(m.stdout).toBe('')
  })

  it('the image VOLUME gets an anonymous volume with the image content, removed by --rm', async () => {
    const before = await volumeNames()
    const r = await t.ok(['run', '--rm', 'volimg:1', 'sh', '-c', 'grep -c " /srv/app " /proc/self/mountinfo; cat /srv/app/data.txt'])
    expect(r.stdout).toBe('1\nimage data\n')
    expect(await volumeNames()).toEqual(before)
  })

  it('without --rm the anonymous volume stays until rm -v; named volumes are kept', async () => {
    const before = await volumeNames()
    await t.ok(['run', '--name', 'anon', '-v', '/scratch', '-v', 'namedkept:/named', 'volimg:1', 'true'])
    const during = await volumeNames()
    const made = during.filter((n) => !before.includes(n))
    expect(made).toHaveLength(3) // /scratch, /srv/app (image VOLUME), namedkept
    const inspect = await t.inspect('anon')
    expect(inspect.Mounts.map((m: any) => `${m.Type} ${m.Destination}`).sort()).toEqual(['volume /named', 'volume /scratch', 'volume /srv/app'])
    await t.ok(['rm', '-v', 'anon'])
    expect(await volumeNames()).toEqual([...before, 'namedkept'].sort())
  })

  it('prune removes unused anonymous volumes only, -a also unused named ones, never one in use', async () => {
    await t.ok(['run', '--name', 'holder', '-v', 'inuse:/d', '-v', '/anon-used', 'demo:1', 'true'])
    await t.ok(['run', '--name', 'gone', '-v', '/anon-unused', 'demo:1', 'true'])
    const anonUnused = (await t.inspect('gone')).Mounts[0].Name
    const anonUsed = (await t.inspect('holder')).Mounts.find((m: any) => m.Destination === '/anon-used').Name
    await t.ok(['rm', 'gone'])
    expect(await volumeNames('dangling=true')).toContain(anonUnused)
    const p = await t.ok(['volume', 'prune', '-f'])
    expect(p.stdout).toContain(anonUnused)
    let names = await volumeNames()
    expect(names).not.toContain(anonUnused)
    expect(names).toEqual(expect.arrayContaining(['inuse', anonUsed, 'keep', 'made']))
    await t.ok(['volume', 'prune', '-a'])
    names = await volumeNames()
    expect(names).toEqual([anonUsed, 'inuse'].sort())
    await t.ok(['rm', '-v', 'holder'])
    expect(await volumeNames()).toEqual(['inuse'])
  })

  it('--volumes-from mounts the other container\'s volumes, read-only with :ro', async () => {
    await t.ok(['run', '--name', 'source', '-v', 'fromvol:/shared', 'demo:1', 'sh', '-c', 'echo from-source > /shared/f'])
    const r = await t.ok(['run', '--rm', '--volumes-from', 'source', 'demo:1', 'cat', '/shared/f'])
    expect(r.stdout).toBe('from-source\n')
    const ro = await t.run(['run', '--rm', '--volumes-from', 'source:ro', 'demo:1', 'sh', '-c', 'echo x > /shared/g'])
    expect(ro.code, show(ro)).not.toBe(0)
    expect(ro.stderr).toMatch(/read-only file system/i)
    await t.ok(['rm', 'source'])
  })
})
