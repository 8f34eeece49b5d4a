import * as fs from 'node:fs'
import { InvalidArgumentError } from '../errors'
import { parseByteSize } from '../volumes/byte-size'
import { loadSeccompProfile, type DockerSeccompProfile } from './seccomp-profile'
import { parseRestartPolicy, type RestartPolicy } from './restart-policy'
import { CAPABILITY_NAMES, grantableCapabilities } from './capabilities'

/** `--ulimit nofile=1024:2048` */
export interface Ulimit {
  Name: string
  Soft: number
  Hard: number
}

/** `--device /dev/x[:/dev/y][:rwm]` */
export interface DeviceMapping {
  PathOnHost: string
  PathInContainer: string
  CgroupPermissions: string
}

/** The log drivers: Docker's `json-file` (the default), `journald` and `none`, and podman's `k8s-file`. */
export const LOG_DRIVERS = ['json-file', 'k8s-file', 'none', 'journald'] as const
export type LogDriver = (typeof LOG_DRIVERS)[number]

/** journald's socket: the `journald` driver needs a journald running on the host. */
export const JOURNALD_SOCKET = '/run/systemd/journal/socket'

/** `--log-driver` and its options (`--log-opt`); rotation for the two file drivers. */
export interface LogConfig {
  Type: LogDriver
  Config: { 'max-size'?: string; 'max-file'?: string }
}

/**
 * The security, restart and log choices of a container, under Docker's
 * HostConfig names (so `inspect` shows them as Docker does). Every field is
 * optional: absent means Docker's default.
 */
export interface HostOptions {
  CapAdd?: string[]
  CapDrop?: string[]
  Privileged?: boolean
  ReadonlyRootfs?: boolean
  /** As typed: `no-new-privileges`, `seccomp=unconfined`, `seccomp=/path.json`. */
  SecurityOpt?: string[]
  /** The profile read from `seccomp=FILE` at create (the file may go away later). */
  SeccompProfile?: DockerSeccompProfile
  Ulimits?: Ulimit[]
  Sysctls?: Record<string, string>
  Devices?: DeviceMapping[]
  RestartPolicy?: RestartPolicy
  LogConfig?: LogConfig
  /** `--oom-score-adj`, -1000 to 1000. */
  OomScoreAdj?: number
  /** `--group-add`, as typed: gids or group names of the container's /etc/group. */
  GroupAdd?: string[]
}

/** The flag values, as typed on `run`/`create`. */
export interface HostFlagInput {
  capAdd?: string[]
  capDrop?: string[]
  privileged?: boolean
  readOnly?: boolean
  securityOpt?: string[]
  ulimit?: string[]
  sysctl?: string[]
  device?: string[]
  restart?: string
  logOpt?: string[]
  logDriver?: string
  oomScoreAdj?: number
  groupAdd?: string[]
  autoRemove?: boolean
  network?: string
}

/** Parse and check every flag, so a bad value fails before anything is made. */
export function parseHostOptions(f: HostFlagInput): HostOptions {
  const out: HostOptions = {}
  if (f.capAdd?.length) {
    out.CapAdd = f.capAdd.map((c) => capabilityName(c, '--cap-add'))
    const grantable = grantableCapabilities()
    const missing = out.CapAdd.find((c) => c !== 'ALL' && !grantable.includes(c))
    if (missing) throw new InvalidArgumentError(`--cap-add ${missing}: tsrun does not hold it on this host, so it cannot give it to a container`)
  }
  if (f.capDrop?.length) out.CapDrop = f.capDrop.map((c) => capabilityName(c, '--cap-drop'))
  if (f.privileged) out.Privileged = true
  if (f.readOnly) out.ReadonlyRootfs = true
  if (f.securityOpt?.length) {
    out.SecurityOpt = []
    for (const opt of f.securityOpt) {
      const [key, value] = splitOnce(opt, /[=:]/)
      if (key === 'no-new-privileges' && (value === undefined || value === 'true' || value === 'false')) {
        out.SecurityOpt.push(value === 'false' ? 'no-new-privileges=false' : 'no-new-privileges')
      } else if (key === 'seccomp' && value) {
        if (value !== 'unconfined') out.SeccompProfile = loadSeccompProfile(value)
        out.SecurityOpt.push(`seccomp=${value}`)
      } else if (key === 'label' || key === 'apparmor') {
        throw new InvalidArgumentError(`--security-opt ${opt}: ${key} is not supported (no LSM support in tsrun)`)
      } else {
        throw new InvalidArgumentError(`invalid --security-opt "${opt}": use no-new-privileges, seccomp=unconfined or seccomp=PROFILE.json`)
      }
    }
  }
  if (f.ulimit?.length) out.Ulimits = f.ulimit.map(parseUlimit)
  if (f.sysctl?.length) {
    out.Sysctls = {}
    for (const s of f.sysctl) {
      const [k, v] = splitOnce(s, /=/)
      if (!k || v === undefined) throw new InvalidArgumentError(`invalid --sysctl "${s}": expected KEY=VALUE`)
      checkSysctl(k, f.network ?? 'none')
      out.Sysctls[k] = v
    }
  }
  if (f.device?.length) out.Devices = f.device.map(parseDevice)
  if (f.restart !== undefined) {
    out.RestartPolicy = parseRestartPolicy(f.restart)
    if (f.autoRemove && out.RestartPolicy.Name !== 'no') throw new InvalidArgumentError('conflicting options: --restart and --rm')
  }
  if (f.logOpt?.length || f.logDriver !== undefined) out.LogConfig = parseLogOpts(f.logOpt ?? [], f.logDriver)
  if (f.oomScoreAdj !== undefined) out.OomScoreAdj = parseOomScoreAdj(f.oomScoreAdj)
  if (f.groupAdd?.length) {
    out.GroupAdd = f.groupAdd.map((g) => {
      if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(g)) throw new InvalidArgumentError(`invalid --group-add "${g}": give a group name or a numeric gid`)
      return g
    })
  }
  return out
}

/**
 * Docker's range, and a value below this process's own (which the kernel
 * refuses without CAP_SYS_RESOURCE) is refused here rather than at start.
 */
function parseOomScoreAdj(n: number): number {
  if (!Number.isInteger(n) || n < -1000 || n > 1000) throw new InvalidArgumentError(`invalid value ${n} for --oom-score-adj: the range is [-1000, 1000]`)
  let own = 0
  try {
    own = Number(fs.readFileSync('/proc/self/oom_score_adj', 'utf8').trim())
  } catch {
    /* no procfs: let the runtime say */
  }
  if (n < own && !grantableCapabilities().includes('CAP_SYS_RESOURCE')) {
    throw new InvalidArgumentError(`--oom-score-adj ${n}: lowering the OOM score below ${own} needs CAP_SYS_RESOURCE, which tsrun does not hold on this host`)
  }
  return n
}

function splitOnce(s: string, sep: RegExp): [string, string | undefined] {
  const m = sep.exec(s)
  return m ? [s.slice(0, m.index), s.slice(m.index + m[0].length)] : [s, undefined]
}

/** `chown`, `CAP_CHOWN`, `ALL` → `CAP_CHOWN` / `ALL`; unknown names are an error. */
export function capabilityName(input: string, flag: string): string {
  const up = input.trim().toUpperCase()
  if (up === 'ALL') return 'ALL'
  const name = up.startsWith('CAP_') ? up : `CAP_${up}`
  if (!CAPABILITY_NAMES.includes(name)) throw new InvalidArgumentError(`${flag} ${input}: unknown capability`)
  return name
}

const RLIMITS = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as']

/** `nofile=1024:2048` or `nofile=1024` (soft = hard), as Docker's `--ulimit`. */
export function parseUlimit(s: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(s.trim())
  if (!m) throw new InvalidArgumentError(`invalid --ulimit "${s}": expected NAME=SOFT[:HARD], e.g. nofile=1024:2048`)
  if (!RLIMITS.includes(m[1])) throw new InvalidArgumentError(`invalid --ulimit "${s}": unknown limit ${m[1]} (one of ${RLIMITS.join(', ')})`)
  const soft = Number(m[2])
  const hard = m[3] === undefined ? soft : Number(m[3])
  if (soft > hard && hard !== -1) throw new InvalidArgumentError(`invalid --ulimit "${s}": the soft limit ${soft} is above the hard limit ${hard}`)
  return { Name: m[1], Soft: soft, Hard: hard }
}

const IPC_SYSCTLS = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']

/** Only sysctls the container's own namespaces scope (IPC, mqueue, net) may be set, as Docker allows. */
function checkSysctl(key: string, network: string): void {
  if (IPC_SYSCTLS.includes(key) || key.startsWith('fs.mqueue.')) return
  if (key.startsWith('net.')) {
    if (network === 'host') throw new InvalidArgumentError(`--sysctl ${key}: not allowed with --network host (it would change the host)`)
    return
  }
  throw new InvalidArgumentError(`--sysctl ${key}: not namespaced, so it would change the host; allowed are kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* and net.*`)
}

/** `/dev/x`, `/dev/x:/dev/y`, `/dev/x:rw`, `/dev/x:/dev/y:rwm`. */
export function parseDevice(s: string): DeviceMapping {
  const parts = s.split(':')
  // r, w and m, each at most once (Docker's validDeviceMode).
  const isPerm = (p: string | undefined) => p !== undefined && /^[rwm]{1,3}$/.test(p) && new Set(p).size === p.length
  let host = parts[0]
  let inside = parts[0]
  let perms = 'rwm'
  if (parts.length === 2) {
    // A second part that is not a path is meant as permissions.
    if (parts[1].startsWith('/')) inside = parts[1]
    else if (isPerm(parts[1])) perms = parts[1]
    else throw new InvalidArgumentError(`invalid --device "${s}": permissions must be made of r, w and m`)
  } else if (parts.length === 3) {
    inside = parts[1]
    perms = parts[2]
    if (!isPerm(perms)) throw new InvalidArgumentError(`invalid --device "${s}": permissions must be made of r, w and m`)
  } else if (parts.length > 3) {
    throw new InvalidArgumentError(`invalid --device "${s}": expected /dev/HOST[:/dev/CONTAINER][:rwm]`)
  }
  host = host.trim()
  if (!host.startsWith('/') || !inside.startsWith('/')) throw new InvalidArgumentError(`invalid --device "${s}": paths must be absolute`)
  let st: fs.Stats
  try {
    st = fs.statSync(host)
  } catch {
    throw new InvalidArgumentError(`--device ${host}: no such device on the host`)
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new InvalidArgumentError(`--device ${host}: not a device node`)
  return { PathOnHost: host, PathInContainer: inside, CgroupPermissions: perms }
}

/**
 * `--log-driver` (default json-file) and `--log-opt max-size=10m
 * --log-opt max-file=3`, which the two file drivers take; `none` and
 * `journald` take no options. `journald` needs the host's journald.
 */
export function parseLogOpts(opts: string[], driver = 'json-file'): LogConfig {
  if (!(LOG_DRIVERS as readonly string[]).includes(driver)) {
    throw new InvalidArgumentError(`--log-driver "${driver}": unknown log driver; use ${LOG_DRIVERS.join(', ')}`)
  }
  const type = driver as LogDriver
  if (type === 'journald' && !fs.existsSync(JOURNALD_SOCKET)) {
    throw new InvalidArgumentError(`--log-driver journald: no journald on this host (${JOURNALD_SOCKET} is missing); use json-file (the default) or k8s-file`)
  }
  const config: LogConfig['Config'] = {}
  for (const o of opts) {
    const [k, v] = splitOnce(o, /=/)
    if (v === undefined || v === '') throw new InvalidArgumentError(`invalid --log-opt "${o}": expected KEY=VALUE`)
    if (type === 'none' || type === 'journald') throw new InvalidArgumentError(`unknown --log-opt "${k}" for the ${type} log driver: it takes no options`)
    if (k === 'max-size') {
      parseByteSize(v, '--log-opt max-size')
      config['max-size'] = v
    } else if (k === 'max-file') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`invalid --log-opt max-file "${v}": give a whole number of at least 1`)
      config['max-file'] = v
    } else {
      throw new InvalidArgumentError(`unknown --log-opt "${k}" for the ${type} log: use max-size or max-file`)
    }
  }
  if (config['max-file'] && Number(config['max-file']) > 1 && !config['max-size']) {
    throw new InvalidArgumentError('--log-opt max-file needs max-size: files are rotated when they reach max-size')
  }
  return { Type: type, Config: config }
}

/** `--log-opt max-size`, in bytes (0: no rotation). */
export function logMaxBytes(c: LogConfig | undefined): number {
  const s = c?.Config['max-size']
  return s ? parseByteSize(s, '--log-opt max-size') : 0
}
