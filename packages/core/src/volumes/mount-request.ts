import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { parseByteSize } from './byte-size'
import { VOLUME_NAME } from './volume-record'

/**
 * One mount a user asked for with `-v`, `--mount` or `--tmpfs`, parsed and
 * checked for everything that needs no disk: nothing exists yet. Docker's
 * grammar and words; any malformed part is an InvalidArgumentError naming it.
 */
export type MountRequest = VolumeRequest | BindRequest | TmpfsRequest

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave'
const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']

export interface VolumeRequest {
  type: 'volume'
  /** The volume name; undefined for an anonymous volume (`-v /data`). */
  name?: string
  target: string
  readonly: boolean
  /** `nocopy`: no copy-up of the image's content. */
  noCopy: boolean
  /** `volume-subpath`: mount this sub-directory of the volume (relative, no `..`). */
  subpath?: string
  /** For a volume created by this mount: `volume-driver`, `volume-opt`. */
  driver?: string
  driverOptions: Record<string, string>
  labels: Record<string, string>
}

export interface BindRequest {
  type: 'bind'
  source: string
  target: string
  readonly: boolean
  propagation?: Propagation
  /** `-v` creates a missing source directory (Docker's behaviour); `--mount` refuses it. */
  createSource: boolean
  /** `bind-recursive=disabled` / `bind-nonrecursive`: submounts of the source are not carried. */
  nonRecursive: boolean
  /** SELinux relabel word as given (`z`/`Z`): recorded, no effect on a host without SELinux. */
  relabel?: string
}

export interface TmpfsRequest {
  type: 'tmpfs'
  target: string
  readonly: boolean
  /** Mount options for the kernel (`size=67108864`, `mode=1770`, `noexec`, ...). */
  options: string[]
}

/** A container path: absolute, not `/`, cleaned (`/data/` is `/data`). */
export function checkTarget(target: string, flag: string): string {
  if (!target) throw new InvalidArgumentError(`invalid ${flag}: the destination is empty`)
  if (!target.startsWith('/')) throw new InvalidArgumentError(`invalid ${flag}: destination "${target}" is not an absolute path`)
  const clean = path.posix.normalize(target).replace(/(.)\/+$/, '$1')
  if (clean === '/') throw new InvalidArgumentError(`invalid ${flag}: destination can't be "/"`)
  return clean
}

function checkSubpath(sub: string, spec: string): string {
  const clean = path.posix.normalize(sub)
  if (sub.startsWith('/') || clean === '..' || clean.startsWith('../')) {
    throw new InvalidArgumentError(`invalid --mount ${spec}: volume-subpath "${sub}" must be a relative path inside the volume`)
  }
  return clean.replace(/\/+$/, '')
}

/**
 * Docker's mode rules for `-v`: at most one of each kind (ro|rw, a
 * propagation, z|Z, nocopy, a consistency); `ro,rw` is one line and 125.
 */
function checkModeCounts(words: string[], spec: string): void {
  const kinds: Array<(w: string) => boolean> = [
    (w) => w === 'ro' || w === 'rw',
    (w) => PROPAGATIONS.includes(w),
    (w) => w === 'z' || w === 'Z',
    (w) => w === 'nocopy',
    (w) => w === 'consistent' || w === 'cached' || w === 'delegated',
  ]
  for (const kind of kinds) {
    if (words.filter(kind).length > 1) {
      throw new InvalidArgumentError(`invalid volume specification "${spec}": invalid mode: ${words.join(',')} (${words.filter(kind).join(' and ')} cannot be given together)`)
    }
  }
}

/** `-v SRC:DST[:OPTS]`, `-v DST` (anonymous volume); a SRC starting with `/`, `./` or `../` is a host path. */
export function parseVolumeFlag(spec: string): MountRequest {
  const parts = spec.split(':')
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid volume specification "${spec}": expected [SOURCE:]DESTINATION[:OPTIONS]`)
  if (parts.length === 1) {
    return { type: 'volume', target: checkTarget(parts[0], `volume specification "${spec}"`), readonly: false, noCopy: false, driverOptions: {}, labels: {} }
  }
  const [source, target, opts = ''] = parts
  const words = opts ? opts.split(',') : []
  let readonly = false
  let noCopy = false
  let propagation: Propagation | undefined
  let relabel: string | undefined
  checkModeCounts(words, spec)
  for (const w of words) {
    if (w === 'ro' || w === 'rw') readonly = w === 'ro'
    else if (w === 'nocopy') noCopy = true
    else if (w === 'z' || w === 'Z') relabel = w
    else if (PROPAGATIONS.includes(w)) propagation = w as Propagation
    else if (w === 'consistent' || w === 'cached' || w === 'delegated') continue
    else throw new InvalidArgumentError(`invalid volume specification "${spec}": unknown option "${w}"`)
  }
  const dst = checkTarget(target, `volume specification "${spec}"`)
  // `./dir` and `../dir` are host paths relative to here, as Docker 23+ and podman.
  if (source.startsWith('/') || /^\.\.?(\/|$)/.test(source)) {
    if (noCopy) throw new InvalidArgumentError(`invalid volume specification "${spec}": nocopy is only for volumes`)
    return { type: 'bind', source: path.resolve(source), target: dst, readonly, propagation, createSource: true, nonRecursive: false, relabel }
  }
  if (!VOLUME_NAME.test(source)) {
    throw new InvalidArgumentError(`invalid volume specification "${spec}": "${source}" includes invalid characters for a volume name (only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed); a host path must be absolute`)
  }
  if (propagation) throw new InvalidArgumentError(`invalid volume specification "${spec}": propagation "${propagation}" is only for bind mounts`)
  return { type: 'volume', name: source, target: dst, readonly, noCopy, driverOptions: {}, labels: {} }
}

/** `--mount type=bind|volume|tmpfs,src=..,dst=..[,readonly][,...]` (CSV of key[=value]). */
export function parseMountFlag(spec: string): MountRequest {
  const fields: Array<[string, string | undefined]> = spec.split(',').map((f) => {
    const eq = f.indexOf('=')
    return eq < 0 ? [f.trim().toLowerCase(), undefined] : [f.slice(0, eq).trim().toLowerCase(), f.slice(eq + 1)]
  })
  const bad = (why: string) => new InvalidArgumentError(`invalid --mount ${spec}: ${why}`)
  const bool = (k: string, v: string | undefined): boolean => {
    if (v === undefined || v === 'true' || v === '1') return true
    if (v === 'false' || v === '0') return false
    throw bad(`${k} must be true or false, not "${v}"`)
  }
  let type = 'volume'
  let source: string | undefined
  let target: string | undefined
  let readonly = false
  const only: Record<string, string> = {}
  const r = { noCopy: false, subpath: undefined as string | undefined, driver: undefined as string | undefined, driverOptions: {} as Record<string, string>, labels: {} as Record<string, string> }
  let propagation: Propagation | undefined
  let nonRecursive = false
  let tmpfsSize: number | undefined
  let tmpfsMode: string | undefined
  for (const [k, v] of fields) {
    const need = () => {
      if (v === undefined || v === '') throw bad(`${k} needs a value`)
      return v
    }
    switch (k) {
      case 'type': type = need(); break
      case 'source': case 'src': source = need(); break
      case 'destination': case 'dst': case 'target': target = need(); break
      case 'readonly': case 'ro': readonly = bool(k, v); break
      case 'consistency': break
      case 'bind-propagation':
        if (!PROPAGATIONS.includes(need())) throw bad(`bind-propagation must be one of ${PROPAGATIONS.join(', ')}, not "${v}"`)
        propagation = v as Propagation; only[k] = 'bind'; break
      case 'bind-nonrecursive': nonRecursive = bool(k, v); only[k] = 'bind'; break
      case 'bind-recursive':
        if (!['enabled', 'disabled'].includes(need())) throw bad(`bind-recursive must be enabled or disabled, not "${v}"`)
        nonRecursive = v === 'disabled'; only[k] = 'bind'; break
      case 'volume-nocopy': r.noCopy = bool(k, v); only[k] = 'volume'; break
      case 'volume-subpath': r.subpath = checkSubpath(need(), spec); only[k] = 'volume'; break
      case 'volume-driver': r.driver = need(); only[k] = 'volume'; break
      case 'volume-opt': case 'volume-label': {
        const kv = need()
        const eq = kv.indexOf('=')
        if (eq <= 0) throw bad(`${k} must be KEY=VALUE, not "${kv}"`)
        ;(k === 'volume-opt' ? r.driverOptions : r.labels)[kv.slice(0, eq)] = kv.slice(eq + 1)
        only[k] = 'volume'; break
      }
      case 'tmpfs-size': tmpfsSize = parseByteSize(need(), `--mount ${spec}: tmpfs-size`); only[k] = 'tmpfs'; break
      case 'tmpfs-mode':
        if (!/^[0-7]{1,4}$/.test(need())) throw bad(`tmpfs-mode must be octal, not "${v}"`)
        tmpfsMode = v; only[k] = 'tmpfs'; break
      default: throw bad(`unknown option "${k}"`)
    }
  }
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw bad(`type must be bind, volume or tmpfs, not "${type}"`)
  for (const [k, t] of Object.entries(only)) if (t !== type) throw bad(`${k} is only for type=${t}`)
  if (!target) throw bad('the destination (dst=) is missing')
  const dst = checkTarget(target, `--mount ${spec}`)
  if (type === 'bind') {
    if (!source) throw bad('type=bind needs a source (src=)')
    // `src=./dir` and `src=../dir` are relative to here, as with -v (Docker 23+ resolves `./`, podman any relative path).
    if (!source.startsWith('/') && !/^\.\.?(\/|$)/.test(source)) throw bad(`bind source "${source}" is not an absolute path (write ./${source} for one relative to this directory)`)
    return { type: 'bind', source: path.resolve(source), target: dst, readonly, propagation, createSource: false, nonRecursive }
  }
  if (type === 'tmpfs') {
    if (source) throw bad('type=tmpfs takes no source')
    const options: string[] = []
    if (tmpfsSize !== undefined) options.push(`size=${tmpfsSize}`)
    if (tmpfsMode !== undefined) options.push(`mode=${tmpfsMode}`)
    return { type: 'tmpfs', target: dst, readonly, options }
  }
  if (source !== undefined && !VOLUME_NAME.test(source)) {
    throw bad(`"${source}" includes invalid characters for a volume name (only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed)`)
  }
  return { type: 'volume', name: source, target: dst, readonly, ...r }
}

/** Kernel tmpfs options a user may give to `--tmpfs` (the rest would be refused by mount(2) at start). */
const TMPFS_WORDS = ['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'atime', 'noatime', 'relatime', 'strictatime', 'nodiratime', 'diratime', 'sync', 'async', 'dirsync']
const TMPFS_KEYS = ['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'huge', 'mpol']

/** `--tmpfs /cache[:size=64m,mode=1770,noexec,...]`. */
export function parseTmpfsFlag(spec: string): TmpfsRequest {
  const colon = spec.indexOf(':')
  const target = checkTarget(colon < 0 ? spec : spec.slice(0, colon), `--tmpfs ${spec}`)
  const options: string[] = []
  let readonly = false
  for (const o of colon < 0 ? [] : spec.slice(colon + 1).split(',').filter(Boolean)) {
    const eq = o.indexOf('=')
    const key = eq < 0 ? o : o.slice(0, eq)
    if (eq < 0 && TMPFS_WORDS.includes(o)) {
      if (o === 'ro' || o === 'rw') readonly = o === 'ro'
      else options.push(o)
    } else if (eq > 0 && TMPFS_KEYS.includes(key)) {
      const value = o.slice(eq + 1)
      if (key === 'size') options.push(`size=${parseByteSize(value, `--tmpfs ${spec}: size`)}`)
      else if (key === 'mode' && !/^[0-7]{1,4}$/.test(value)) throw new InvalidArgumentError(`invalid --tmpfs ${spec}: mode must be octal, not "${value}"`)
      else options.push(o)
    } else {
      throw new InvalidArgumentError(`invalid --tmpfs ${spec}: unknown option "${o}"`)
    }
  }
  return { type: 'tmpfs', target, readonly, options }
}

/** The requests of one container, checked together: two mounts on one destination is an error. */
export function parseMountFlags(input: { volumes?: string[]; mounts?: string[]; tmpfs?: string[] }): MountRequest[] {
  const all = [
    ...(input.volumes ?? []).map(parseVolumeFlag),
    ...(input.mounts ?? []).map(parseMountFlag),
    ...(input.tmpfs ?? []).map(parseTmpfsFlag),
  ]
  const seen = new Set<string>()
  for (const m of all) {
    if (seen.has(m.target)) throw new InvalidArgumentError(`duplicate mount point: ${m.target}`)
    seen.add(m.target)
  }
  return all
}
