import * as fs from 'node:fs'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { effectiveCapabilities } from './capabilities'
import { deviceCgroupRules } from './device-rules'
import type { DeviceMapping, HostOptions } from './host-options'
import { logMaxBytes } from './host-options'
import { restartAnnotation } from './restart-policy'
import { defaultSeccompProfile } from './seccomp-default'
import { toOciSeccomp } from './seccomp-profile'

/** Annotations the monitor reads (docs/runtime-contract.md). */
export const ANNOTATION_RESTART = 'io.tsrun.restart'
export const ANNOTATION_LOG_MAX_SIZE = 'io.tsrun.log-max-size'
export const ANNOTATION_LOG_MAX_FILE = 'io.tsrun.log-max-file'
export const ANNOTATION_EVENTS_LOG = 'io.tsrun.events-log'
export const ANNOTATION_NAME = 'io.tsrun.name'
export const ANNOTATION_LOG_DRIVER = 'io.tsrun.log-driver'
export const ANNOTATION_IMAGE = 'io.tsrun.image'
export const ANNOTATION_GROUP_ADD = 'io.tsrun.group-add'

/** The devices every container gets (the shim's defaults), as OCI entries. */
const STANDARD_DEVICES: Array<[string, number, number]> = [
  ['/dev/null', 1, 3], ['/dev/zero', 1, 5], ['/dev/full', 1, 7], ['/dev/random', 1, 8], ['/dev/urandom', 1, 9], ['/dev/tty', 5, 0],
]

type Spec = Record<string, any>

export interface SpecContext {
  /** `<root>/containers/<id>`: the events journal is `<root>/events.log`. */
  containerDir: string
  /** The container's name, for the events the monitor writes. */
  name: string
  /** The image as named, for the journal's IMAGE_NAME. */
  image?: string
}

/**
 * Apply the container's security, restart and log choices to its OCI spec
 * (in place; answers it). Without any of them this is Docker's default:
 * the 14 capabilities, masked and read-only paths, the standard devices
 * and a device cgroup allowing only those, the default seccomp profile.
 */
export function applyHostOptions(spec: Spec, o: HostOptions, ctx: SpecContext): Spec {
  const caps = effectiveCapabilities(o)
  spec.process.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] }
  const opts = o.SecurityOpt ?? []
  if (opts.includes('no-new-privileges')) spec.process.noNewPrivileges = true
  if (o.ReadonlyRootfs) spec.root.readonly = true
  if (o.Ulimits?.length) {
    spec.process.rlimits = o.Ulimits.map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, soft: limit(u.Soft), hard: limit(u.Hard) }))
  }
  if (o.Sysctls) spec.linux.sysctl = { ...o.Sysctls }

  const seccompOpt = opts.find((s) => s.startsWith('seccomp='))
  const mapped = o.Privileged ? [] : (o.Devices ?? []).map((mapping) => ({ mapping, node: mappedDevice(mapping) }))
  if (o.Privileged) {
    spec.linux.maskedPaths = []
    spec.linux.readonlyPaths = []
    for (const m of spec.mounts as Array<{ destination: string; options?: string[] }>) {
      if (m.destination === '/sys') m.options = (m.options ?? []).filter((x) => x !== 'ro')
    }
    spec.linux.devices = hostDevices()
  } else if (mapped.length) {
    spec.linux.devices = [...STANDARD_DEVICES.map(([p, major, minor]) => ociDevice(p, 'c', major, minor)), ...mapped.map((m) => m.node)]
  }
  // The nodes above are what the container sees; the device cgroup is what
  // it may open, whatever nodes it makes itself (it has CAP_MKNOD).
  spec.linux.resources = { ...(spec.linux.resources ?? {}), devices: deviceCgroupRules(!!o.Privileged, mapped) }
  if (!o.Privileged && seccompOpt !== 'seccomp=unconfined') {
    spec.linux.seccomp = toOciSeccomp(o.SeccompProfile ?? defaultSeccompProfile(), caps)
  }

  spec.annotations = spec.annotations ?? {}
  spec.annotations[ANNOTATION_EVENTS_LOG] = path.resolve(ctx.containerDir, '..', '..', 'events.log')
  spec.annotations[ANNOTATION_NAME] = ctx.name
  if (o.RestartPolicy && o.RestartPolicy.Name !== 'no') spec.annotations[ANNOTATION_RESTART] = restartAnnotation(o.RestartPolicy)
  const maxBytes = logMaxBytes(o.LogConfig)
  if (maxBytes > 0) {
    spec.annotations[ANNOTATION_LOG_MAX_SIZE] = String(maxBytes)
    spec.annotations[ANNOTATION_LOG_MAX_FILE] = o.LogConfig?.Config['max-file'] ?? '1'
  }
  if (o.LogConfig && o.LogConfig.Type !== 'json-file') {
    spec.annotations[ANNOTATION_LOG_DRIVER] = o.LogConfig.Type
    if (o.LogConfig.Type === 'journald' && ctx.image) spec.annotations[ANNOTATION_IMAGE] = ctx.image
  }
  if (o.OomScoreAdj !== undefined) spec.process.oomScoreAdj = o.OomScoreAdj
  if (o.GroupAdd?.length) {
    // Numbers go to the spec; names are the runtime's to resolve in the container's /etc/group.
    const gids = o.GroupAdd.filter((g) => /^\d+$/.test(g)).map(Number)
    const names = o.GroupAdd.filter((g) => !/^\d+$/.test(g))
    if (gids.length) spec.process.user.additionalGids = gids
    if (names.length) spec.annotations[ANNOTATION_GROUP_ADD] = names.join(',')
  }
  return spec
}

/** -1 (unlimited) as the kernel's RLIM_INFINITY. */
function limit(n: number): number {
  return n < 0 ? Number.MAX_SAFE_INTEGER : n
}

interface OciDevice {
  path: string
  type: 'c' | 'b'
  major: number
  minor: number
  fileMode: number
  uid: number
  gid: number
}

function ociDevice(p: string, type: 'c' | 'b', major: number, minor: number, fileMode = 0o666): OciDevice {
  return { path: p, type, major, minor, fileMode, uid: 0, gid: 0 }
}

/** Linux dev_t: the major is bits 8..19 (plus 32..43), the minor bits 0..7 and 20..31. */
function majorMinor(rdev: number): [number, number] {
  const major = Math.floor(rdev / 256) & 0xfff
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00)
  return [major, minor]
}

/** `--device`: the host node's type and numbers, at the path asked for in the container. */
function mappedDevice(d: DeviceMapping): OciDevice {
  let st: fs.Stats
  try {
    st = fs.statSync(d.PathOnHost)
  } catch {
    throw new InvalidArgumentError(`--device ${d.PathOnHost}: no such device on the host`)
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new InvalidArgumentError(`--device ${d.PathOnHost}: not a device node`)
  const [major, minor] = majorMinor(st.rdev)
  return ociDevice(d.PathInContainer, st.isBlockDevice() ? 'b' : 'c', major, minor, st.mode & 0o7777)
}

/** `--privileged`: every device node of the host's /dev (not pts, shm, mqueue, which are the container's own). */
function hostDevices(): OciDevice[] {
  const out: OciDevice[] = []
  const skip = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/ptmx', '/dev/console', '/dev/fd'])
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(dir, e.name)
      if (skip.has(p)) continue
      if (e.isDirectory() && depth > 0) walk(p, depth - 1)
      else if (e.isCharacterDevice() || e.isBlockDevice()) {
        try {
          const st = fs.statSync(p)
          const [major, minor] = majorMinor(st.rdev)
          out.push(ociDevice(p, e.isBlockDevice() ? 'b' : 'c', major, minor, st.mode & 0o7777))
        } catch {
          /* gone meanwhile */
        }
      }
    }
  }
  walk('/dev', 2)
  return out
}
