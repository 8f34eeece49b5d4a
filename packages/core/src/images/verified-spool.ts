/**
 * Spool a blob stream into the store's temp space while checking it against
 * its descriptor: never more bytes than the descriptor's size (a hostile
 * source cannot fill the disk), exactly that size at the end (a truncated
 * download fails), and the digest over the bytes. For a plain or gzip layer
 * the uncompressed digest (the config's diff_id) is computed on the way too,
 * by a gunzip running beside the write. On any failure the temp file is gone.
 */
import * as fs from 'node:fs'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Gunzip } from 'node:zlib'
import { createGunzip } from '../util/gunzip'
import type { Descriptor } from '../backends/image-source'
import { BlobVerificationError } from '../registry/errors'
import type { ImageStore } from './image-store'

export interface SpooledBlob {
  tmp: string
  /** sha256 of the uncompressed tar, when it could be computed (plain and gzip; not zstd). */
  diffId?: string
  uncompressedSize?: number
}

const GZIP = [0x1f, 0x8b]
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd]

export async function spoolVerified(store: ImageStore, input: Readable, desc: Descriptor, label: string, opts: { layer?: boolean; onBytes?: (n: number) => void } = {}): Promise<SpooledBlob> {
  const tmp = store.tmpPath()
  const hash = createHash('sha256')
  let size = 0
  let kind: 'plain' | 'gzip' | 'zstd' | undefined
  let gunzip: Gunzip | undefined
  const diff = createHash('sha256')
  let usize = 0
  let gunzipDone: Promise<unknown> | undefined
  let gunzipError: Error | undefined
  let pendingDrain: (() => void) | undefined

  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length
      if (size > desc.size) {
        cb(new BlobVerificationError(`${label}: the source sent more than the ${desc.size} bytes the manifest declares; refusing it`))
        return
      }
      hash.update(chunk)
      opts.onBytes?.(size)
      if (opts.layer && kind === undefined) {
        kind = startsWith(chunk, ZSTD) ? 'zstd' : startsWith(chunk, GZIP) ? 'gzip' : 'plain'
        if (kind === 'gzip') {
          gunzip = createGunzip()
          gunzip.on('data', (d: Buffer) => {
            diff.update(d)
            usize += d.length
          })
          gunzip.on('error', (err: Error) => {
            gunzipError ??= err
            pendingDrain?.()
          })
          gunzip.on('drain', () => pendingDrain?.())
          gunzipDone = once(gunzip, 'end')
          gunzipDone.catch(() => undefined)
        }
      }
      if (kind === 'plain') {
        diff.update(chunk)
        usize += chunk.length
      }
      if (gunzip && !gunzipError && !gunzip.write(chunk)) {
        pendingDrain = () => {
          pendingDrain = undefined
          cb(null, chunk)
        }
        return
      }
      cb(null, chunk)
    },
  })
  try {
    await pipeline(input, check, fs.createWriteStream(tmp, { flags: 'wx' }))
    if (size !== desc.size) {
      throw new BlobVerificationError(`${label}: truncated: got ${size} of ${desc.size} bytes; nothing of it was kept, run the command again`)
    }
    const digest = `sha256:${hash.digest('hex')}`
    if (digest !== desc.digest) {
      throw new BlobVerificationError(`${label}: digest mismatch: expected ${desc.digest}, got ${digest}; the blob was tampered with or corrupted, nothing of it was kept`)
    }
    if (gunzip) {
      if (!gunzipError) {
        gunzip.end()
        await gunzipDone!.catch((err: Error) => (gunzipError ??= err))
      }
      if (gunzipError) throw new BlobVerificationError(`${label}: the layer is not a valid gzip stream (${gunzipError.message})`)
    }
    if (kind === 'gzip' || kind === 'plain') return { tmp, diffId: `sha256:${diff.digest('hex')}`, uncompressedSize: usize }
    if (opts.layer && kind === undefined) return { tmp, diffId: `sha256:${diff.digest('hex')}`, uncompressedSize: 0 }
    return { tmp }
  } catch (err) {
    gunzip?.destroy()
    fs.rmSync(tmp, { force: true })
    if (err instanceof BlobVerificationError) throw err
    throw Object.assign(err as Error, { message: `${label}: ${(err as Error).message}` })
  }
}

/** Hash an already stored layer blob the same way (for layers a previous, interrupted pull left). */
export async function measureLayer(file: string): Promise<{ diffId?: string; uncompressedSize?: number }> {
  const head = Buffer.alloc(4)
  const fd = fs.openSync(file, 'r')
  const n = fs.readSync(fd, head, 0, 4, 0)
  fs.closeSync(fd)
  if (n >= 4 && startsWith(head, ZSTD)) return {}
  const diff = createHash('sha256')
  let usize = 0
  let stream: Readable = fs.createReadStream(file)
  if (n >= 2 && startsWith(head, GZIP)) stream = stream.pipe(createGunzip())
  for await (const chunk of stream) {
    diff.update(chunk as Buffer)
    usize += (chunk as Buffer).length
  }
  return { diffId: `sha256:${diff.digest('hex')}`, uncompressedSize: usize }
}

function startsWith(buf: Buffer, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b)
}
