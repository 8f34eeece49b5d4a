import { describe, expect, it } from 'vitest'
import { effectiveCapabilities, DEFAULT_CAPABILITY_SET } from '../src/containers/capabilities'
import { parseDevice, parseLogOpts, parseUlimit } from '../src/containers/host-options'
import { parseRestartPolicy } from '../src/containers/restart-policy'
import { defaultSeccompProfile } from '../src/containers/seccomp-default'
import { toOciSeccomp } from '../src/containers/seccomp-profile'
import { parseTimeArg } from '../src/util/time-arg'

const ALL = ['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_KILL']

describe('capabilities', () => {
  it("Docker's rules for add, drop and ALL", () => {
    expect(effectiveCapabilities({}, ALL)).toEqual(DEFAULT_CAPABILITY_SET)
    expect(effectiveCapabilities({ CapDrop: ['ALL'], CapAdd: ['CAP_NET_ADMIN'] }, ALL)).toEqual(['CAP_NET_ADMIN'])
    expect(effectiveCapabilities({ CapAdd: ['ALL'], CapDrop: ['CAP_KILL'] }, ALL)).toEqual(['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'])
    expect(effectiveCapabilities({ Privileged: true, CapDrop: ['ALL'] }, ALL)).toEqual(ALL)
    expect(effectiveCapabilities({ CapDrop: ['CAP_CHOWN'] }, ALL)).not.toContain('CAP_CHOWN')
  })
})

describe('flag values', () => {
  it('restart policies', () => {
    expect(parseRestartPolicy('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 })
    expect(parseRestartPolicy('always')).toEqual({ Name: 'always', MaximumRetryCount: 0 })
    expect(() => parseRestartPolicy('always:3')).toThrow(/invalid restart policy "always:3"/)
    expect(() => parseRestartPolicy('on-failure:-1')).toThrow(/invalid restart policy/)
  })

  it('ulimits, devices, log options', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ Name: 'nofile', Soft: 1024, Hard: 2048 })
    expect(parseUlimit('nproc=50')).toEqual({ Name: 'nproc', Soft: 50, Hard: 50 })
    expect(() => parseUlimit('nofile=10:5')).toThrow(/above the hard limit/)
    expect(() => parseUlimit('files=1')).toThrow(/unknown limit files/)
    expect(parseDevice('/dev/null:/dev/n2:r')).toEqual({ PathOnHost: '/dev/null', PathInContainer: '/dev/n2', CgroupPermissions: 'r' })
    expect(parseDevice('/dev/null:rw').PathInContainer).toBe('/dev/null')
    expect(() => parseDevice('/etc/passwd')).toThrow(/not a device node/)
    expect(() => parseDevice('/dev/null:xyz')).toThrow(/invalid --device "\/dev\/null:xyz": permissions must be made of r, w and m/)
    expect(() => parseDevice('/dev/null:/dev/n:rr')).toThrow(/permissions must be made of r, w and m/)
    expect(() => parseDevice('/dev/null:n2')).toThrow(/permissions must be made of r, w and m/)
    expect(parseLogOpts(['max-size=10m', 'max-file=3']).Config).toEqual({ 'max-size': '10m', 'max-file': '3' })
    expect(() => parseLogOpts(['max-file=3'])).toThrow(/needs max-size/)
    expect(() => parseLogOpts(['compress=true'])).toThrow(/unknown --log-opt "compress"/)
  })

  it('times: RFC 3339, unix seconds, durations', () => {
    const now = Date.parse('2026-11-28T04:07:10Z')
    expect(parseTimeArg('2026-11-28T04:07:10.5Z', 'x')).toBe(now * 1e6 + 5e8)
    expect(parseTimeArg('1795838830', 'x')).toBe(1795838830e9)
    expect(parseTimeArg('10m', 'x', now)).toBe((now - 600_000) * 1e6)
    expect(parseTimeArg('1h30m', 'x', now)).toBe((now - 5_400_000) * 1e6)
    expect(() => parseTimeArg('soon', '--since')).toThrow(/invalid --since value "soon"/)
  })
})

describe('seccomp profiles', () => {
  const names = (caps: string[]) => toOciSeccomp(defaultSeccompProfile(), caps, 'SCMP_ARCH_X86_64', '6.1.0').syscalls.flatMap((r) => r.names)

  it('the default blocks what Docker blocks, and gives calls back with their capability', () => {
    const plain = names(DEFAULT_CAPABILITY_SET)
    for (const blocked of ['mount', 'umount2', 'unshare', 'setns', 'reboot', 'kexec_load', 'init_module', 'ptrace', 'keyctl', 'add_key', 'bpf', 'swapon', 'io_uring_setup', 'userfaultfd', 'clock_settime']) {
      expect(plain, blocked).not.toContain(blocked)
    }
    expect(plain).toContain('read')
    expect(plain).toContain('chroot')
    expect(names([...DEFAULT_CAPABILITY_SET, 'CAP_SYS_ADMIN'])).toContain('mount')
    expect(names([...DEFAULT_CAPABILITY_SET, 'CAP_SYS_PTRACE'])).toContain('ptrace')
  })

  it('clone keeps its namespace-flag check unless CAP_SYS_ADMIN', () => {
    const rules = toOciSeccomp(defaultSeccompProfile(), DEFAULT_CAPABILITY_SET, 'SCMP_ARCH_X86_64').syscalls.filter((r) => r.names.includes('clone'))
    expect(rules).toHaveLength(1)
    expect(rules[0].args?.[0]).toMatchObject({ op: 'SCMP_CMP_MASKED_EQ', valueTwo: 0 })
    const arch = toOciSeccomp(defaultSeccompProfile(), [], 'SCMP_ARCH_X86_64').architectures
    expect(arch).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'])
  })

  it('includes and excludes by kernel version and arch', () => {
    const p = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [
      { names: ['a'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.2' } },
      { names: ['b'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
      { name: 'c', action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
      { names: ['d'], action: 'SCMP_ACT_ALLOW' },
    ] }
    expect(toOciSeccomp(p, [], 'SCMP_ARCH_X86_64', '6.1.9').syscalls.flatMap((r) => r.names)).toEqual(['d'])
    expect(toOciSeccomp(p, [], 'SCMP_ARCH_X86_64', '6.18.0-x').syscalls.flatMap((r) => r.names)).toEqual(['a', 'd'])
  })
})
