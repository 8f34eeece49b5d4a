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
