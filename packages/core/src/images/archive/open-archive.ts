/**
 * Open an image archive for reading: a plain tar is indexed where it lies; a
 * gzip-compressed one (as `docker save | gzip` makes) is first decompressed
 * into the store's temp space, which `close` removes (and a signal, before
 * that). Only zlib's own errors make it "not a valid gzip stream"; a full
 * disk is said to be one, naming the directory.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from '../../util/gunzip'
import { InvalidArchiveError, InvalidArgumentError } from '../../errors'
import { releaseTemp, trackTemp } from '../../util/temp-files'
import { explainOutOfSpace } from '../../util/write-errors'
import { TarIndex } from './tar-index'

export interface OpenedArchive {
  index: TarIndex
  close(): void
}

/** `tmpPath` gives a fresh temp file name on the store's filesystem. */
export async function openArchive(file: string, tmpPath: () => string, label = file): Promise<OpenedArchive> {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    throw new InvalidArgumentError(`${label}: no such file`)
  }
  if (stat.isDirectory()) throw new InvalidArgumentError(`${label} is a directory; give an archive file (or use the oci: transport for a layout directory)`)
  const head = Buffer.alloc(4)
  const fd = fs.openSync(file, 'r')
  const n = fs.readSync(fd, head, 0, 4, 0)
  fs.closeSync(fd)
  if (n >= 4 && head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
    throw new InvalidArchiveError(`${label} is zstd-compressed; decompress it first (zstd -d)`)
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const tmp = tmpPath()
    trackTemp(tmp)
    const close = () => {
      fs.rmSync(tmp, { force: true })
      releaseTemp(tmp)
    }
    try {
      await pipeline(fs.createReadStream(file), createGunzip(), fs.createWriteStream(tmp, { flags: 'wx' }))
      return { index: TarIndex.open(tmp, label), close }
    } catch (err) {
      close()
      if (err instanceof InvalidArchiveError) throw err
      if (/^Z_/.test((err as NodeJS.ErrnoException).code ?? '')) {
        throw new InvalidArchiveError(`${label} is corrupt: not a valid gzip stream (${(err as Error).message})`)
      }
      throw explainOutOfSpace(err, `decompressing ${label}`, path.dirname(tmp))
    }
  }
  return { index: TarIndex.open(file, label), close: () => undefined }
}
