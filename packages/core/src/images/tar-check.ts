import * as path from 'node:path/posix'
import type { Parser as TarParser, ReadEntry } from 'tar'
import { InvalidArchiveError } from '../errors'

/** What a scan of a layer tarball found. */
export interface TarScan {
  entries: number
}

/**
 * A streaming check of a layer tarball, before anything is stored: it must be
 * a tar, and no entry may climb out of the root (`../`), write through a
 * symlink the archive itself planted, or hard-link to a path outside it.
 * The native unpacker confines every write anyway (RESOLVE_IN_ROOT); this
 * check turns an attack into one clear error at import instead of a confined
 * but surprising rootfs.
 */
export class TarChecker {
  private readonly parser: TarParser
  private readonly symlinks = new Set<string>()
  private entries = 0
  /** Every byte so far was zero: end-of-archive blocks and nothing else. */
  private onlyZeros = true
  private failure?: Error
  private readonly done: Promise<TarScan>

  /** `allowEmpty`: a tar of no entries is fine (a commit of a container that changed nothing). */
  constructor(private readonly label: string, private readonly allowEmpty = false) {
    // Required here, not at the top: `tar` costs ~45 ms to load and only
    // import/load need it, while every command loads this module.
    const { Parser } = require('tar') as typeof import('tar')
    this.parser = new Parser({ strict: true })
    this.parser.on('entry', (entry: ReadEntry) => {
      this.check(entry)
      entry.resume()
    })
    this.done = new Promise((resolve, reject) => {
      this.parser.on('error', (err: Error) => {
        // node-tar calls a tar of only end-of-archive blocks unrecognised: it is an empty tar.
        if (!this.failure && this.allowEmpty && this.entries === 0 && this.onlyZeros) resolve({ entries: 0 })
        else reject(this.failure ?? this.notTar(err))
      })
      this.parser.on('end', () => (this.failure ? reject(this.failure) : this.entries === 0 && !this.allowEmpty ? reject(this.notTar()) : resolve({ entries: this.entries })))
    })
    this.done.catch(() => undefined)
  }

  /** Feed uncompressed tar bytes. */
  write(chunk: Buffer): void {
    if (this.onlyZeros && chunk.some((b) => b !== 0)) this.onlyZeros = false
    if (!this.failure) this.parser.write(chunk)
  }

  /** Finish; rejects with InvalidArchiveError on the first problem. */
  end(): Promise<TarScan> {
    this.parser.end()
    return this.done
  }

  private check(entry: ReadEntry): void {
    if (this.failure) return
    this.entries++
    const name = normalise(entry.path)
    if (name === undefined) return this.fail(`entry "${entry.path}" points outside the image root`)
    const through = this.plantedSymlinkAbove(name)
    if (through) return this.fail(`entry "${entry.path}" would be written through the symlink "${through}" the archive planted`)
    if (entry.type === 'SymbolicLink') this.symlinks.add(name)
    if (entry.type === 'Link') {
      const target = normalise(entry.linkpath ?? '')
      if (target === undefined || target === '') return this.fail(`hard link "${entry.path}" -> "${entry.linkpath}" points outside the image root`)
    }
  }

  private plantedSymlinkAbove(name: string): string | undefined {
    const parts = name.split('/')
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/')
      if (this.symlinks.has(prefix)) return prefix
    }
    return undefined
  }

  private fail(why: string): void {
    this.failure = new InvalidArchiveError(`${this.label}: ${why}; refusing to import it`)
  }

  private notTar(cause?: Error): InvalidArchiveError {
    return new InvalidArchiveError(`${this.label}: not a tar archive${cause ? ` (${cause.message})` : ''}`)
  }
}

/**
 * The entry's path relative to the root, or undefined when `..` climbs above
 * it. A leading `/` is read as the root, as tar does when extracting.
 */
function normalise(p: string): string | undefined {
  const rel = p.replace(/^\/+/, '')
  if (rel === '' || rel === '.') return ''
  const joined = path.normalize(rel)
  if (joined === '..' || joined.startsWith('../')) return undefined
  return joined.replace(/\/$/, '').replace(/^\.\//, '')
}
