import * as fs from 'node:fs'
import * as path from 'node:path'
import { Paths } from '../config'
import { AmbiguousReferenceError, ContainerNotFoundError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import { NameReservations } from './names'
import type { ContainerRecord } from './record'

const RECORD = 'container.json'

/**
 * Container records on disk: `containers/<id>/container.json`, plus the name
 * reservations. A directory without a record is a create still in progress
 * (or one that crashed): it is not a container yet and no command shows it.
 */
export class ContainerStore {
  readonly names: NameReservations

  constructor(private readonly paths: Paths) {
    this.names = new NameReservations(paths.names, (id) => fs.existsSync(paths.container(id)))
  }

  dir(id: string): string {
    return this.paths.container(id)
  }

  save(rec: ContainerRecord): void {
    writeJsonAtomic(path.join(this.dir(rec.id), RECORD), rec)
  }

  list(): ContainerRecord[] {
    let ids: string[]
    try {
      ids = fs.readdirSync(this.paths.containers)
    } catch {
      return []
    }
    const out: ContainerRecord[] = []
    for (const id of ids) {
      const rec = readJson<ContainerRecord>(path.join(this.dir(id), RECORD))
      if (rec) out.push(rec)
    }
    return out.sort((a, b) => b.created.localeCompare(a.created))
  }

  /** By name (`web` or `/web`), full id, or unique id prefix, as Docker resolves them. */
  get(ref: string): ContainerRecord {
    const byName = this.names.lookup(ref)
    if (byName) {
      const rec = readJson<ContainerRecord>(path.join(this.dir(byName), RECORD))
      if (rec) return rec
    }
    if (/^[0-9a-f]{1,64}$/.test(ref)) {
      const full = readJson<ContainerRecord>(path.join(this.dir(ref), RECORD))
      if (full) return full
      const matches = this.list().filter((r) => r.id.startsWith(ref))
      if (matches.length === 1) return matches[0]
      if (matches.length > 1) throw new AmbiguousReferenceError('container', ref, matches.map((m) => m.id))
    }
    throw new ContainerNotFoundError(ref)
  }

  /**
   * Remove container directories a crashed `create` left without a record,
   * once they are older than `maxAgeMs` (a create still running is younger),
   * with the name they reserved. Nothing mounted can hide inside: the
   * rootfs is only ever mounted in the container's own mount namespace.
   */
  sweepAbandoned(maxAgeMs = 60 * 60 * 1000): void {
    let ids: string[]
    try {
      ids = fs.readdirSync(this.paths.containers)
    } catch {
      return
    }
    for (const id of ids) {
      const dir = this.dir(id)
      if (fs.existsSync(path.join(dir, RECORD))) continue
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs < maxAgeMs) continue
      } catch {
        continue
      }
      fs.rmSync(dir, { recursive: true, force: true })
      for (const name of this.names.heldBy(id)) this.names.release(name, id)
    }
  }

  /** Forget the container: record first (so it stops existing), then its directory and name. */
  delete(rec: ContainerRecord): void {
    fs.rmSync(path.join(this.dir(rec.id), RECORD), { force: true })
    fs.rmSync(this.dir(rec.id), { recursive: true, force: true })
    this.names.release(rec.name, rec.id)
  }
}
