import * as fs from 'node:fs'
import * as path from 'node:path'
import { lockFile, unlockFile } from '@tsrun/native'
import { ConflictError, InvalidArgumentError } from '../errors'
import { randomName } from '../util/ids'

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

/**
 * Container names are reserved by creating `names/<name>` as a symlink to the
 * id: symlink(2) either creates or fails with EEXIST, atomically, so two
 * concurrent `run --name web` cannot both win, with no lock held.
 *
 * A link is only ever removed under the `names` flock, by someone who has
 * just read that it still points where they expect (the owner releasing its
 * name, or anyone reclaiming a stale one). Creating never replaces a link, so
 * between that read and the unlink nothing can change it: two callers that
 * both find `web` stale cannot end up both holding it, and a slow `rm` cannot
 * delete the reservation a new `run --name web` just made.
 */
export class NameReservations {
  /**
   * `holderGone(id)`: true when `id` is not a container and no live create is
   * making it (answered by the store, which may reclaim what a dead one left).
   */
  constructor(private readonly dir: string, private readonly locks: string, private readonly holderGone: (id: string) => boolean) {}

  /** Reserve `wanted` (or a random free name) for `id`; answers the name. */
  reserve(id: string, wanted?: string): string {
    fs.mkdirSync(this.dir, { recursive: true })
    if (wanted !== undefined) {
      const name = wanted.replace(/^\//, '')
      if (!NAME.test(name)) throw new InvalidArgumentError(`invalid container name "${wanted}": only [a-zA-Z0-9][a-zA-Z0-9_.-]+ are allowed`)
      if (!this.tryReserve(name, id)) {
        const holder = this.lookup(name)
        throw new ConflictError(`the container name "${name}" is already in use by container ${holder}; remove or rename that container, or choose another name`)
      }
      return name
    }
    for (let attempt = 0; ; attempt++) {
      const name = attempt < 10 ? randomName() : `${randomName()}_${attempt}`
      if (this.tryReserve(name, id)) return name
    }
  }

  /** The id holding `name`, if any. */
  lookup(name: string): string | undefined {
    try {
      return fs.readlinkSync(path.join(this.dir, name.replace(/^\//, '')))
    } catch {
      return undefined
    }
  }

  /** Names reserved for `id` (normally one). */
  heldBy(id: string): string[] {
    let names: string[]
    try {
      names = fs.readdirSync(this.dir)
    } catch {
      return []
    }
    return names.filter((n) => this.lookup(n) === id)
  }

  /** Free `name` if `id` holds it. */
  release(name: string, id: string): void {
    this.removeIf(name, (holder) => holder === id)
  }

  /**
   * Free `name` when the container holding it is gone (a crashed create or
   * rm left the link). Answers whether the name is free of stale holders.
   */
  releaseStale(name: string): boolean {
    const holder = this.lookup(name)
    if (holder === undefined || !this.holderGone(holder)) return holder === undefined
    this.removeIf(name, (h) => h === holder)
    return true
  }

  private tryReserve(name: string, id: string): boolean {
    const link = path.join(this.dir, name)
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.symlinkSync(id, link)
        return true
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      // Ours already: a rerun of a step that reserved it and crashed (rename).
      if (this.lookup(name) === id) return true
      if (!this.releaseStale(name)) return false
    }
    return false
  }

  /** Unlink `names/<name>` if its target passes `test`, the names lock held. */
  private removeIf(name: string, test: (holder: string | undefined) => boolean): void {
    fs.mkdirSync(this.locks, { recursive: true })
    const fd = lockFile(path.join(this.locks, 'names.lock'))
    try {
      if (test(this.lookup(name))) fs.rmSync(path.join(this.dir, name), { force: true })
    } finally {
      unlockFile(fd)
    }
  }
}
