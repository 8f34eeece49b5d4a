import * as fs from 'node:fs'
import * as path from 'node:path'
import { Paths } from '../config'
import { AmbiguousReferenceError, ContainerNotFoundError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import { CreateMarkers, removeIfEmpty } from './create-marker'
import { NameReservations } from './names'
import type { ContainerRecord } from './record'

const RECORD = 'container.json'
/** Abandoned directories made by tsrun versions before create markers: reclaimed after this long. */
const LEGACY_ABANDONED_MS = 60 * 60 * 1000

/**
 * Container records on disk: `containers/<id>/container.json`, plus the name
 * reservations. A directory without a record is a create still in progress
 * (or one that crashed): it is not a container yet and no command shows it.
 *
 * Crash safety (docs/architecture.md, "State on disk"): `create` marks the id
 * (`containers/.creating/<id>`, naming its pid and start time) before it
 * makes the directory and unmarks it after the record, so a directory
 * without a record belongs to a live create exactly while its marker names a
 * live process. `rm` takes the whole directory out of the store with one
 * rename to `containers/.removing/<id>`, then frees the name, then deletes
 * the tombstone. A kill at any point leaves a dead marker or a tombstone, and
 * the next call that lists containers, looks one up or meets its name
 * finishes the job.
 */
export class ContainerStore {
  readonly names: NameReservations
  readonly creating: CreateMarkers
  private readonly removing: string

  constructor(private readonly paths: Paths) {
    this.creating = new CreateMarkers(path.join(paths.containers, '.creating'))
    this.removing = path.join(paths.containers, '.removing')
    this.names = new NameReservations(paths.names, paths.locks, (id) => this.gone(id))
  }

  dir(id: string): string {
    return this.paths.container(id)
  }

  save(rec: ContainerRecord): void {
    writeJsonAtomic(path.join(this.dir(rec.id), RECORD), rec)
  }

  /** Every container, newest first. Reclaims what killed creates and removals left (best effort). */
  list(): ContainerRecord[] {
    this.reclaim()
    let ids: string[]
    try {
      ids = fs.readdirSync(this.paths.containers)
    } catch {
      return []
    }
    const out: ContainerRecord[] = []
    for (const id of ids) {
      if (id.startsWith('.')) continue
      const rec = this.record(id)
      if (rec) out.push(rec)
    }
    return out.sort((a, b) => b.created.localeCompare(a.created))
  }

  /** By name (`web` or `/web`), full id, or unique id prefix, as Docker resolves them. */
  get(ref: string): ContainerRecord {
    const byName = this.names.lookup(ref)
    if (byName) {
      const rec = this.record(byName)
      if (rec) return rec
      // A name left by a create or rm that was killed: free it now.
      this.quietly(() => this.names.releaseStale(ref))
    }
    if (/^[0-9a-f]{1,64}$/.test(ref)) {
      const full = this.record(ref)
      if (full) return full
      const matches = this.list().filter((r) => r.id.startsWith(ref))
      if (matches.length === 1) return matches[0]
      if (matches.length > 1) throw new AmbiguousReferenceError('container', ref, matches.map((m) => m.id))
    }
    throw new ContainerNotFoundError(ref)
  }

  /**
   * Finish what killed calls left: directories of dead creates (with their
   * names) and tombstones of interrupted removals. Never touches a live
   * create's directory. Best effort: a read-only store or a race with
   * another tsrun doing the same leaves the rest for the next call.
   */
  reclaim(): void {
    for (const id of this.creating.ids()) {
      if (this.creating.creator(id) === 'dead') this.quietly(() => this.reclaimCreate(id))
    }
    let tombstones: string[] = []
    try {
      tombstones = fs.readdirSync(this.removing)
    } catch {
      /* none */
    }
    for (const id of tombstones) this.quietly(() => this.finishRemoval(id))
  }

  /**
   * Directories without a record or a create marker, left by tsrun versions
   * that did not mark creates: removed (with their names) once older than
   * `maxAgeMs`, as those versions did, since such a create may still run.
   */
  sweepLegacyAbandoned(maxAgeMs = LEGACY_ABANDONED_MS): void {
    let ids: string[]
    try {
      ids = fs.readdirSync(this.paths.containers)
    } catch {
      return
    }
    for (const id of ids) {
      if (id.startsWith('.') || fs.existsSync(path.join(this.dir(id), RECORD)) || this.creating.creator(id) !== 'none') continue
      try {
        if (Date.now() - fs.statSync(this.dir(id)).mtimeMs < maxAgeMs) continue
      } catch {
        continue
      }
      this.quietly(() => {
        fs.rmSync(this.dir(id), { recursive: true, force: true })
        for (const name of this.names.heldBy(id)) this.names.release(name, id)
      })
    }
  }

  /**
   * Forget the container: one rename takes its directory (record and all)
   * out of the store, then the name is freed and the tombstone deleted.
   * Answers false when another removal got there first.
   */
  delete(rec: ContainerRecord): boolean {
    for (;;) {
      fs.mkdirSync(this.removing, { recursive: true, mode: 0o700 })
      try {
        fs.renameSync(this.dir(rec.id), path.join(this.removing, rec.id))
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        // Gone: another removal got there first. Else `.removing` was just removed as empty: again.
        if (!fs.existsSync(this.dir(rec.id))) return false
      }
    }
    this.finishRemoval(rec.id)
    return true
  }

  /**
   * `id` has no record and no live create is making it: a create that was
   * killed (or one that failed). For what such a create made elsewhere
   * (volumes: VolumeRecord.createdFor).
   */
  neverMade(id: string): boolean {
    return this.creating.creator(id) !== 'alive' && !fs.existsSync(path.join(this.dir(id), RECORD))
  }

  /** The record of `id`, if it is a container. */
  private record(id: string): ContainerRecord | undefined {
    return readJson<ContainerRecord>(path.join(this.dir(id), RECORD))
  }

  /**
   * For the name reservations: `id` is neither a container nor a live
   * create. A dead create's leftovers are reclaimed on the way. The marker is
   * read before the record, so a create finishing meanwhile is seen by its
   * record (it writes the record before it unmarks).
   */
  private gone(id: string): boolean {
    const creator = this.creating.creator(id)
    if (creator === 'alive') return false
    if (fs.existsSync(path.join(this.dir(id), RECORD))) return false
    if (creator === 'dead') {
      this.reclaimCreate(id)
      return true
    }
    if (!fs.existsSync(this.dir(id))) return true
    // No marker but a directory: an older tsrun's create, maybe still running.
    this.sweepLegacyAbandoned()
    return !fs.existsSync(this.dir(id))
  }

  /** A create that died: its directory and names unless it got as far as the record; then its marker. */
  private reclaimCreate(id: string): void {
    if (!fs.existsSync(path.join(this.dir(id), RECORD))) {
      fs.rmSync(this.dir(id), { recursive: true, force: true })
      for (const name of this.names.heldBy(id)) this.names.release(name, id)
    }
    this.creating.unmark(id)
  }

  /** A tombstone: free its name (its record says which), then delete it. */
  private finishRemoval(id: string): void {
    const tomb = path.join(this.removing, id)
    let name: string | undefined
    try {
      name = readJson<ContainerRecord>(path.join(tomb, RECORD))?.name
    } catch {
      /* torn or gone: look the names up instead */
    }
    for (const n of name ? [name] : this.names.heldBy(id)) this.names.release(n, id)
    try {
      fs.rmSync(tomb, { recursive: true, force: true })
    } catch (err) {
      // Another tsrun finishing the same tombstone may win the race for its entries.
      if (fs.existsSync(tomb)) throw err
    }
    removeIfEmpty(this.removing)
  }

  private quietly(fn: () => unknown): void {
    try {
      fn()
    } catch {
      // Reclaiming is best effort; the next call tries again.
    }
  }
}
