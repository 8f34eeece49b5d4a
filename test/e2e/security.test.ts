// Security defaults as Docker's, measured from inside the container: capability
// sets, masked and read-only paths, seccomp, no_new_privs, read-only root,
// ulimits, sysctls, devices; and bad input refused with one line, exit 125.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** Docker's 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
const DOCKER_DEFAULT_CAPS = '00000000a80425fb'

async function run(args: string[]) {
  return t.run(['run', '--rm', ...args])
}

async function out(args: string[]): Promise<string> {
  const r = await run(args)
  if (r.code !== 0) throw new Error(`run ${args.join(' ')} failed:\n${show(r)}`)
  return r.stdout
}

function statusField(status: string, field: string): string {
  const m = new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(status)
  if (!m) throw new Error(`no ${field} in:\n${status}`)
  return m[1]
}

function hostCapBnd(): string {
  return statusField(fs.readFileSync('/proc/self/status', 'utf8'), 'CapBnd')
}

describe('capabilities', () => {
  it("are exactly Docker's 14 in the bounding, permitted and effective sets", async () => {
    const s = await out(['demo:1', 'cat', '/proc/1/status'])
    expect(statusField(s, 'CapBnd')).toBe(DOCKER_DEFAULT_CAPS)
    expect(statusField(s, 'CapPrm')).toBe(DOCKER_DEFAULT_CAPS)
    expect(statusField(s, 'CapEff')).toBe(DOCKER_DEFAULT_CAPS)
    expect(statusField(s, 'CapInh')).toBe('0000000000000000')
    expect(statusField(s, 'CapAmb')).toBe('0000000000000000')
  })

  it('--cap-drop ALL --cap-add NET_ADMIN leaves only NET_ADMIN (bit 12)', async () => {
    const s = await out(['--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN', 'demo:1', 'cat', '/proc/1/status'])
    expect(statusField(s, 'CapEff')).toBe('0000000000001000')
    expect(statusField(s, 'CapBnd')).toBe('0000000000001000')
  })

  it('--cap-drop CHOWN takes chown away', async () => {
    const r = await run(['--cap-drop', 'chown', 'demo:1', 'sh', '-c', 'touch /tmp/f && chown 1000 /tmp/f'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
    expect(await out(['demo:1', 'sh', '-c', 'touch /tmp/f && chown 1000 /tmp/f && echo chowned'])).toBe('chowned\n')
  })

  it('--cap-add ALL and --privileged give every capability this host grants', async () => {
    expect(statusField(await out(['--cap-add', 'ALL', 'demo:1', 'cat', '/proc/1/status']), 'CapEff')).toBe(hostCapBnd())
    expect(statusField(await out(['--privileged', 'demo:1', 'cat', '/proc/1/status']), 'CapEff')).toBe(hostCapBnd())
  })
})

describe('masked and read-only paths', () => {
  it('masked paths read empty', async () => {
    expect(await out(['demo:1', 'sh', '-c', 'wc -c < /proc/interrupts; wc -c < /proc/timer_list; ls /sys/firmware | wc -l'])).toBe('0\n0\n0\n')
  })

  it('/proc/sys (and the other read-only paths this kernel has) are read-only', async () => {
    const mi = await out(['demo:1', 'cat', '/proc/self/mountinfo'])
    const present = lines(await out(['demo:1', 'sh', '-c', 'for p in /proc/sys /proc/sysrq-trigger /proc/bus /proc/fs /proc/irq; do test -e $p && echo $p; done']))
    expect(present).toContain('/proc/sys')
    for (const p of present) {
      const line = lines(mi).find((l) => l.split(' ')[4] === p)
      expect(line, `${p} in\n${mi}`).toBeDefined()
      expect(line!.split(' ')[5].split(',')).toContain('ro')
    }
    const r = await run(['demo:1', 'sh', '-c', 'echo 1 > /proc/sys/kernel/ns_last_pid'])
    expect(r.code, show(r)).not.toBe(0)
  })

  it('--privileged masks nothing and shows the host devices', async () => {
    const n = Number((await out(['--privileged', 'demo:1', 'sh', '-c', 'wc -c < /proc/interrupts'])).trim())
    expect(n).toBeGreaterThan(0)
    expect(await out(['--privileged', 'demo:1', 'sh', '-c', 'test -c /dev/fuse -o -c /dev/kmsg -o -c /dev/mem && echo has-host-devices'])).toBe('has-host-devices\n')
  })

  it('only the standard devices by default', async () => {
    const devs = lines(await out(['demo:1', 'sh', '-c', 'find /dev -type c -o -type b | grep -v "^/dev/pts/" | sort']))
    expect(devs).toEqual(['/dev/full', '/dev/null', '/dev/random', '/dev/tty', '/dev/urandom', '/dev/zero'])
  })
})

describe('seccomp', () => {
  it('the default profile is on and refuses unshare(CLONE_NEWUSER) with EPERM', async () => {
    expect(statusField(await out(['demo:1', 'cat', '/proc/1/status']), 'Seccomp')).toBe('2')
    const r = await run(['demo:1', 'unshare', '-U', 'true'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
  })

  it('seccomp=unconfined and --privileged let it through', async () => {
    expect(await out(['--security-opt', 'seccomp=unconfined', 'demo:1', 'sh', '-c', 'grep ^Seccomp: /proc/1/status; unshare -U true && echo through'])).toMatch(/Seccomp:\s+0\nthrough\n/)
    expect(await out(['--privileged', 'demo:1', 'sh', '-c', 'unshare -U true && echo through'])).toBe('through\n')
  })

  it('binds processes started with exec too', async () => {
    await t.ok(['run', '-d', '--name', 'sec-exec', 'demo:1', 'sleep', '60'])
    const status = await t.ok(['exec', 'sec-exec', 'cat', '/proc/self/status'])
    expect(statusField(status.stdout, 'Seccomp')).toBe('2')
    const r = await t.run(['exec', 'sec-exec', 'unshare', '-U', 'true'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
    await t.ok(['rm', '-f', 'sec-exec'])
  })

  it('a profile file in Docker format is applied', async () => {
    const f = path.join(t.root, 'no-mkdir.json')
    fs.writeFileSync(f, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }))
    const r = await run(['--security-opt', `seccomp=${f}`, 'demo:1', 'mkdir', '/tmp/d'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
    expect(await out(['--security-opt', `seccomp=${f}`, 'demo:1', 'sh', '-c', 'touch /tmp/f && echo other-calls-work'])).toBe('other-calls-work\n')
  })
})

describe('no-new-privileges, read-only, ulimit, sysctl, device', () => {
  it('no_new_privs is off by default and on with --security-opt no-new-privileges', async () => {
    expect(statusField(await out(['demo:1', 'cat', '/proc/1/status']), 'NoNewPrivs')).toBe('0')
    const s = await out(['--security-opt', 'no-new-privileges', 'demo:1', 'cat', '/proc/1/status'])
    expect(statusField(s, 'NoNewPrivs')).toBe('1')
    expect(statusField(s, 'Seccomp')).toBe('2')
  })

  it('--read-only makes the root read-only', async () => {
    const r = await run(['--read-only', 'demo:1', 'touch', '/etc/x'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/read-only file system/i)
  })

  it('--ulimit nofile=1024:2048 is what ulimit reports', async () => {
    expect(await out(['--ulimit', 'nofile=1024:2048', 'demo:1', 'sh', '-c', 'ulimit -n; ulimit -Hn'])).toBe('1024\n2048\n')
  })

  it('--sysctl sets namespaced parameters', async () => {
    expect(await out(['--sysctl', 'kernel.shmmax=123456', '--sysctl', 'net.ipv4.ip_forward=1', 'demo:1', 'cat', '/proc/sys/kernel/shmmax', '/proc/sys/net/ipv4/ip_forward'])).toBe('123456\n1\n')
  })

  it('--device adds a host device, under another name too', async () => {
    expect(fs.existsSync('/dev/fuse')).toBe(true)
    expect(await out(['--device', '/dev/fuse:/dev/myfuse:rw', 'demo:1', 'sh', '-c', 'test -c /dev/myfuse && echo char'])).toBe('char\n')
  })

  it('inspect shows the choices in HostConfig', async () => {
    await t.ok(['create', '--name', 'sec', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', '--read-only', '--security-opt', 'no-new-privileges', '--ulimit', 'nofile=100:200', 'demo:1', 'true'])
    const i = await t.inspect('sec')
    expect(i.HostConfig.CapAdd).toEqual(['CAP_NET_ADMIN'])
    expect(i.HostConfig.CapDrop).toEqual(['CAP_MKNOD'])
    expect(i.HostConfig.ReadonlyRootfs).toBe(true)
    expect(i.HostConfig.SecurityOpt).toEqual(['no-new-privileges'])
    expect(i.HostConfig.Ulimits).toEqual([{ Name: 'nofile', Soft: 100, Hard: 200 }])
    await t.ok(['rm', 'sec'])
  })
})

describe('device cgroup', () => {
  // A node a root process makes itself (it has CAP_MKNOD, as in Docker) must
  // not open the device. 8:0 is a disk (absent here: without the rule, ENXIO);
  // 7:0 is /dev/loop0, which this host lets root open (unbound: reads 0 bytes).
  it('a default container may make block nodes but not open them', async () => {
    for (const cmd of ['mknod /tmp/sda b 8 0 && head -c1 /tmp/sda', 'mknod /tmp/loop b 7 0 && head -c1 /tmp/loop']) {
      const r = await run(['demo:1', 'sh', '-c', cmd])
      expect(r.code, show(r)).not.toBe(0)
      expect(r.stderr).toMatch(/operation not permitted/i)
    }
  })

  it('the standard devices and ptys still work', async () => {
    const script = 'echo x > /dev/null && head -c3 /dev/zero | wc -c && head -c4 /dev/urandom | wc -c && head -c2 /dev/full | wc -c && exec 3<>/dev/ptmx && echo ptmx'
    expect(await out(['demo:1', 'sh', '-c', script])).toBe('3\n4\n2\nptmx\n')
    // Making a node of a standard device and using it is fine too.
    expect(await out(['demo:1', 'sh', '-c', 'mknod /tmp/z c 1 5 && head -c1 /tmp/z | wc -c'])).toBe('1\n')
  })

  it('binds processes started with exec too', async () => {
    await t.ok(['run', '-d', '--name', 'dev-exec', 'demo:1', 'sleep', '60'])
    const r = await t.run(['exec', 'dev-exec', 'sh', '-c', 'mknod /tmp/loop b 7 0 && head -c1 /tmp/loop'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
    await t.ok(['rm', '-f', 'dev-exec'])
  })

  it('--device gives its node with its permissions', async () => {
    expect(fs.existsSync('/dev/loop-control')).toBe(true)
    expect(await out(['--device', '/dev/loop-control', 'demo:1', 'sh', '-c', 'exec 3</dev/loop-control && echo opened'])).toBe('opened\n')
    const r = await run(['--device', '/dev/loop-control:/dev/lc:m', 'demo:1', 'sh', '-c', 'exec 3</dev/lc'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/operation not permitted/i)
  })

  it('--privileged may open the block node it makes', async () => {
    expect(await out(['--privileged', 'demo:1', 'sh', '-c', 'mknod /tmp/loop b 7 0 && head -c1 /tmp/loop > /dev/null && echo opened'])).toBe('opened\n')
  })

  it('the rules are in the OCI spec, as Docker and runc write them', async () => {
    await t.ok(['create', '--name', 'dev-spec', '--device', '/dev/loop-control:/dev/lc:rw', 'demo:1', 'true'])
    const id = (await t.inspect('dev-spec')).Id
    const spec = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'bundle', 'config.json'), 'utf8'))
    const rules = spec.linux.resources.devices
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' })
    expect(rules).toContainEqual({ allow: true, type: 'c', major: 10, minor: 237, access: 'rw' })
    expect(rules).toContainEqual({ allow: true, type: 'b', access: 'm' })
    await t.ok(['update', '--memory', '64m', 'dev-spec'])
    const after = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'bundle', 'config.json'), 'utf8'))
    expect(after.linux.resources.devices, 'update keeps the device rules').toEqual(rules)
    await t.ok(['rm', 'dev-spec'])
  })
})

describe('bad input: one line, exit 125, nothing made', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a seccomp file that is not JSON', ['--security-opt', 'seccomp=NOTJSON'], /seccomp profile .*not valid JSON/],
    ['a missing seccomp file', ['--security-opt', 'seccomp=/nonexistent/p.json'], /seccomp profile \/nonexistent\/p.json: no such file/],
    ['an unknown capability', ['--cap-add', 'CAP_NOPE'], /--cap-add CAP_NOPE: unknown capability/],
    ['a restart policy that does not parse', ['--restart', 'sometimes'], /invalid restart policy "sometimes"/],
    ['on-failure with a bad count', ['--restart', 'on-failure:x'], /invalid restart policy "on-failure:x"/],
    ['--restart with --rm', ['--restart', 'always', '--rm'], /conflicting options: --restart and --rm/],
    ['a bad ulimit', ['--ulimit', 'nofile=abc'], /invalid --ulimit "nofile=abc"/],
    ['a host sysctl', ['--sysctl', 'kernel.panic=1'], /--sysctl kernel.panic: not namespaced/],
    ['a missing device', ['--device', '/dev/nope'], /--device \/dev\/nope: no such device/],
    ['bad device permissions', ['--device', '/dev/loop-control:xyz'], /invalid --device "\/dev\/loop-control:xyz": permissions must be made of r, w and m/],
    ['bad device permissions after a path', ['--device', '/dev/loop-control:/dev/lc:rwx'], /permissions must be made of r, w and m/],
    ['an unknown security option', ['--security-opt', 'foo'], /invalid --security-opt "foo"/],
  ]
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const bad = path.join(t.root, 'bad.json')
      fs.writeFileSync(bad, 'not json {')
      const argv = flags.map((f) => f.replace('NOTJSON', bad))
      const before = (await t.psJson()).length
      const r = await t.run(['run', ...argv, 'demo:1', 'true'])
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).toMatch(message)
      expect(lines(r.stderr)).toHaveLength(1)
      expect(r.stderr).not.toMatch(STACK_TRACE)
      expect((await t.psJson()).length).toBe(before)
    })
  }

  it('a signal name that does not exist', async () => {
    await t.ok(['run', '-d', '--name', 'sigs', 'demo:1', 'sleep', '60'])
    const r = await t.run(['kill', '-s', 'SIGNOPE', 'sigs'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/invalid signal: SIGNOPE/)
    expect(lines(r.stderr)).toHaveLength(1)
    expect((await t.inspect('sigs')).State.Running).toBe(true)
    await t.ok(['rm', '-f', 'sigs'])
  })
})
