/**
 * Leases keep garbage collection (`image prune`, `rmi`) from taking what a
 * running pull, load or import is about to make or reuse but has not yet
 * tagged. Such an operation commits blobs and unpacks layers long before it
 * writes the manifest and the tags that make them referenced; to a collector
 * looking only at the index and the containers they look like leftovers.
 *
 * The protocol, with one flock (`gc`) held only for short steps:
 *
 * - An operation takes a lease (`<run>/leases/<pid>-<random>.json`) and
 *   adds to it, under the lock, each blob digest and layer diff_id it will
 *   make or reuse, *before* it looks whether that thing exists. It removes
 *   the lease only after its tags are written (or it failed).
 * - The collector holds the lock from before it reads the leases until it
 *   has removed what it decided to remove: leases first, then the index and
 *   the container records, then removal of what none of them names.
 *
 * So a `hold` either comes before the collector took the lock (the
 * collector then sees it) or after it released it (what was removed is
 * gone, and the operation, looking only now, makes it afresh). A lease
 * removed before the collector read the leases was removed after its tags
 * were written, which the collector reads next. A lease whose process is
 * dead (pid and start time, so a reused pid does not count) protects
 * nothing and is deleted; the kernel drops the flock of a dead holder.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Paths } from '../config'
import { withLock } from '../util/lock'
import { sameProcessAlive } from '../util/pid-alive'
import { ownStartTicks } from '../util/process-identity'
import { releaseTemp, trackTemp } from '../util/temp-files'
import { explainOutOfSpace } from '../util/write-errors'

/** What a lease protects, and what the collector must not remove. */
export interface Held {
  blobs: Set<string>
  layers: Set<string>
}

interface LeaseFile {
  pid: number
  /** Start time of the process (clock ticks since boot), so a reused pid is not mistaken for the owner. */
  start: string
  blobs: string[]
  layers: string[]
}

/** Run `fn` holding the garbage-collection lock (short steps only: it stalls every pull that wants to hold something). */
export function withGcLock<T>(paths: Paths, fn: () => Promise<T> | T): Promise<T> {
  return withLock(paths.locks, 'gc', fn)
}

/** One operation's lease. `release` it in a `finally`; a signal or a crash is covered too (temp-files.ts, liveness). */
export class Lease {
  private readonly held: Held = { blobs: new Set(), layers: new Set() }
  private released = false

  private constructor(
    private readonly paths: Paths,
    readonly file: string,
  ) {}

  static async take(paths: Paths): Promise<Lease> {
    const dir = paths.leases
    fs.mkdirSync(dir, { recursive: true })
    const lease = new Lease(paths, path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}.json`))
    trackTemp(lease.file)
    try {
      await withGcLock(paths, () => {
        // The leases of dead processes go at the next operation, as their spool files do.
        readLiveLeases(paths, true)
        lease.write()
      })
    } catch (err) {
      lease.release()
      throw err
    }
    return lease
  }

  /** Protect these blobs and layers from now on. Call it before looking whether they exist. */
  async hold(what: { blobs?: string[]; layers?: string[] }): Promise<void> {
    const blobs = (what.blobs ?? []).filter((d) => !this.held.blobs.has(d))
    const layers = (what.layers ?? []).filter((d) => !this.held.layers.has(d))
    if (!blobs.length && !layers.length) return
    for (const d of blobs) this.held.blobs.add(d)
    for (const d of layers) this.held.layers.add(d)
    await withGcLock(this.paths, () => this.write())
  }

  /** What this lease holds (for collecting an operation's own leftovers after it failed). */
  get holds(): Held {
    return { blobs: new Set(this.held.blobs), layers: new Set(this.held.layers) }
  }

  /** Stop protecting anything. Idempotent. */
  release(): void {
    if (this.released) return
    this.released = true
    fs.rmSync(this.file, { force: true })
    releaseTemp(this.file)
  }

  private write(): void {
    // Written and read only under the gc lock, so a plain write is never seen torn.
    const body: LeaseFile = { pid: process.pid, start: ownStartTicks(), blobs: [...this.held.blobs], layers: [...this.held.layers] }
    try {
      fs.writeFileSync(this.file, JSON.stringify(body))
    } catch (err) {
      throw explainOutOfSpace(err, 'recording what this operation holds', path.dirname(this.file))
    }
  }
}

/**
 * What the leases of live processes hold. Call it under the gc lock; with
 * `removeDead`, the leases of dead processes are deleted on the way.
 */
export function readLiveLeases(paths: Paths, removeDead: boolean): Held {
  const out: Held = { blobs: new Set(), layers: new Set() }
  const dir = paths.leases
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const file = path.join(dir, name)
    let lease: LeaseFile
    try {
      lease = JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseFile
    } catch {
      // Unreadable: only a lease file cut short by a crash of the machine (written under the lock otherwise).
      if (removeDead) fs.rmSync(file, { force: true })
      continue
    }
    if (!sameProcessAlive(lease.pid, Number(lease.start))) {
      if (removeDead) fs.rmSync(file, { force: true })
      continue
    }
    for (const d of lease.blobs ?? []) out.blobs.add(d)
    for (const d of lease.layers ?? []) out.layers.add(d)
  }
  return out
}
