import * as fs from 'node:fs'
import * as path from 'node:path'
import { lockFile, unlockFile } from '@tsrun/native'
import type { BackendRegistry } from '../backends/registry'
import type { VolumeDriver, VolumeRef } from '../backends/volume'
import type { Paths } from '../config'
import type { ContainerStore } from '../containers/container-store'
import { ConflictError, InvalidArgumentError, VolumeNotFoundError } from '../errors'
import { FilterArgs } from '../filters/filter-args'
import { pruneAllVolumes, volumePredicate, VOLUME_LS_FILTER_KEYS, VOLUME_PRUNE_FILTER_KEYS } from '../filters/volume-filter'
import { newId } from '../util/ids'
import { assertVolumeName, VolumeStore } from './volume-store'
import type { MountPoint } from './mount-point'
import type { VolumeRecord } from './volume-record'
import type { UsageRow } from '../images/disk-usage'

/** The default volume driver. */
export const DEFAULT_VOLUME_DRIVER = 'local'

export interface VolumeCreateOptions {
  /** Undefined: an anonymous volume with a random 64-hex name. */
  name?: string
  driver?: string
  options?: Record<string, string>
  labels?: Record<string, string>
  anonymous?: boolean
  /** The container whose create makes it (VolumeRecord.createdFor). */
  createdFor?: string
}

/**
 * Volumes: create, list, inspect, remove, prune. Policy lives here (names,
 * the default driver, who uses a volume, what prune may take); drivers only
 * hold bytes. A volume is in use while any container record mounts it,
 * running or not, as in Docker. Every change to volumes, and every container
 * create that mounts one, runs under the `volumes` flock, so `volume rm`
 * cannot slip between a container choosing a volume and recording it.
 */
export class VolumeService {
  readonly store: VolumeStore

  constructor(private readonly paths: Paths, private readonly backends: BackendRegistry, private readonly containers: ContainerStore) {
    this.store = new VolumeStore(paths)
  }

  /** Run `fn` holding the volumes lock. Not reentrant: inside, use the `*Locked` methods. */
  async locked<T>(fn: () => Promise<T> | T): Promise<T> {
    const unlock = await this.lock()
    try {
      return await fn()
    } finally {
      unlock()
    }
  }

  /**
   * Take the volumes lock (blocking); answers the function that releases it.
   * First, what killed calls left is reclaimed: every volume is made and
   * recorded, and removed, by a holder of this lock, so whatever is half
   * done when we get it belongs to a call that died.
   */
  async lock(): Promise<() => void> {
    fs.mkdirSync(this.paths.locks, { recursive: true })
    const fd = lockFile(path.join(this.paths.locks, 'volumes.lock'))
    const unlock = () => unlockFile(fd)
    try {
      await this.reclaimLocked()
    } catch {
      // Best effort: the next holder tries again.
    }
    return unlock
  }

  /**
   * The lock held: delete volume directories without a record (a `volume
   * create` or `volume rm` killed mid-way) and the volumes a killed container
   * create made for a container that never came to be (createdFor).
   */
  private async reclaimLocked(): Promise<void> {
    for (const name of this.store.unrecorded()) this.store.delete(name)
    for (const rec of this.store.list()) {
      if (!rec.createdFor || !this.containers.neverMade(rec.createdFor)) continue
      // Another container mounts it already: it is that one's now, not a leftover.
      if (this.usedBy(rec.name).length) this.store.save({ ...rec, createdFor: undefined })
      else await this.removeLocked(rec)
    }
  }

  /**
   * A container is gone (its record deleted): tell the drivers, and with
   * `removeAnonymous` (`--rm`, `rm -v`) remove the anonymous volumes it made
   * that no other container uses. Named volumes are always kept.
   */
  async release(mounts: MountPoint[], containerId: string, removeAnonymous: boolean): Promise<void> {
    const volumes = mounts.filter((m) => m.Type === 'volume' && m.Name)
    if (!volumes.length) return
    await this.locked(async () => {
      for (const m of volumes) {
        const rec = this.store.find(m.Name!)
        if (!rec) continue
        await this.driver(rec.driver).unmount(this.ref(rec), containerId).catch(() => undefined)
        if (removeAnonymous && m.Anonymous && this.usedBy(rec.name, containerId).length === 0) await this.removeLocked(rec, containerId)
        // Kept: from now on it is the user's, not a leftover of this container's create.
        else if (rec.createdFor === containerId) this.store.save({ ...rec, createdFor: undefined })
      }
    })
  }

  /** Undo a failed container create: remove the volumes it made, the lock held. */
  async undoCreated(names: string[]): Promise<void> {
    for (const name of names) {
      const rec = this.store.find(name)
      if (rec && this.usedBy(name).length === 0) await this.removeLocked(rec).catch(() => undefined)
    }
  }

  driver(name: string): VolumeDriver {
    return this.backends.resolve<VolumeDriver>('volume', name)
  }

  /** Check a create request without making anything: name, driver, options. */
  check(opts: VolumeCreateOptions): void {
    if (opts.name !== undefined) assertVolumeName(opts.name)
    this.driver(opts.driver ?? DEFAULT_VOLUME_DRIVER).validate(opts.options ?? {})
  }

  /** `volume create`: an existing volume of that name is answered as it is when the request matches it (Docker). */
  async create(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    this.check(opts)
    return this.locked(() => this.createLocked(opts))
  }

  /** `create` for a caller holding the lock. */
  async createLocked(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    this.check(opts)
    const driverName = opts.driver ?? DEFAULT_VOLUME_DRIVER
    const options = opts.options ?? {}
    const name = opts.name ?? newId()
    const existing = this.store.find(name)
    if (existing) {
      const sameOptions = JSON.stringify(existing.options) === JSON.stringify(options) || Object.keys(options).length === 0
      if (existing.driver !== driverName || !sameOptions) {
        throw new ConflictError(`volume ${name} already exists with driver ${existing.driver} and other options; remove it first (tsrun volume rm ${name})`)
      }
      return existing
    }
    if (!this.store.reserve(name)) return this.store.get(name)
    const dir = this.store.dir(name)
    const driver = this.driver(driverName)
    try {
      const made = await driver.create({ name, options, dir })
      const rec: VolumeRecord = {
        name,
        driver: driverName,
        options,
        labels: opts.labels ?? {},
        mountpoint: made.mountpoint,
        createdAt: new Date().toISOString(),
        anonymous: Boolean(opts.anonymous),
        ...(opts.createdFor ? { createdFor: opts.createdFor } : {}),
      }
      this.store.save(rec)
      return rec
    } catch (err) {
      await driver.remove({ name, options, dir }).catch(() => undefined)
      fs.rmSync(dir, { recursive: true, force: true })
      throw err
    }
  }

  ref(rec: VolumeRecord): VolumeRef {
    return { name: rec.name, options: rec.options, dir: this.store.dir(rec.name) }
  }

  inspect(name: string): VolumeRecord {
    return this.store.get(name)
  }

  /** Names of the containers (any state) whose record mounts the volume. */
  usedBy(name: string, exceptContainerId?: string): string[] {
    return this.containers
      .list()
      .filter((c) => c.id !== exceptContainerId && (c.mounts ?? []).some((m) => m.Type === 'volume' && m.Name === name))
      .map((c) => c.name)
  }

  /** `volume ls`: every volume, or those passing `--filter` (dangling, name, driver, label; volume-filter.ts). */
  list(filters: FilterArgs = new FilterArgs()): VolumeRecord[] {
    const used = this.usedNames()
    const keep = volumePredicate(filters, VOLUME_LS_FILTER_KEYS, (name) => used.has(name))
    return this.store.list().filter(keep)
  }

  /** Bytes a volume holds, -1 when its driver cannot tell. */
  async usage(rec: VolumeRecord): Promise<number> {
    const driver = this.driver(rec.driver)
    return driver.usage ? driver.usage(this.ref(rec)).catch(() => -1) : -1
  }

  /**
   * The `Local Volumes` row of `system df`, as Docker's daemon counts it:
   * volumes of the local driver made without options (a bind or tmpfs one
   * holds nothing of its own); SIZE what they hold; RECLAIMABLE what those
   * no container uses hold; ACTIVE the rest (one whose size the driver
   * cannot tell counts as active, as in Docker).
   */
  async diskUsage(): Promise<UsageRow> {
    const used = this.usedNames()
    const locals = this.store.list().filter((v) => v.driver === DEFAULT_VOLUME_DRIVER && Object.keys(v.options).length === 0)
    const row: UsageRow = { type: 'Local Volumes', total: locals.length, active: locals.length, size: 0, reclaimable: 0 }
    for (const v of locals) {
      const bytes = await this.usage(v)
      if (bytes < 0) continue
      row.size += bytes
      if (!used.has(v.name)) {
        row.reclaimable += bytes
        row.active--
      }
    }
    return row
  }

  /**
   * `volume rm`: refused while a container uses the volume (naming them), even
   * with `force`, which only makes a missing volume no error (Docker).
   */
  async remove(name: string, force = false): Promise<void> {
    await this.locked(async () => {
      const rec = this.store.find(name)
      if (!rec) {
        if (force) return
        throw new VolumeNotFoundError(name)
      }
      await this.removeLocked(rec)
    })
  }

  /** Remove a volume, the lock held; ConflictError while in use. */
  async removeLocked(rec: VolumeRecord, exceptContainerId?: string): Promise<void> {
    const users = this.usedBy(rec.name, exceptContainerId)
    if (users.length) {
      throw new ConflictError(`volume ${rec.name} is in use by container${users.length > 1 ? 's' : ''} ${users.join(', ')}; remove ${users.length > 1 ? 'them' : 'it'} first`)
    }
    await this.driver(rec.driver).remove(this.ref(rec))
    this.store.delete(rec.name)
  }

  /**
   * `volume prune`: anonymous volumes no container uses; with `all=true`
   * among the filters (what `-a` sends), named ones too; `label`/`label!`
   * narrow it. Answers the names removed and the bytes they held.
   */
  async prune(filters: FilterArgs = new FilterArgs()): Promise<{ removed: string[]; reclaimed: number }> {
    const all = pruneAllVolumes(filters)
    return this.locked(async () => {
      const used = this.usedNames()
      const keep = volumePredicate(filters, VOLUME_PRUNE_FILTER_KEYS, (name) => used.has(name))
      const removed: string[] = []
      let reclaimed = 0
      for (const rec of this.store.list()) {
        if (used.has(rec.name) || !keep(rec) || (!all && !rec.anonymous)) continue
        const bytes = await this.usage(rec)
        await this.removeLocked(rec)
        removed.push(rec.name)
        if (bytes > 0) reclaimed += bytes
      }
      return { removed, reclaimed }
    })
  }

  /** The volume `name`, or InvalidArgumentError-free VolumeNotFoundError. */
  get(name: string): VolumeRecord {
    if (!name) throw new InvalidArgumentError('a volume name is required')
    return this.store.get(name)
  }

  private usedNames(): Set<string> {
    const used = new Set<string>()
    for (const c of this.containers.list()) for (const m of c.mounts ?? []) if (m.Type === 'volume' && m.Name) used.add(m.Name)
    return used
  }
}
