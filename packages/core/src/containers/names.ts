import * as fs from 'node:fs'
import * as path from 'node:path'
import { ConflictError, InvalidArgumentError } from '../errors'
import { randomName } from '../util/ids'

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

/**
 * Container names are reserved by creating `names/<name>` as a symlink to the
 * id: symlink(2) either creates or fails with EEXIST, atomically, so two
 * concurrent `run --name web` cannot both win, with no lock held.
 */
export class NameReservations {
  constructor(private readonly dir: string, private readonly containerExists: (id: string) => boolean) {}

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

  release(name: string, id: string): void {
    if (this.lookup(name) === id) fs.rmSync(path.join(this.dir, name), { force: true })
  }

  private tryReserve(name: string, id: string): boolean {
    const link = path.join(this.dir, name)
    try {
      fs.symlinkSync(id, link)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    // A reservation whose container never got written (a crash mid-create) is stale.
    const holder = this.lookup(name)
    if (holder && !this.containerExists(holder)) {
      fs.rmSync(link, { force: true })
      return this.tryReserve(name, id)
    }
    return false
  }
}
