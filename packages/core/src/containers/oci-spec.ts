import * as path from 'node:path'
import type { MountSpec } from '../backends/storage'
import { ociNamespaces, shmMount } from './namespace-modes'
import type { ContainerRecord } from './record'
import { ociResources } from './resources'
import { applyHostOptions } from './security-spec'

/** Docker's default capability set: exactly these 14. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]

/** Paths Docker hides from containers (kernel internals, host hardware). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
]

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']

/** Files the engine writes per container and binds over the image's. */
export interface EtcFiles {
  hostname: string
  hosts: string
  resolvConf: string
}

/** The OCI runtime spec (config.json) for a container: pure function of its record. */
export function buildRuntimeSpec(rec: ContainerRecord, etc: EtcFiles): Record<string, unknown> {
  const { uid, gid } = numericUser(rec.config.User)
  // A private cgroup namespace unless --cgroupns host (Docker's default on
  // cgroup v2, and here on v1 too): a container given CAP_SYS_ADMIN can then
  // mount only its own subtree of any hierarchy, where no `release_agent`
  // file exists, and cannot create a new hierarchy (CVE-2022-0492).
  // --ipc/--pid/--uts: namespace-modes.ts.
  const namespaces = ociNamespaces(rec.hostConfig, rec.hostConfig.NetworkMode === 'host')
  const caps = DEFAULT_CAPABILITIES
  const annotations: Record<string, string> = {
    'io.tsrun.rootfs-mounts': JSON.stringify(rec.rootfs.mounts),
  }
  if (rec.config.User) annotations['io.tsrun.user'] = rec.config.User
  if (rec.hostConfig.Init) annotations['io.tsrun.init'] = 'true'
  // Capabilities, seccomp, devices, ulimits, restart and log rotation: security-spec.ts.
  return applyHostOptions({
    ociVersion: '1.0.2',
    process: {
      terminal: rec.config.Tty,
      user: { uid, gid },
      args: [rec.path, ...rec.args],
      env: rec.config.Env,
      cwd: rec.config.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: false,
    },
    root: { path: rec.rootfs.path, readonly: false },
    hostname: rec.config.Hostname,
    mounts: orderMounts([...systemMounts(rec), ...etcMounts(etc)], (rec.mounts ?? []).map((m) => m.oci)),
    linux: {
      namespaces,
      cgroupsPath: rec.cgroupsPath,
      resources: ociResources(rec.hostConfig),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      rootfsPropagation: rootfsPropagation(rec),
    },
    annotations,
  }, rec.hostConfig, { containerDir: path.dirname(etc.hostname), name: rec.name, image: rec.config.Image })
}

/**
 * `rprivate`, unless a bind asks for slave or shared propagation: then the
 * container's mount namespace must stay a slave of the host's (`rslave`),
 * or the host's later mounts could never reach it.
 */
function rootfsPropagation(rec: ContainerRecord): string {
  return (rec.mounts ?? []).some((m) => /slave|shared/.test(m.Propagation)) ? 'rslave' : 'rprivate'
}

function systemMounts(rec: ContainerRecord): Array<MountSpec & { destination: string }> {
  // /dev/shm as --ipc and --shm-size say (none: no /dev/shm at all).
  const shm = shmMount(rec.hostConfig)
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    ...(shm ? [shm] : []),
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ]
}

/**
 * The engine's own mounts plus the user's, as Docker orders them: a user
 * mount on the same destination replaces the engine's (`-v ./hosts:/etc/hosts`),
 * and every mount comes after the mounts of its parents (sorted by depth,
 * stable), so `-v data:/etc` does not hide /etc/hostname, /etc/hosts and
 * /etc/resolv.conf.
 */
export function orderMounts<M extends { destination: string }>(engine: M[], user: M[]): M[] {
  const taken = new Set(user.map((m) => m.destination))
  const all = [...engine.filter((m) => !taken.has(m.destination)), ...user]
  const depth = (m: M) => m.destination.split('/').filter(Boolean).length
  return all.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i).map(({ m }) => m)
}

/**
 * Files the engine bind-mounts into every container: their mount targets
 * (empty files the runtime creates in the rootfs when the image has none)
 * are no change of the container's own (`diff`, `commit`), as Docker keeps
 * them in an init layer below the container's.
 */
export const ENGINE_FILE_MOUNTS = ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf'] as const

function etcMounts(etc: EtcFiles): Array<MountSpec & { destination: string }> {
  const bind = (destination: string, source: string) => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] })
  const sources = [etc.hostname, etc.hosts, etc.resolvConf]
  return ENGINE_FILE_MOUNTS.map((d, i) => bind(d, sources[i]))
}

/** uid/gid when the user spec is numeric; names are resolved by the runtime inside the rootfs. */
export function numericUser(user: string): { uid: number; gid: number } {
  const [u, g] = (user || '0').split(':')
  const uid = /^\d+$/.test(u) ? Number(u) : 0
  const gid = g !== undefined && /^\d+$/.test(g) ? Number(g) : 0
  return { uid, gid }
}

/** /etc/hosts for a container: loopback names plus its own hostname. */
export function hostsFile(hostname: string): string {
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    `127.0.1.1\t${hostname}`,
    '',
  ].join('\n')
}
