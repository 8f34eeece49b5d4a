/**
 * Random access to the members of an uncompressed tar file without unpacking
 * it: one pass over the headers records where each member's bytes are, then
 * a member is read straight from the archive by offset. Image archives
 * (docker-archive, oci-archive) are uncompressed tars of blobs, so this lets
 * `load` copy blobs into the store with one read each and no temp tree.
 *
 * Understands ustar (with prefix), GNU long names/links and PAX path/size
 * records. Member names are normalised (`./a/b` -> `a/b`); a bad header
 * checksum means "not a tar" and becomes an InvalidArchiveError.
 */
import * as fs from 'node:fs'
import * as posix from 'node:path/posix'
import { Readable } from 'node:stream'
import { InvalidArchiveError } from '../../errors'

export interface TarMember {
  name: string
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other'
  /** Where the content starts in the archive. */
  offset: number
  size: number
  linkname?: string
}

export class TarIndex {
  private constructor(readonly file: string, readonly members: Map<string, TarMember>) {}

  /** Index `file`; `label` names it in errors. */
  static open(file: string, label = file): TarIndex {
    const members = new Map<string, TarMember>()
    const fd = fs.openSync(file, 'r')
    try {
      const total = fs.fstatSync(fd).size
      const block = Buffer.alloc(512)
      let pos = 0
      let longName: string | undefined
      let longLink: string | undefined
      let pax: Record<string, string> = {}
      let headers = 0
      while (pos + 512 <= total) {
        fs.readSync(fd, block, 0, 512, pos)
        if (block.every((b) => b === 0)) break
        if (!checksumOk(block)) {
          throw new InvalidArchiveError(headers === 0 ? `${label} is not a tar archive` : `${label} is corrupt: bad tar header at byte ${pos}`)
        }
        headers++
        const typeflag = String.fromCharCode(block[156] || 0x30)
        const size = parseNumber(block.subarray(124, 136))
        const dataStart = pos + 512
        const next = dataStart + Math.ceil(size / 512) * 512
        if (dataStart + size > total) throw new InvalidArchiveError(`${label} is truncated: a member runs past the end of the file`)
        if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
          const data = Buffer.alloc(size)
          fs.readSync(fd, data, 0, size, dataStart)
          if (typeflag === 'L') longName = cstring(data)
          else if (typeflag === 'K') longLink = cstring(data)
          else if (typeflag === 'x') pax = parsePax(data)
          pos = next
          continue
        }
        const prefix = isUstar(block) ? cstring(block.subarray(345, 500)) : ''
        let name = pax.path ?? longName ?? (prefix ? `${prefix}/${cstring(block.subarray(0, 100))}` : cstring(block.subarray(0, 100)))
        const linkname = pax.linkpath ?? longLink ?? cstring(block.subarray(157, 257))
        const realSize = pax.size !== undefined ? Number(pax.size) : size
        name = normalize(name)
        const type: TarMember['type'] = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'dir' : typeflag === '2' ? 'symlink' : typeflag === '1' ? 'hardlink' : 'other'
        if (name) members.set(name, { name, type, offset: dataStart, size: realSize, linkname: linkname || undefined })
        pos = dataStart + Math.ceil(realSize / 512) * 512
        longName = longLink = undefined
        pax = {}
      }
      if (headers === 0) throw new InvalidArchiveError(`${label} is not a tar archive (or it is empty)`)
    } finally {
      fs.closeSync(fd)
    }
    return new TarIndex(file, members)
  }

  has(name: string): boolean {
    return this.resolve(name) !== undefined
  }

  /** The regular file `name` refers to, following links inside the archive. */
  resolve(name: string): TarMember | undefined {
    let current = normalize(name)
    for (let hops = 0; hops < 8; hops++) {
      const m = this.members.get(current)
      if (!m) return undefined
      if (m.type === 'file') return m
      if (m.type === 'symlink' && m.linkname) current = normalize(posix.join(posix.dirname(current), m.linkname))
      else if (m.type === 'hardlink' && m.linkname) current = normalize(m.linkname)
      else return undefined
    }
    return undefined
  }

  /** Stream a member's content. */
  stream(name: string): Readable {
    const m = this.resolve(name)
    if (!m) throw new InvalidArchiveError(`${this.file}: ${name} is missing from the archive`)
    if (m.size === 0) return Readable.from([])
    return fs.createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1 })
  }

  /** Read a (small) member whole. */
  read(name: string, limit = 16 * 1024 * 1024): Buffer {
    const m = this.resolve(name)
    if (!m) throw new InvalidArchiveError(`${this.file}: ${name} is missing from the archive`)
    if (m.size > limit) throw new InvalidArchiveError(`${this.file}: ${name} is ${m.size} bytes, more than the ${limit} allowed; refusing it`)
    const buf = Buffer.alloc(m.size)
    const fd = fs.openSync(this.file, 'r')
    try {
      fs.readSync(fd, buf, 0, m.size, m.offset)
    } finally {
      fs.closeSync(fd)
    }
    return buf
  }
}

function normalize(name: string): string {
  const n = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '')
  return n === '.' ? '' : n
}

function cstring(buf: Buffer): string {
  const nul = buf.indexOf(0)
  return buf.subarray(0, nul < 0 ? buf.length : nul).toString('utf8')
}

function isUstar(block: Buffer): boolean {
  return block.subarray(257, 262).toString('latin1') === 'ustar'
}

function parseNumber(field: Buffer): number {
  if (field[0] & 0x80) {
    // GNU base-256 for sizes over 8 GiB.
    let n = 0
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]
    return n
  }
  const text = cstring(field).trim()
  return text ? parseInt(text, 8) : 0
}

function checksumOk(block: Buffer): boolean {
  const stored = parseNumber(block.subarray(148, 156))
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]
  return sum === stored
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  let i = 0
  while (i < data.length) {
    const space = data.indexOf(0x20, i)
    if (space < 0) break
    const len = parseInt(data.subarray(i, space).toString('latin1'), 10)
    if (!len) break
    const record = data.subarray(space + 1, i + len - 1).toString('utf8')
    const eq = record.indexOf('=')
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1)
    i += len
  }
  return out
}
