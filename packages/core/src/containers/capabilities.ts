import * as fs from 'node:fs'

/** Docker's default capability set: exactly these 14 (bounding, effective and permitted). */
export const DEFAULT_CAPABILITY_SET = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]

/** Every capability, in kernel order (CAP_CHOWN = 0); the shim drops those the kernel lacks. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
]

/**
 * The capabilities this process may hand on (its bounding set): a host that
 * withholds some (CAP_SYS_RESOURCE here) cannot give them to a container,
 * so `ALL` and `--privileged` mean "all of these".
 */
export function grantableCapabilities(status = readSelfStatus()): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)
  if (!m) return [...CAPABILITY_NAMES]
  const mask = BigInt(`0x${m[1]}`)
  return CAPABILITY_NAMES.filter((_, i) => (mask >> BigInt(i)) & 1n)
}

function readSelfStatus(): string {
  try {
    return fs.readFileSync('/proc/self/status', 'utf8')
  } catch {
    return ''
  }
}

/**
 * The container's capabilities, as Docker computes them: the default set,
 * `--cap-drop` applied (ALL empties it), then `--cap-add` (ALL is every
 * capability); `--privileged` is every capability whatever the rest says.
 */
export function effectiveCapabilities(o: { CapAdd?: string[]; CapDrop?: string[]; Privileged?: boolean }, grantable = grantableCapabilities()): string[] {
  if (o.Privileged) return [...grantable]
  const add = o.CapAdd ?? []
  const drop = o.CapDrop ?? []
  let caps = drop.includes('ALL') ? [] : DEFAULT_CAPABILITY_SET.filter((c) => !drop.includes(c))
  if (add.includes('ALL')) caps = [...grantable]
  else for (const c of add) if (!caps.includes(c)) caps.push(c)
  // Docker: an explicit drop wins over ALL added, an explicit add over ALL dropped.
  if (add.includes('ALL')) caps = caps.filter((c) => !drop.includes(c))
  return caps
}
