// Issue 17.1: image layers keep setuid bits and device nodes, so the state
// root must be closed to other host users. An unprivileged host user
// (nobody) tries what an attacker would: run the image's setuid-root file and
// open its device nodes where tsrun unpacked them, in a root tsrun made and in
// one an older tsrun left open (0755 everywhere), for both storage drivers,
// in a container's upper dir and in a volume.
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { busyboxRootfs, newRoot, rand, show, SUPPORT, Tsrun } from '../support/tsrun'

const NOBODY = 65534
const made: Tsrun[] = []
afterAll(async () => {
  for (const t of made) await t.destroy()
  for (const t of made) fs.rmSync(path.dirname(t.root), { recursive: true, force: true })
})

/** A root tsrun has not made yet, below a parent any user can walk. */
function freshRoot(): Tsrun {
  const parent = newRoot('tsrun-e2e-modes-').root
  fs.chmodSync(parent, 0o755)
  const t = new Tsrun(path.join(parent, 'state'))
  made.push(t)
  return t
}

let imageTar = ''
function setuidImage(): string {
  if (!imageTar) {
    imageTar = path.join(path.dirname(busyboxRootfs()), `setuid-devices-${rand()}.tar`)
    execFileSync('python3', [path.join(SUPPORT, 'make_tar.py'), imageTar, 'setuid-devices', busyboxRootfs()])
  }
  return imageTar
}
afterAll(() => imageTar && fs.rmSync(imageTar, { force: true }))

/**
 * Run a command as the host user nobody (no groups, no capabilities): what
 * an attacker on the host can do. Not setpriv: it execs with capabilities
 * still raised, so its exec's path lookup would bypass directory modes.
 */
const DROP_TO_NOBODY = `import os, sys
os.setgroups([]); os.setgid(${NOBODY}); os.setuid(${NOBODY})
try:
    os.execvp(sys.argv[1], sys.argv[1:])
except OSError as e:
    sys.exit(f"{sys.argv[1]}: {e.strerror}")`

function asNobody(cmd: string[]): { code: number | null; out: string } {
  const r = spawnSync('python3', ['-c', DROP_TO_NOBODY, ...cmd], { encoding: 'utf8' })
  return { code: r.status, out: `${r.stdout}${r.stderr}` }
}

/** Every path below root whose name is `name` (found as root, as the attacker would guess them). */
function findAll(root: string, name: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.name === name) out.push(p)
      if (e.isDirectory() && !e.isSymbolicLink()) walk(p)
    }
  }
  walk(root)
  return out
}

/** The attacker's attempts on one setuid file and the device nodes: all must be refused. */
function expectUnreachable(root: string) {
  const suid = findAll(root, 'busybox-suid')
  expect(suid.length, 'the setuid file is in the store').toBeGreaterThan(0)
  for (const p of suid) {
    expect(fs.statSync(p).mode & 0o4000, `${p} keeps its setuid bit for containers`).toBe(0o4000)
    const r = asNobody([p, 'id', '-u'])
    expect(r.code, `nobody ran ${p}: ${r.out}`).not.toBe(0)
    expect(r.out).toMatch(/permission denied/i)
  }
  const devices = [...findAll(root, 'loop-control'), ...findAll(root, 'null').filter((p) => fs.statSync(p).isCharacterDevice())]
  expect(devices.length, 'the device nodes are in the store').toBeGreaterThan(0)
  for (const p of devices) {
    const r = asNobody(['python3', '-c', `open(${JSON.stringify(p)}, "r+b", buffering=0); print("opened")`])
    expect(r.out, `nobody opened ${p}`).not.toMatch(/opened/)
    expect(r.out).toMatch(/permission denied/i)
  }
}

function modeOf(p: string): number {
  return fs.statSync(p).mode & 0o777
}

describe('the state root is closed to other host users', () => {
  it('a root tsrun makes is 0710 and its content directories 0700', async () => {
    const t = freshRoot()
    await t.ok(['import', setuidImage(), 'suid:1'])
    expect(modeOf(t.root)).toBe(0o710)
    for (const d of ['images', 'storage', 'containers', 'volumes', 'names', 'tmp']) {
      expect(modeOf(path.join(t.root, d)), d).toBe(0o700)
    }
    expect(modeOf(path.join(t.root, 'run'))).toBe(0o700)
    expectUnreachable(t.root)
  })

  it('a root an older tsrun left open (0755 everywhere) is closed again by the next call', async () => {
    const t = freshRoot()
    await t.ok(['import', setuidImage(), 'suid:1'])
    for (const d of [t.root, ...fs.readdirSync(t.root).map((n) => path.join(t.root, n))]) {
      if (fs.statSync(d).isDirectory()) fs.chmodSync(d, 0o755)
    }
    // The attack works on such a root: that is the hole being closed.
    const open = asNobody([findAll(t.root, 'busybox-suid')[0], 'true'])
    expect(open.code, open.out).toBe(0)
    await t.ok(['images'])
    expect(modeOf(t.root)).toBe(0o710)
    expect(modeOf(path.join(t.root, 'storage'))).toBe(0o700)
    expectUnreachable(t.root)
  })

  it('containers stay usable: overlay and bind rootfs, a setuid file a container writes, a volume', async () => {
    const t = freshRoot()
    await t.ok(['import', setuidImage(), 'suid:1'])
    // The image's setuid file still works inside the container.
    const inside = await t.ok(['run', '--rm', '--user', '1000', 'suid:1', '/opt/busybox-suid', 'stat', '-c', '%a', '/opt/busybox-suid'])
    expect(inside.stdout.trim()).toBe('4755')
    const bind = await t.run(['run', '-d', '--name', 'bound', '--storage-driver', 'bind', 'suid:1', 'sleep', '60'])
    expect(bind.code, show(bind)).toBe(0)
    // A container plants setuid files in its writable layer and in a volume.
    const plant = 'cp /bin/busybox /tmp/busybox-suid && chmod 4755 /tmp/busybox-suid && cp -a /tmp/busybox-suid /data/ && sleep 60'
    await t.ok(['run', '-d', '--name', 'planter', '-v', 'vol1:/data', 'suid:1', 'sh', '-c', plant])
    const cp = await t.run(['cp', 'planter:/etc/hostname', path.join(path.dirname(t.root), 'hostname-copy')])
    expect(cp.code, show(cp)).toBe(0)
    // In the layer, the bind driver's rootfs, the planter's upper dir and the volume.
    for (let i = 0; i < 50 && findAll(t.root, 'busybox-suid').length < 4; i++) await new Promise((r) => setTimeout(r, 100))
    expect(findAll(t.root, 'busybox-suid').length).toBeGreaterThanOrEqual(4)
    expectUnreachable(t.root)
    await t.ok(['rm', '-f', 'bound', 'planter'])
  })
})
