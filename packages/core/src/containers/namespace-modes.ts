import { InvalidArgumentError } from '../errors'
import { parseSize } from './resources'

/**
 * `--ipc`, `--pid`, `--uts`, `--cgroupns`, `--cgroup-parent` and
 * `--shm-size`, under Docker's HostConfig names so `inspect` shows them as
 * Docker does. Absent means the default: a private namespace of each kind.
 *
 * - IpcMode: `private` (the default, as Docker 20.10+), `shareable` (others
 *   may join it), `none` (own namespace, no /dev/shm), `host`, or
 *   `container:NAME` (that container's IPC namespace and /dev/shm; it must
 *   be running and `shareable` or `host`, as in Docker).
 * - PidMode: `host` or `container:NAME`.
 * - UTSMode: `host` (the host's hostname; `--hostname` conflicts).
 * - CgroupnsMode: `private` (tsrun's default on every host, where Docker
 *   defaults to `host` on cgroup v1: a private cgroup namespace is what keeps
 *   a container with CAP_SYS_ADMIN from a hierarchy's release_agent,
 *   CVE-2022-0492) or `host`.
 * - CgroupParent: the cgroup the container's goes under, relative to the
 *   root of each hierarchy (default `tsrun`), as Docker's cgroupfs driver.
 * - ShmSize: bytes of the private /dev/shm tmpfs (default 64 MiB).
 */
export interface NamespaceOptions {
  IpcMode?: string
  PidMode?: string
  UTSMode?: string
  CgroupnsMode?: 'private' | 'host'
  CgroupParent?: string
  ShmSize?: number
}

/** The flag values as typed. */
export interface NamespaceInput {
  ipc?: string
  pid?: string
  uts?: string
  cgroupns?: string
  cgroupParent?: string
  shmSize?: string
  /** `--hostname`, which `--uts host` refuses. */
  hostname?: string
}

/** Docker's default /dev/shm size. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024
/** Where containers' cgroups go without `--cgroup-parent`. */
export const DEFAULT_CGROUP_PARENT = 'tsrun'

/** `container:NAME` → NAME, else undefined. */
export function donorOf(mode: string | undefined): string | undefined {
  return mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined
}

/** Check every flag (one line, 125) before anything is made. */
export function parseNamespaceOptions(f: NamespaceInput): NamespaceOptions {
  const out: NamespaceOptions = {}
  if (f.ipc !== undefined && f.ipc !== '') {
    const ok = ['private', 'shareable', 'none', 'host'].includes(f.ipc) || namedDonor(f.ipc)
    if (!ok) throw new InvalidArgumentError(`--ipc "${f.ipc}": invalid IPC mode: use private, shareable, none, host or container:NAME`)
    out.IpcMode = f.ipc
  }
  if (f.pid !== undefined && f.pid !== '') {
    if (f.pid !== 'host' && !namedDonor(f.pid)) throw new InvalidArgumentError(`--pid "${f.pid}": invalid PID mode: use host or container:NAME`)
    out.PidMode = f.pid
  }
  if (f.uts !== undefined && f.uts !== '') {
    if (f.uts !== 'host') throw new InvalidArgumentError(`--uts "${f.uts}": invalid UTS mode: the only mode is host`)
    if (f.hostname) throw new InvalidArgumentError('conflicting options: --hostname and --uts host (the container has the host\'s hostname)')
    out.UTSMode = 'host'
  }
  if (f.cgroupns !== undefined && f.cgroupns !== '') {
    if (f.cgroupns !== 'private' && f.cgroupns !== 'host') throw new InvalidArgumentError(`--cgroupns "${f.cgroupns}": invalid CGROUP mode: use private (the default) or host`)
    out.CgroupnsMode = f.cgroupns
  }
  if (f.cgroupParent !== undefined && f.cgroupParent !== '') out.CgroupParent = checkCgroupParent(f.cgroupParent)
  if (f.shmSize !== undefined) {
    if (/^\s*-/.test(f.shmSize)) throw new InvalidArgumentError(`invalid value "${f.shmSize}" for --shm-size: SHM size can not be less than 0`)
    const n = parseSize('shm-size', f.shmSize)
    if (n > 0) out.ShmSize = n
  }
  return out
}

function namedDonor(mode: string): boolean {
  const name = donorOf(mode)
  return name !== undefined && name.length > 0
}

/** A relative path of plain names (`/` at either end is dropped), never climbing with `..`. */
function checkCgroupParent(p: string): string {
  const parts = p.split('/').filter((c) => c !== '' && c !== '.')
  if (parts.length === 0 || parts.some((c) => c === '..' || !/^[A-Za-z0-9_.@:+-]+$/.test(c))) {
    throw new InvalidArgumentError(`--cgroup-parent "${p}": give a cgroup path such as /mygroup or batch/jobs (names of letters, digits, . _ - @ : +; no ..)`)
  }
  return parts.join('/')
}

/** `linux.cgroupsPath` of a container: `PARENT/<id>`. */
export function cgroupsPathFor(id: string, o: NamespaceOptions): string {
  return `${o.CgroupParent ?? DEFAULT_CGROUP_PARENT}/${id}`
}

/** The OCI namespaces of a container; a joined one has `path` filled in at start (`joinDonors`). */
export function ociNamespaces(o: NamespaceOptions, hostNetwork: boolean): Array<{ type: string; path?: string }> {
  const ns: Array<{ type: string; path?: string }> = [{ type: 'mount' }]
  if (o.PidMode !== 'host') ns.push(donorOf(o.PidMode) ? { type: 'pid', path: '' } : { type: 'pid' })
  if (o.UTSMode !== 'host') ns.push({ type: 'uts' })
  if (o.IpcMode !== 'host') ns.push(donorOf(o.IpcMode) ? { type: 'ipc', path: '' } : { type: 'ipc' })
  // A private cgroup namespace unless asked otherwise: see NamespaceOptions.
  if (o.CgroupnsMode !== 'host') ns.push({ type: 'cgroup' })
  if (!hostNetwork) ns.push({ type: 'network' })
  return ns
}

/** Option word the runtime reads on a bind whose source lives in another mount namespace (runtime-contract §1). */
export const MNTNS_OPTION = 'io.tsrun.mntns='

/** The /dev/shm mount for the IPC mode, or undefined for `none`. */
export function shmMount(o: NamespaceOptions): { destination: string; type: string; source: string; options: string[] } | undefined {
  const flags = ['nosuid', 'noexec', 'nodev']
  if (o.IpcMode === 'none') return undefined
  if (o.IpcMode === 'host') return { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', ...flags] }
  if (donorOf(o.IpcMode)) return { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', ...flags, MNTNS_OPTION] }
  const kib = Math.ceil((o.ShmSize ?? DEFAULT_SHM_SIZE) / 1024)
  return { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [...flags, 'mode=1777', `size=${kib}k`] }
}

/** What `joinDonors` needs to know of a container named by `container:NAME`. */
export interface Donor {
  /** Its PID 1 on the host, while it runs. */
  pid?: number
  name: string
  IpcMode?: string
}

type Spec = { linux: { namespaces: Array<{ type: string; path?: string }> }; mounts: Array<{ destination: string; options?: string[] }> }

/**
 * Point the joined namespaces (and the borrowed /dev/shm) of `spec` at the
 * donors' current PID 1, as Docker resolves `container:NAME` at every
 * start. A donor must be running; an IPC donor must be `shareable` or
 * `host` (Docker: "non-shareable IPC"). Answers the spec, changed in place.
 */
export function joinDonors<S extends Spec>(spec: S, o: NamespaceOptions, donor: (name: string) => Donor): S {
  const pidDonor = donorOf(o.PidMode)
  const ipcDonor = donorOf(o.IpcMode)
  const pidOf = (name: string, what: string): number => {
    const d = donor(name)
    if (!d.pid) throw new InvalidArgumentError(`cannot join the ${what} of container ${d.name}: it is not running; start it first`)
    if (what === 'IPC namespace' && d.IpcMode !== 'shareable' && d.IpcMode !== 'host') {
      throw new InvalidArgumentError(`cannot join the IPC namespace of container ${d.name}: non-shareable IPC (create it with --ipc shareable)`)
    }
    return d.pid
  }
  for (const ns of spec.linux.namespaces) {
    if (ns.type === 'pid' && pidDonor) ns.path = `/proc/${pidOf(pidDonor, 'PID namespace')}/ns/pid`
    if (ns.type === 'ipc' && ipcDonor) ns.path = `/proc/${pidOf(ipcDonor, 'IPC namespace')}/ns/ipc`
  }
  if (ipcDonor) {
    const shm = spec.mounts.find((m) => m.destination === '/dev/shm')
    if (shm?.options) {
      const pid = pidOf(ipcDonor, 'IPC namespace')
      shm.options = shm.options.map((x) => (x.startsWith(MNTNS_OPTION) ? `${MNTNS_OPTION}/proc/${pid}/ns/mnt` : x))
    }
  }
  return spec
}
