// `tsrun cp` both ways, running and stopped containers (overlay and bind
// storage), directories, volumes, and symlinks that must not escape the
// container's rootfs.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, rand, show, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

let host: string
beforeAll(async () => {
  host = path.join(t.root, 'host')
  fs.mkdirSync(host)
  // /link -> /etc and /hostdir -> <a real host directory>: absolute symlinks
  // that mean the container's own paths, never the host's.
  await t.ok(['run', '-d', '--name', 'live', '-v', 'cpvol:/vol', 'demo:1', 'sh', '-c', `mkdir -p /data/sub && echo one > /data/sub/a && echo vol > /vol/v && ln -s /etc /link && ln -s ${host} /hostdir && ln -s /etc/passwd /data/pw && sleep 600`])
  await t.ok(['run', '--name', 'stopped-overlay', 'demo:1', 'sh', '-c', 'echo overlay > /made && ln -s /etc /link'])
  await t.ok(['run', '--name', 'stopped-bind', '--storage-driver', 'bind', '-v', 'cpvol:/vol', 'demo:1', 'sh', '-c', 'echo bind > /made'])
  // The running container's setup must be done before copying from it.
  for (let i = 0; i < 100; i++) {
    const r = await t.run(['cp', 'live:/data/pw', path.join(t.root, 'probe')])
    if (r.code === 0) break
    await new Promise((res) => setTimeout(res, 100))
  }
})

describe('cp out of a container', () => {
  it('copies a file from a running container, and from stopped ones (overlay and bind storage)', async () => {
    await t.ok(['cp', 'live:/data/sub/a', path.join(host, 'a')])
    expect(fs.readFileSync(path.join(host, 'a'), 'utf8')).toBe('one\n')
    await t.ok(['cp', 'stopped-overlay:/made', path.join(host, 'made-overlay')])
    expect(fs.readFileSync(path.join(host, 'made-overlay'), 'utf8')).toBe('overlay\n')
    await t.ok(['cp', 'stopped-bind:/made', path.join(host, 'made-bind')])
    expect(fs.readFileSync(path.join(host, 'made-bind'), 'utf8')).toBe('bind\n')
  })

  it('sees volumes, running and stopped', async () => {
    await t.ok(['cp', 'live:/vol/v', path.join(host, 'v1')])
    await t.ok(['cp', 'stopped-bind:/vol/v', path.join(host, 'v2')])
    expect(fs.readFileSync(path.join(host, 'v1'), 'utf8')).toBe('vol\n')
    expect(fs.readFileSync(path.join(host, 'v2'), 'utf8')).toBe('vol\n')
  })

  it('copies a directory as DEST, then into DEST; DIR/. copies its contents', async () => {
    const dest = path.join(host, 'tree')
    await t.ok(['cp', 'live:/data', dest])
    expect(fs.readFileSync(path.join(dest, 'sub/a'), 'utf8')).toBe('one\n')
    await t.ok(['cp', 'live:/data', dest])
    expect(fs.readFileSync(path.join(dest, 'data/sub/a'), 'utf8')).toBe('one\n')
    const flat = path.join(host, 'flat')
    fs.mkdirSync(flat)
    await t.ok(['cp', 'live:/data/sub/.', flat])
    expect(fs.readdirSync(flat)).toEqual(['a'])
  })

  it('resolves symlinks inside the container: /link/passwd is the container\'s, not the host\'s', async () => {
    await t.ok(['cp', 'live:/link/passwd', path.join(host, 'passwd-live')])
    await t.ok(['cp', 'stopped-overlay:/link/passwd', path.join(host, 'passwd-stopped')])
    const container = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'
    expect(fs.readFileSync(path.join(host, 'passwd-live'), 'utf8')).toBe(container)
    expect(fs.readFileSync(path.join(host, 'passwd-stopped'), 'utf8')).toBe(container)
  })

  it('copies a symlink as a symlink', async () => {
    await t.ok(['cp', 'live:/data/pw', path.join(host, 'pw')])
    expect(fs.readlinkSync(path.join(host, 'pw'))).toBe('/etc/passwd')
  })

  it('refuses a device node, a FIFO or a link to one as DEST (as podman), leaving it as it was', async () => {
    const fifo = path.join(host, `fifo-${rand()}`)
    execFileSync('mkfifo', [fifo])
    const toNull = path.join(host, `to-null-${rand()}`)
    fs.symlinkSync('/dev/null', toNull)
    for (const dest of ['/dev/stdout', '/dev/null', fifo, toNull]) {
      const before = fs.lstatSync(dest)
      const r = await t.run(['cp', 'live:/etc/hostname', dest])
      expect(r.code, `${dest}\n${show(r)}`).toBe(125)
      expect(r.stderr).toBe(`Error: cp live:/etc/hostname ${dest}: destination ${dest}: must be a directory or a regular file (use - to write a tar stream to stdout)\n`)
      const after = fs.lstatSync(dest)
      expect([after.ino, after.mode, after.rdev], dest).toEqual([before.ino, before.mode, before.rdev])
    }
    expect(fs.statSync('/dev/null').isCharacterDevice()).toBe(true)
    // `-` is how to write to stdout: a tar stream.
    const r = await t.run(['cp', 'live:/etc/hostname', '-'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toContain('hostname')
  })

  it('writes through a link to a regular file, as Docker does', async () => {
    const target = path.join(host, `target-${rand()}`)
    fs.writeFileSync(target, 'old\n')
    const link = `${target}-link`
    fs.symlinkSync(path.basename(target), link)
    await t.ok(['cp', 'live:/data/sub/a', link])
    expect(fs.readFileSync(target, 'utf8')).toBe('one\n')
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
  })

  it('a missing path is one line and 125', async () => {
    const r = await t.run(['cp', 'live:/no/such', path.join(host, 'x')])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/^Error: cp live:\/no\/such .*no such file or directory\n$/)
  })
})

describe('cp into a container', () => {
  it('copies a file into running and stopped containers, owned by root unless -a', async () => {
    const src = path.join(host, 'in.txt')
    fs.writeFileSync(src, 'into\n')
    fs.chownSync(src, 1234, 1234)
    await t.ok(['cp', src, 'live:/vol/'])
    await t.ok(['cp', '-a', src, 'live:/vol/kept.txt'])
    const [vol] = JSON.parse((await t.ok(['volume', 'inspect', 'cpvol'])).stdout)
    expect(fs.statSync(path.join(vol.Mountpoint, 'in.txt')).uid).toBe(0)
    expect(fs.statSync(path.join(vol.Mountpoint, 'kept.txt')).uid).toBe(1234)
    expect(fs.readFileSync(path.join(vol.Mountpoint, 'in.txt'), 'utf8')).toBe('into\n')
    await t.ok(['cp', src, 'stopped-overlay:/root/in.txt'])
    await t.ok(['cp', 'stopped-overlay:/root/in.txt', path.join(host, 'back.txt')])
    expect(fs.readFileSync(path.join(host, 'back.txt'), 'utf8')).toBe('into\n')
  })

  it('copies a directory tree in', async () => {
    const tree = path.join(host, 'srctree')
    fs.mkdirSync(path.join(tree, 'deep'), { recursive: true })
    fs.writeFileSync(path.join(tree, 'deep/f'), 'deep\n')
    fs.symlinkSync('deep/f', path.join(tree, 'rel'))
    // /opt does not exist in the image: the tree becomes /opt.
    await t.ok(['cp', tree, 'live:/opt'])
    await t.ok(['cp', 'live:/opt', path.join(host, 'roundtrip')])
    expect(fs.readFileSync(path.join(host, 'roundtrip/deep/f'), 'utf8')).toBe('deep\n')
    expect(fs.readlinkSync(path.join(host, 'roundtrip/rel'))).toBe('deep/f')
  })

  it('keeps hard links as hard links, both ways', async () => {
    await t.ok(['exec', 'live', 'sh', '-c', 'mkdir -p /hl && echo same > /hl/a && ln /hl/a /hl/b'])
    const out = path.join(t.root, `hl-out-${rand()}`)
    await t.ok(['cp', 'live:/hl', out])
    expect(fs.statSync(path.join(out, 'b')).ino).toBe(fs.statSync(path.join(out, 'a')).ino)
    expect(fs.statSync(path.join(out, 'a')).nlink).toBe(2)
    const src = path.join(t.root, `hl-in-${rand()}`)
    fs.mkdirSync(src)
    fs.writeFileSync(path.join(src, 'x'), 'in\n')
    fs.linkSync(path.join(src, 'x'), path.join(src, 'y'))
    await t.ok(['cp', src, 'live:/hl-in'])
    const r = await t.ok(['exec', 'live', 'sh', '-c', 'stat -c "%h %i" /hl-in/x; stat -c "%h %i" /hl-in/y'])
    const [x, y] = r.stdout.trim().split('\n')
    expect(x).toMatch(/^2 \d+$/)
    expect(y).toBe(x)
  })

  it('keeps the image\'s hard links as hard links, from running and stopped containers', async () => {
    // volimg:1 has /srv/links/a and its hard link b in one layer.
    const archive = path.join(t.root, 'volimg.tar')
    execFileSync('python3', [path.join(SUPPORT, 'make_volume_image.py'), archive, busyboxRootfs(), 'volimg:1'])
    await t.ok(['load', '-i', archive])
    await t.ok(['run', '--name', 'links-stopped', 'volimg:1', 'true'])
    await t.ok(['run', '-d', '--name', 'links-live', 'volimg:1', 'sleep', '600'])
    for (const c of ['links-stopped', 'links-live']) {
      const out = path.join(t.root, `${c}-${rand()}`)
      await t.ok(['cp', `${c}:/srv/links`, out])
      expect(fs.statSync(path.join(out, 'b')).ino, c).toBe(fs.statSync(path.join(out, 'a')).ino)
      expect(fs.readFileSync(path.join(out, 'b'), 'utf8'), c).toBe('linked\n')
    }
    await t.ok(['rm', '-f', 'links-live'])
  })

  it('keeps hard links past the first few hundred multiply-linked files', async () => {
    await t.ok(['exec', 'live', 'sh', '-c', 'mkdir -p /many && cd /many && for i in $(seq 1 400); do echo $i > f$i && ln f$i g$i; done'])
    const out = path.join(t.root, `many-${rand()}`)
    await t.ok(['cp', 'live:/many', out])
    const split = [...Array(400).keys()].filter((i) => fs.statSync(path.join(out, `f${i + 1}`)).ino !== fs.statSync(path.join(out, `g${i + 1}`)).ino)
    expect(split.length).toBe(0)
  })

  it('never writes through a container symlink to the host', async () => {
    const marker = `pwned-${rand()}`
    const src = path.join(t.root, marker)
    fs.writeFileSync(src, 'x\n')
    // /hostdir in the container is a symlink to the host's path of `host`:
    // inside the container that path does not exist, so the copy fails.
    const r = await t.run(['cp', src, `live:/hostdir/${marker}`])
    expect(r.code, show(r)).toBe(125)
    expect(fs.existsSync(path.join(host, marker))).toBe(false)
    // Onto the symlink itself: the symlink is replaced, the host is untouched.
    await t.ok(['cp', src, 'live:/hostdir'])
    expect(fs.existsSync(path.join(host, marker))).toBe(false)
    const out = path.join(t.root, `${marker}-back`)
    await t.ok(['cp', 'live:/hostdir', out])
    expect(fs.readFileSync(out, 'utf8')).toBe('x\n')
  })

  it('refuses two container paths, or none', async () => {
    const both = await t.run(['cp', 'live:/a', 'live:/b'])
    expect(both.code).toBe(125)
    expect(both.stderr).toMatch(/between two containers is not supported/)
    const none = await t.run(['cp', '/tmp/a', '/tmp/b'])
    expect(none.code).toBe(125)
    expect(none.stderr).toMatch(/must be CONTAINER:PATH/)
  })
})
