/**
 * Spool a blob stream into the store's temp space while checking it against
 * its descriptor: never more bytes than the descriptor's size (a hostile
 * source cannot fill the disk), exactly that size at the end (a truncated
 * download fails), and the digest over the bytes. On any failure the temp
 * file is gone (after a SIGINT or SIGTERM too); a full disk says so and where.
 *
 * Only the compressed bytes are looked at here. A layer's diff_id (the
 * digest of its uncompressed tar) is checked by the native unpack, which
 * decompresses the layer anyway (see pull.ts): decompressing it here too
 * cost a second gunzip per layer.
 */
import * as fs from 'node:fs'
import { createHash } from 'node:crypto'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Descriptor } from '../backends/image-source'
import { BlobVerificationError } from '../registry/errors'
import { explainOutOfSpace } from '../util/write-errors'
import { trackTemp } from '../util/temp-files'
import type { ImageStore } from './image-store'

export interface SpooledBlob {
  tmp: string
}

export async function spoolVerified(store: ImageStore, input: Readable, desc: Descriptor, label: string, opts: { onBytes?: (n: number) => void } = {}): Promise<SpooledBlob> {
  const tmp = store.tmpPath()
  trackTemp(tmp)
  const hash = createHash('sha256')
  let size = 0
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length
      if (size > desc.size) {
        cb(new BlobVerificationError(`${label}: the source sent more than the ${desc.size} bytes the manifest declares; refusing it`))
        return
      }
      hash.update(chunk)
      opts.onBytes?.(size)
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
    return { tmp }
  } catch (err) {
    store.dropTemp(tmp)
    if (err instanceof BlobVerificationError) throw err
    const explained = explainOutOfSpace(err, label, store.paths.tmp)
    if (explained !== err) throw explained
    throw Object.assign(err as Error, { message: `${label}: ${(err as Error).message}` })
  }
}
