// Bind mounts, tmpfs, read-only enforcement, propagation, volume-subpath,
// and the host mount table staying as it was.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** Host mountinfo lines about this test's files (other work on the machine may mount elsewhere meanwhile). */
/**
 * The host's mounts under this store, but for the network namespaces the
 * engine keeps by design while a container exists (RUNROOT/netns and its
 * nsfs files, as ip-netns keeps /run/netns: see network-namespace.test.ts).
 */
function ourMounts(): string[] {
  const netns = path.join(t.root, 'run', 'netns')
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(t.root))
    .filter((l) => { const m = l.split(' ')[4]; return m !== netns && !m.startsWith(`${netns}/`) })
}

let mountsBefore: string[]
let host: string
beforeAll(() => {
  mountsBefore = ourMounts()
  host = path.join(t.root, 'host')
  fs.mkdirSync(host)
})

describe('bind mounts', () => {
  it('join a host directory to a container path: writes show on the host at once', async () => {
    fs.writeFileSync(path.join(host, 'from-host'), 'host says hi\n')
    const r = await t.ok(['run', '--rm', '-v', `${host}:/work`, 'demo:1', 'sh', '-c', 'cat /work/from-host && echo back > /work/from-container'])
    expect(r.stdout).toBe('host says hi\n')
    expect(fs.readFileSync(path.join(host, 'from-container'), 'utf8')).toBe('back\n')
  })

  it('-v creates a missing host directory; --mount type=bind refuses a missing source', async () => {
    const missing = path.join(t.root, 'made-by-v', 'deep')
    await t.ok(['run', '--rm', '-v', `${missing}:/m`, 'demo:1', 'true'])
    expect(fs.statSync(missing).isDirectory()).toBe(true)
    const other = path.join(t.root, 'not-made')
    const r = await t.run(['run', '--rm', '--mount', `type=bind,src=${other},dst=/m`, 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toBe(`Error: invalid mount config for type "bind": bind source path does not exist: ${other}\n`)
    expect(fs.existsSync(other)).toBe(false)
  })

  it('binds a single file', async () => {
    const file = path.join(t.root, 'single.conf')
    fs.writeFileSync(file, 'key=value\n')
    const r = await t.ok(['run', '--rm', '-v', `${file}:/etc/app.conf:ro`, 'demo:1', 'cat', '/etc/app.conf'])
    expect(r.stdout).toBe('key=value\n')
  })

  it('read-only binds, volumes and tmpfs refuse writes, even by root', async () => {
    const cases = [
      ['-v', `${host}:/ro:ro`],
      ['--mount', `type=bind,src=${host},dst=/ro,readonly`],
      ['-v', 'rovol:/ro:ro'],
      ['--mount', 'type=volume,src=rovol,dst=/ro,ro=true'],
      ['--tmpfs', '/ro:ro'],
    ]
    for (const flags of cases) {
      const r = await t.run(['run', '--rm', ...flags, 'demo:1', 'sh', '-c', 'id -u; touch /ro/x'])
      expect(r.stdout, flags.join(' ')).toBe('0\n')
      expect(r.code, `${flags.join(' ')}\n${show(r)}`).not.toBe(0)
      expect(r.stderr, flags.join(' ')).toMatch(/read-only file system/i)
    }
    expect(fs.existsSync(path.join(host, 'x'))).toBe(false)
  })
})

describe('read-only all the way down', () => {
  let src: string
  beforeAll(() => {
    // A host directory with another filesystem mounted under it.
    src = path.join(t.root, 'ro-tree')
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(src, 'sub')])
  })
  afterAll(() => {
    execFileSync('umount', ['-l', path.join(src, 'sub')], { stdio: 'ignore' })
  })

  it('a read-only bind makes the mounts under its source read-only too', async () => {
    const mountsBefore = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(t.root))
    for (const flags of [['-v', `${src}:/ro:ro`], ['--mount', `type=bind,src=${src},dst=/ro,readonly`]]) {
      const r = await t.run(['run', '--rm', ...flags, 'demo:1', 'sh', '-c', 'touch /ro/sub/x'])
      expect(r.code, `${flags.join(' ')}\n${show(r)}`).not.toBe(0)
      expect(r.stderr, flags.join(' ')).toMatch(/read-only file system/i)
    }
    expect(fs.existsSync(path.join(src, 'sub', 'x'))).toBe(false)
    // A writable bind of the same tree still writes through to the submount.
    await t.ok(['run', '--rm', '-v', `${src}:/rw`, 'demo:1', 'touch', '/rw/sub/y'])
    expect(fs.existsSync(path.join(src, 'sub', 'y'))).toBe(true)
    // The host's own mount stays writable, and the host mount table is as it was.
    fs.writeFileSync(path.join(src, 'sub', 'z'), 'host\n')
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(t.root))).toEqual(mountsBefore)
  })
})

describe('propagation', () => {
  let shared: string
  beforeAll(() => {
    // A shared mount point on the host, so later host mounts under it can propagate.
    shared = path.join(t.root, 'shared-src')
    fs.mkdirSync(shared)
    execFileSync('mount', ['--bind', shared, shared])
    execFileSync('mount', ['--make-shared', shared])
  })
  afterAll(() => {
    for (const mp of [path.join(shared, 'late'), shared]) {
      try {
        execFileSync('umount', ['-l', mp], { stdio: 'ignore' })
      } catch {
        /* already gone */
      }
    }
  })

  it('rslave: a host mount made after start shows inside; rprivate: it does not', async () => {
    fs.mkdirSync(path.join(shared, 'late'))
    await t.ok(['run', '-d', '--name', 'slave', '--mount', `type=bind,src=${shared},dst=/s,bind-propagation=rslave`, 'demo:1', 'sleep', '600'])
    await t.ok(['run', '-d', '--name', 'private', '-v', `${shared}:/s`, 'demo:1', 'sleep', '600'])
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', path.join(shared, 'late')])
    fs.writeFileSync(path.join(shared, 'late', 'marker'), 'propagated\n')
    const inSlave = path.join(t.root, 'from-slave')
    await t.ok(['cp', 'slave:/s/late/marker', inSlave])
    expect(fs.readFileSync(inSlave, 'utf8')).toBe('propagated\n')
    const r = await t.run(['cp', 'private:/s/late/marker', path.join(t.root, 'from-private')])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/no such file or directory/)
    const inspect = await t.inspect('slave')
    expect(inspect.Mounts[0]).toMatchObject({ Type: 'bind', Source: shared, Destination: '/s', Propagation: 'rslave', RW: true })
    await t.ok(['rm', '-f', 'slave', 'private'])
  })
})

describe('tmpfs', () => {
  it('--tmpfs and --mount type=tmpfs give a private tmpfs with the size and mode asked for', async () => {
    const r = await t.ok(['run', '--rm', '--tmpfs', '/cache:size=64m', '--mount', 'type=tmpfs,dst=/scratch,tmpfs-size=1m,tmpfs-mode=1770', 'demo:1', 'sh', '-c', 'grep -E " /(cache|scratch) " /proc/mounts | cut -d" " -f2,3 | sort; stat -c %a /scratch; df -k /cache | tail -1 | awk "{print \\$2}"'])
    expect(r.stdout).toBe('/cache tmpfs\n/scratch tmpfs\n1770\n65536\n')
  })
})

describe('volume-subpath', () => {
  it('mounts a sub-directory of a volume, and a symlink planted in the volume cannot reach the host', async () => {
    await t.ok(['run', '--rm', '-v', 'sub:/v', 'demo:1', 'sh', '-c', 'mkdir -p /v/a/b && echo in-b > /v/a/b/f && ln -s /etc /v/escape'])
    const r = await t.ok(['run', '--rm', '--mount', 'type=volume,src=sub,dst=/only-b,volume-subpath=a/b', 'demo:1', 'cat', '/only-b/f'])
    expect(r.stdout).toBe('in-b\n')
    const hostname = fs.readFileSync('/etc/hostname', 'utf8')
    const esc = await t.run(['run', '--rm', '--mount', 'type=volume,src=sub,dst=/esc,volume-subpath=escape', 'demo:1', 'cat', '/esc/hostname'])
    expect(esc.code, show(esc)).not.toBe(0)
    expect(esc.stdout).not.toContain(hostname.trim())
  })
})

afterAll(() => {
  // Checked last: every container above is gone or still holds only its own namespace.
  expect(ourMounts().filter((l) => !l.includes('shared-src'))).toEqual(mountsBefore)
})

describe('the host mount table', () => {
  it('holds none of the containers\' mounts while they run', async () => {
    await t.ok(['run', '-d', '--name', 'many', '-v', `${host}:/b`, '-v', 'tablevol:/v', '--tmpfs', '/t', 'demo:1', 'sleep', '600'])
    expect(ourMounts().filter((l) => !l.includes('shared-src'))).toEqual(mountsBefore)
    await t.ok(['rm', '-f', 'many'])
    expect(ourMounts().filter((l) => !l.includes('shared-src'))).toEqual(mountsBefore)
  })
})
