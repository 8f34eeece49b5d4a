import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { InvalidArchiveError, InvalidArgumentError, type TarIndex } from '@tsrun/core'

/**
 * Read-only access to the files of an image layout, wherever it lies: a
 * directory (`oci:`) or an indexed tar (`oci-archive:`, `docker-archive:`).
 * Names are relative, `/`-separated; nothing outside the layout is reachable.
 */
export interface LayoutFiles {
  has(name: string): boolean
  /** A small file whole; one over `limit` bytes (default 16 MiB) is refused before it is read. */
  read(name: string, limit?: number): Buffer
  stream(name: string): Readable
}

const DEFAULT_READ_LIMIT = 16 * 1024 * 1024

export class DirFiles implements LayoutFiles {
  constructor(private readonly dir: string) {
    if (!fs.existsSync(dir)) throw new InvalidArgumentError(`${dir}: no such directory`)
    if (!fs.statSync(dir).isDirectory()) throw new InvalidArgumentError(`${dir} is not a directory; for an archive use oci-archive:${dir}`)
  }

  private file(name: string): string {
    const p = path.resolve(this.dir, name)
    if (!p.startsWith(path.resolve(this.dir) + path.sep)) throw new InvalidArchiveError(`${this.dir}: ${name} points outside the layout`)
    return p
  }

  has(name: string): boolean {
    return fs.existsSync(this.file(name))
  }

  read(name: string, limit = DEFAULT_READ_LIMIT): Buffer {
    let size: number
    try {
      size = fs.statSync(this.file(name)).size
    } catch {
      throw new InvalidArchiveError(`${this.dir}: ${name} is missing`)
    }
    if (size > limit) throw new InvalidArchiveError(`${this.dir}: ${name} is ${size} bytes, more than the ${limit} allowed; refusing it`)
    return fs.readFileSync(this.file(name))
  }

  stream(name: string): Readable {
    if (!this.has(name)) throw new InvalidArchiveError(`${this.dir}: ${name} is missing`)
    return fs.createReadStream(this.file(name))
  }
}

export class TarFiles implements LayoutFiles {
  constructor(private readonly index: TarIndex) {}
  has(name: string): boolean {
    return this.index.has(name)
  }
  read(name: string, limit = DEFAULT_READ_LIMIT): Buffer {
    return this.index.read(name, limit)
  }
  stream(name: string): Readable {
    return this.index.stream(name)
  }
}

const DIGEST = /^sha256:[a-f0-9]{64}$/

/** `blobs/sha256/<hex>` for a digest; a malformed digest is refused before it becomes a path. */
export function blobName(digest: string, where: string): string {
  if (!DIGEST.test(digest)) throw new InvalidArchiveError(`${where}: "${digest}" is not a sha256 digest`)
  return `blobs/sha256/${digest.slice('sha256:'.length)}`
}
