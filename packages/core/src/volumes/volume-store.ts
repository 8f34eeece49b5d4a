import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Paths } from '../config'
import { InvalidArgumentError, VolumeNotFoundError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import { VOLUME_NAME, type VolumeRecord } from './volume-record'

const RECORD = 'volume.json'

/**
 * Volume records on disk: `<root>/volumes/<name>/volume.json`. A directory
 * without a record is a create in progress or one that crashed: no command
 * shows it, and creating that name again sweeps it.
 */
export class VolumeStore {
  constructor(private readonly paths: Paths) {}

  get root(): string {
    return path.join(this.paths.root, 'volumes')
  }

  /** The volume's own directory (the driver's `dir`). Refuses bad names, so no path can escape. */
  dir(name: string): string {
    assertVolumeName(name)
    return path.join(this.root, name)
  }

  find(name: string): VolumeRecord | undefined {
    if (!VOLUME_NAME.test(name)) return undefined
    return readJson<VolumeRecord>(path.join(this.dir(name), RECORD))
  }

  get(name: string): VolumeRecord {
    const rec = this.find(name)
    if (!rec) throw new VolumeNotFoundError(name)
    return rec
  }

  list(): VolumeRecord[] {
    let names: string[]
    try {
      names = fs.readdirSync(this.root)
    } catch {
      return []
    }
    return names.map((n) => this.find(n)).filter((r): r is VolumeRecord => r !== undefined).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Names of volume directories without a record: creates or removals in progress, or killed. */
  unrecorded(): string[] {
    let names: string[]
    try {
      names = fs.readdirSync(this.root)
    } catch {
      return []
    }
    return names.filter((n) => VOLUME_NAME.test(n) && !fs.existsSync(path.join(this.root, n, RECORD)))
  }

  /**
   * Reserve the directory of a new volume: `mkdir` is the atomic test. A
   * leftover directory without a record (a crashed create) is swept first.
   * Answers false when a volume of that name exists.
   */
  reserve(name: string): boolean {
    const dir = this.dir(name)
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 })
    try {
      fs.mkdirSync(dir, { mode: 0o700 })
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    if (this.find(name)) return false
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { mode: 0o700 })
    return true
  }

  save(rec: VolumeRecord): void {
    writeJsonAtomic(path.join(this.dir(rec.name), RECORD), rec)
  }

  /** Forget the record first (the volume stops existing), then its directory. */
  delete(name: string): void {
    fs.rmSync(path.join(this.dir(name), RECORD), { force: true })
    fs.rmSync(this.dir(name), { recursive: true, force: true })
  }
}

export function assertVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new InvalidArgumentError(`invalid volume name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters`)
  }
}
