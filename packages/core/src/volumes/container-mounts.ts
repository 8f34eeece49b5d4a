import * as fs from 'node:fs'
import * as path from 'node:path'
import type { RootfsSpec } from '../backends/storage'
import type { ContainerStore } from '../containers/container-store'
import { InvalidArgumentError, VolumeNotFoundError } from '../errors'
import { checkTarget, parseMountFlags, type BindRequest, type MountRequest, type TmpfsRequest, type VolumeRequest } from './mount-request'
import type { MountPoint, OciMount } from './mount-point'
import type { VolumeService } from './volume-service'

/** The mount flags of `run`/`create`, as typed. */
export interface MountInputs {
  volumes?: string[]
  mounts?: string[]
  tmpfs?: string[]
  volumesFrom?: string[]
}

/** What a container will mount, checked before anything is made. */
export interface MountPlan {
  requests: MountRequest[]
  /** `--volumes-from`: mounts taken over from other containers. */
  inherited: MountPoint[]
}

/** The option word the runtime reads as a bind's sub-directory (tsrun-sys mount.rs SUBPATH_OPTION). */
export const SUBPATH_OPTION = 'io.tsrun.subpath='

/**
 * Step 1 of a container's mounts, before its directory exists: parse every
 * flag, check names, drivers, options and bind sources, take over
 * `--volumes-from`, and give the image's VOLUMEs anonymous volumes where the
 * user mounted nothing. Bad input fails here, with nothing made.
 */
export function planMounts(inputs: MountInputs, imageVolumes: string[], containers: ContainerStore, volumes: VolumeService): MountPlan {
  const requests = parseMountFlags(inputs)
  for (const r of requests) {
    if (r.type === 'volume') volumes.check({ name: r.name, driver: r.driver, options: r.driverOptions })
    if (r.type === 'bind' && !r.createSource && !fs.existsSync(r.source)) {
      throw new InvalidArgumentError(`invalid mount config for type "bind": bind source path does not exist: ${r.source}`)
    }
  }
  const taken = new Set(requests.map((r) => r.target))
  const inherited: MountPoint[] = []
  for (const spec of inputs.volumesFrom ?? []) {
    const [ref, mode, extra] = spec.split(':')
    if (extra !== undefined || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
      throw new InvalidArgumentError(`invalid --volumes-from "${spec}": expected CONTAINER[:ro|rw]`)
    }
    for (const m of containers.get(ref).mounts ?? []) {
      if (m.Type === 'tmpfs' || taken.has(m.Destination)) continue
      taken.add(m.Destination)
      const rw = mode === undefined ? m.RW : mode === 'rw'
      const options = m.oci.options.filter((o) => o !== 'ro' && o !== 'rw').concat(rw ? 'rw' : 'ro')
      inherited.push({ ...m, RW: rw, Anonymous: false, oci: { ...m.oci, options } })
    }
  }
  for (const v of imageVolumes) {
    const target = checkTarget(v, `image VOLUME "${v}"`)
    if (taken.has(target)) continue
    taken.add(target)
    requests.push({ type: 'volume', target, readonly: false, noCopy: false, driverOptions: {}, labels: {} })
  }
  return { requests, inherited }
}

/** Where step 2 runs: the container, its image content, and a list to note the volumes it creates. */
export interface AttachContext {
  containerId: string
  rootfs: RootfsSpec
  /** Names of volumes created for this container, for the caller to undo on failure. */
  created: string[]
}

/**
 * Step 2, holding the volumes lock and with the rootfs made: create missing
 * volumes (named on first use, anonymous always), copy the image's content
 * into empty ones, make missing `-v` host directories, and answer the mounts
 * to record, parents before children.
 */
export async function attachMounts(plan: MountPlan, volumes: VolumeService, ctx: AttachContext): Promise<MountPoint[]> {
  const layers = rootfsLayers(ctx.rootfs)
  const points: MountPoint[] = [...plan.inherited]
  for (const p of plan.inherited) {
    if (p.Type === 'volume' && p.Name && !volumes.store.find(p.Name)) throw new VolumeNotFoundError(p.Name)
  }
  for (const r of plan.requests) {
    if (r.type === 'volume') points.push(await attachVolume(r, volumes, ctx, layers))
    else if (r.type === 'bind') points.push(attachBind(r, layers))
    else points.push(tmpfsPoint(r))
  }
  return points.sort((a, b) => depth(a.Destination) - depth(b.Destination))
}

async function attachVolume(r: VolumeRequest, volumes: VolumeService, ctx: AttachContext, layers: string[] | undefined): Promise<MountPoint> {
  let rec = r.name ? volumes.store.find(r.name) : undefined
  if (!rec) {
    rec = await volumes.createLocked({ name: r.name, driver: r.driver, options: r.driverOptions, labels: r.labels, anonymous: !r.name, createdFor: ctx.containerId })
    ctx.created.push(rec.name)
  }
  const driver = volumes.driver(rec.driver)
  const ref = volumes.ref(rec)
  const spec = await driver.mount(ref, ctx.containerId)
  const words = [r.readonly ? 'ro' : 'rw']
  let oci: OciMount
  if (spec.type === 'bind') {
    if (!r.noCopy && !r.subpath && layers && driver.populate) await driver.populate(ref, layers, r.target)
    const sub = r.subpath ? [`${SUBPATH_OPTION}${r.subpath}`] : []
    oci = { destination: r.target, type: 'bind', source: spec.source, options: ['rbind', ...words, 'rprivate', ...sub] }
  } else {
    if (r.subpath) throw new InvalidArgumentError(`volume-subpath needs a volume its driver binds from a host directory; ${rec.name} (driver ${rec.driver}) mounts ${spec.type}`)
    oci = { destination: r.target, type: spec.type, source: spec.source, options: [...spec.options, ...words] }
  }
  return {
    Type: 'volume',
    Name: rec.name,
    Source: rec.mountpoint,
    Destination: r.target,
    Driver: rec.driver,
    Mode: r.noCopy ? 'nocopy' : 'z',
    RW: !r.readonly,
    Propagation: '',
    Anonymous: rec.anonymous && ctx.created.includes(rec.name),
    oci,
  }
}

function attachBind(r: BindRequest, layers: string[] | undefined): MountPoint {
  if (r.createSource && !fs.existsSync(r.source)) fs.mkdirSync(r.source, { recursive: true, mode: 0o755 })
  const isDir = fs.statSync(r.source).isDirectory()
  const inImage = layers ? imageEntryKind(layers, r.target) : 'unknown'
  if (!isDir && inImage === 'dir') {
    throw new InvalidArgumentError(`cannot mount ${r.source} on ${r.target}: the source is a file, but ${r.target} is a directory in the image`)
  }
  if (isDir && inImage === 'file') {
    throw new InvalidArgumentError(`cannot mount ${r.source} on ${r.target}: the source is a directory, but ${r.target} is a file in the image`)
  }
  const propagation = r.propagation ?? 'rprivate'
  const mode = [r.readonly ? 'ro' : '', r.relabel ?? '', r.propagation ?? ''].filter(Boolean).join(',')
  return {
    Type: 'bind',
    Source: r.source,
    Destination: r.target,
    Mode: mode,
    RW: !r.readonly,
    Propagation: propagation,
    oci: { destination: r.target, type: 'bind', source: r.source, options: [r.nonRecursive ? 'bind' : 'rbind', r.readonly ? 'ro' : 'rw', propagation] },
  }
}

function tmpfsPoint(r: TmpfsRequest): MountPoint {
  const options = ['nosuid', 'nodev', 'noexec', ...r.options, r.readonly ? 'ro' : 'rw']
  return { Type: 'tmpfs', Source: '', Destination: r.target, Mode: r.options.join(','), RW: !r.readonly, Propagation: '', oci: { destination: r.target, type: 'tmpfs', source: 'tmpfs', options } }
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length
}

/**
 * The directories whose merged view is the container's rootfs, top first:
 * the rootfs itself when it is a plain directory, the overlay's upper dir
 * then its lower dirs. Undefined for a storage driver assembling the rootfs
 * some other way (no copy-up then).
 */
export function rootfsLayers(spec: RootfsSpec): string[] | undefined {
  if (spec.mounts.length === 0) return [spec.path]
  if (spec.mounts.length !== 1 || spec.mounts[0].type !== 'overlay') return undefined
  const opts = Object.fromEntries(spec.mounts[0].options.map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]))
  const lower = typeof opts.lowerdir === 'string' ? opts.lowerdir.split(':').filter(Boolean) : []
  return opts.upperdir ? [opts.upperdir, ...lower] : lower
}

/**
 * What the image has at `target`, looking at the layers top first without
 * following any symlink on the way (a symlink answers `unknown`: the runtime
 * resolves it inside the rootfs at start).
 */
export function imageEntryKind(layers: string[], target: string): 'dir' | 'file' | 'missing' | 'unknown' {
  const comps = target.split('/').filter(Boolean)
  for (const layer of layers) {
    let p = layer
    let hidden = false
    for (let i = 0; i < comps.length; i++) {
      p = path.join(p, comps[i])
      let st: fs.Stats
      try {
        st = fs.lstatSync(p)
      } catch {
        hidden = false
        p = ''
        break
      }
      if (st.isCharacterDevice() && st.rdev === 0) {
        hidden = true
        break
      }
      if (st.isSymbolicLink()) return 'unknown'
      if (i < comps.length - 1 && !st.isDirectory()) return 'unknown'
      if (i === comps.length - 1) return st.isDirectory() ? 'dir' : 'file'
    }
    if (hidden) return 'missing'
  }
  return 'missing'
}
