// `tsrun cp` with a tar stream on the host side (`-`), and `-L`, as docker cp
// has them: running and stopped containers, hard links kept as hard links,
// and a tar from stdin that is hostile and must not write outside its
// destination, nor leave anything in the host mount table.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, hostMountsMentioning, rand, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** `tsrun cp ARGS` with binary stdin/stdout (the helpers decode as text). */
function cp(args: string[], input?: Buffer): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(BIN, ['cp', ...args], { env: { ...process.env, ...t.env }, input, maxBuffer: 64 << 20, timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() }
}

/** `tar -tv` of an archive: "TYPE NAME[ -> TARGET| link to TARGET]" lines, sorted. */
function listing(archive: Buffer): string[] {
  const file = path.join(t.root, `list-${rand()}.tar`)
  fs.writeFileSync(file, archive)
  const out = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' })
  return out.trim().split('\n').map((l) => {
    const cols = l.split(/\s+/)
    return `${l[0]} ${cols.slice(5).join(' ')}`
  }).sort()
}

/** A tar built by Python's tarfile from [name, kind, data-or-target] entries. */
function makeTar(entries: [string, 'file' | 'dir' | 'symlink' | 'hardlink', string?][], gzip = false): Buffer {
  const script = `
import io, json, sys, tarfile
out = io.BytesIO()
with tarfile.open(fileobj=out, mode="w:gz" if ${gzip ? 'True' : 'False'} else "w") as tf:
    for name, kind, arg in json.loads(sys.argv[1]):
        ti = tarfile.TarInfo(name)
        ti.uid = ti.gid = 4321
        # A root entry 0700: unpacking must leave the existing DIR as it is.
        ti.mode = 0o700 if name == "./" else 0o755 if kind == "dir" else 0o644
        if kind == "dir":
            ti.type = tarfile.DIRTYPE
            tf.addfile(ti)
        elif kind == "symlink":
            ti.type, ti.linkname = tarfile.SYMTYPE, arg
            tf.addfile(ti)
        elif kind == "hardlink":
            ti.type, ti.linkname = tarfile.LNKTYPE, arg
            tf.addfile(ti)
        else:
            data = (arg or "").encode()
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
sys.stdout.buffer.write(out.getvalue())
`
  return execFileSync('python3', ['-c', script, JSON.stringify(entries.map(([n, k, a]) => [n, k, a ?? null]))])
}

beforeAll(async () => {
  const setup = 'mkdir -p /data/sub /dest && echo one > /data/sub/a && ln /data/sub/a /data/b && ln -s sub/a /data/rel && ln -s /data /dlink && ln -s /data/sub/a /flink'
  await t.ok(['run', '-d', '--name', 'live', 'demo:1', 'sh', '-c', `${setup} && touch /ready && sleep 600`])
  await t.ok(['run', '--name', 'stopped', 'demo:1', 'sh', '-c', setup])
  for (let i = 0; i < 100; i++) {
    if ((await t.run(['exec', 'live', 'test', '-e', '/ready'])).code === 0) break
    await new Promise((res) => setTimeout(res, 100))
  }
})

describe('cp CONTAINER:SRC - (a tar on stdout)', () => {
  it('archives a directory under its name, with symlinks and hard links, running or stopped', () => {
    for (const c of ['live', 'stopped']) {
      const r = cp([`${c}:/data`, '-'])
      expect(r.code, `${c}: ${r.stderr}`).toBe(0)
      expect(listing(r.stdout), c).toEqual(['- data/b', 'd data/', 'd data/sub/', 'h data/sub/a link to data/b', 'l data/rel -> sub/a'])
    }
  })

  it('DIR/. archives the contents; a file is one entry', () => {
    expect(listing(cp(['live:/data/.', '-']).stdout)).toEqual(['- b', 'd ./', 'd sub/', 'h sub/a link to b', 'l rel -> sub/a'])
    expect(listing(cp(['live:/data/sub/a', '-']).stdout)).toEqual(['- a'])
  })

  it('-L archives what a symlink named as SRC points to, under the link\'s name', () => {
    expect(listing(cp(['live:/flink', '-']).stdout)).toEqual(['l flink -> /data/sub/a'])
    expect(listing(cp(['-L', 'live:/flink', '-']).stdout)).toEqual(['- flink'])
    expect(listing(cp(['-L', 'stopped:/dlink', '-']).stdout)).toContain('h dlink/sub/a link to dlink/b')
  })

  it('a missing path is one line and 125, with nothing on stdout', () => {
    const r = cp(['live:/no/such', '-'])
    expect(r.code).toBe(125)
    expect(r.stdout.length).toBe(0)
    expect(r.stderr).toMatch(/^Error: cp live:\/no\/such -: .*no such file or directory\n$/)
  })
})

describe('cp -L with host paths', () => {
  it('copies the target of a container symlink out, and of a host symlink in', async () => {
    const out = path.join(t.root, `follow-${rand()}`)
    await t.ok(['cp', '-L', 'stopped:/flink', out])
    expect(fs.lstatSync(out).isFile()).toBe(true)
    expect(fs.readFileSync(out, 'utf8')).toBe('one\n')
    const dir = path.join(t.root, `follow-dir-${rand()}`)
    await t.ok(['cp', '-L', 'live:/dlink', dir])
    expect(fs.readFileSync(path.join(dir, 'sub/a'), 'utf8')).toBe('one\n')
    expect(fs.statSync(path.join(dir, 'b')).ino).toBe(fs.statSync(path.join(dir, 'sub/a')).ino)
    // Without -L the link itself is copied.
    const plain = path.join(t.root, `nofollow-${rand()}`)
    await t.ok(['cp', 'live:/flink', plain])
    expect(fs.readlinkSync(plain)).toBe('/data/sub/a')

    const target = path.join(t.root, `host-target-${rand()}`)
    fs.writeFileSync(target, 'from host\n')
    const link = path.join(t.root, `host-link-${rand()}`)
    fs.symlinkSync(target, link)
    await t.ok(['cp', '-L', link, 'live:/dest/followed'])
    await t.ok(['cp', link, 'live:/dest/kept'])
    const r = await t.ok(['exec', 'live', 'sh', '-c', 'cat /dest/followed; readlink /dest/kept'])
    expect(r.stdout).toBe(`from host\n${target}\n`)
  })
})

describe('cp - CONTAINER:DIR (a tar from stdin)', () => {
  it('unpacks into the directory, owned by root unless -a; gzip too; hard links stay links; .wh. names are plain', async () => {
    const tar = makeTar([['./', 'dir'], ['in/', 'dir'], ['in/f', 'file', 'tar data\n'], ['in/g', 'hardlink', 'in/f'], ['in/.wh.x', 'file', 'not a whiteout\n'], ['in/l', 'symlink', '/etc/passwd']])
    for (const c of ['live', 'stopped']) {
      const r = cp(['-', `${c}:/dest`], tar)
      expect(r.code, `${c}: ${r.stderr}`).toBe(0)
    }
    const a = cp(['-a', '-', 'live:/dest'], makeTar([['owned', 'file', 'x\n']], true))
    expect(a.code, a.stderr).toBe(0)
    const r = await t.ok(['exec', 'live', 'sh', '-c', 'stat -c "%n %u %h %i" /dest/in/f /dest/in/g /dest/owned | sed "s/ [0-9]*$/ I/"; cat /dest/in/.wh.x; readlink /dest/in/l; stat -c %a /dest'])
    const [f, g, owned, ...rest] = r.stdout.trim().split('\n')
    expect(f).toBe('/dest/in/f 0 2 I')
    expect(g).toBe('/dest/in/g 0 2 I')
    expect(owned).toBe('/dest/owned 4321 1 I')
    expect(rest).toEqual(['not a whiteout', '/etc/passwd', '755'])
    const back = path.join(t.root, `stopped-in-${rand()}`)
    await t.ok(['cp', 'stopped:/dest/in', back])
    expect(fs.readFileSync(path.join(back, 'f'), 'utf8')).toBe('tar data\n')
    expect(fs.statSync(path.join(back, 'g')).ino).toBe(fs.statSync(path.join(back, 'f')).ino)
  })

  it('DIR must exist and be a directory: one line, 125', () => {
    const tar = makeTar([['f', 'file', 'x']])
    const missing = cp(['-', 'live:/no/such'], tar)
    expect(missing.code).toBe(125)
    expect(missing.stderr).toMatch(/^Error: cp - live:\/no\/such: .*no such file or directory\n$/)
    const file = cp(['-', 'live:/data/b'], tar)
    expect(file.code).toBe(125)
    expect(file.stderr).toMatch(/^Error: cp - live:\/data\/b: .*must be a directory\n$/)
    const junk = cp(['-', 'live:/dest'], Buffer.from('not a tar at all\n'.repeat(64)))
    expect(junk.code).toBe(125)
    expect(junk.stderr).toMatch(/^Error: .*not a tar archive\n$/)
  })

  it('refuses an entry that climbs out of DIR, with one line; nothing lands outside', async () => {
    const marker = `escape-${rand()}`
    const hostTarget = path.join(t.root, marker)
    const mountsBefore = hostMountsMentioning(t.root)
    for (const c of ['live', 'stopped']) {
      for (const name of [`../${marker}`, `sub/../../${marker}`, `${'../'.repeat(12)}${hostTarget.slice(1)}`]) {
        const r = cp(['-', `${c}:/dest`], makeTar([[name, 'file', 'pwned\n']]))
        expect(r.code, `${c} ${name}`).toBe(125)
        expect(r.stderr, `${c} ${name}`).toMatch(/^Error: cp - \w+:\/dest: tar entry .*: outside the destination \/dest\n$/)
      }
      const link = cp(['-', `${c}:/dest`], makeTar([['hl', 'hardlink', '../data/b']]))
      expect(link.code).toBe(125)
      expect(link.stderr).toMatch(/outside the destination/)
      // A symlink planted by the archive leads nowhere but inside DIR.
      const planted = cp(['-', `${c}:/dest`], makeTar([['up', 'symlink', '/'], [`up/${marker}`, 'file', 'inside\n'], ['dots', 'symlink', '../../../..'], [`dots/${marker}-2`, 'file', 'inside\n']]))
      expect(planted.code, planted.stderr).toBe(0)
    }
    expect(fs.existsSync(hostTarget)).toBe(false)
    const live = await t.ok(['exec', 'live', 'sh', '-c', `ls /; cat /dest/${marker} /dest/${marker}-2`])
    expect(live.stdout).not.toContain(marker)
    expect(live.stdout).toMatch(/inside\ninside\n$/)
    expect(cp([`stopped:/${marker}`, '-']).code).toBe(125)
    expect(listing(cp([`stopped:/dest/${marker}`, '-']).stdout)).toEqual([`- ${marker}`])
    expect(listing(cp([`stopped:/dest/${marker}-2`, '-']).stdout)).toEqual([`- ${marker}-2`])
    expect(hostMountsMentioning(t.root)).toEqual(mountsBefore)
  })
})

it('cp - - is refused', async () => {
  const r = await t.run(['cp', '-', '-'])
  expect(r.code, show(r)).toBe(125)
  expect(r.stderr).toMatch(/must be CONTAINER:PATH/)
})
