import * as fs from 'node:fs'
import { createGunzip } from '../util/gunzip'
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Descriptor } from '../backends/image-source'
import { InvalidArchiveError } from '../errors'
import { ImageStore } from './image-store'
import { hostPlatform, ImageConfig, ImageManifest, MediaTypes } from './oci'
import { TarChecker } from './tar-check'

/** A layer blob spooled into the store's temp space, checked, not yet committed. */
export interface SpooledLayer {
  tmp: string
  descriptor: Descriptor
  diffId: string
  uncompressedSize: number
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

/**
 * Spool a layer (or `docker import` rootfs) tarball into the store's temp
 * space, computing its digest, its diffId and checking every entry on the way.
 * On failure the temp file is gone and the error says what is wrong.
 */
export async function spoolLayer(store: ImageStore, input: Readable, label: string): Promise<SpooledLayer> {
  const spooled = await store.spool(input)
  try {
    const head = Buffer.alloc(4)
    const fd = fs.openSync(spooled.tmp, 'r')
    const n = fs.readSync(fd, head, 0, 4, 0)
    fs.closeSync(fd)
    if (n >= 4 && head.equals(ZSTD_MAGIC)) {
      throw new InvalidArchiveError(`${label}: zstd-compressed archives cannot be imported yet; decompress it first (zstd -d)`)
    }
    const gzip = n >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC)
    const checker = new TarChecker(label)
    const hash = createHash('sha256')
    let uncompressedSize = 0
    let stream: Readable = fs.createReadStream(spooled.tmp)
    if (gzip) stream = stream.pipe(createGunzip())
    try {
      for await (const chunk of stream) {
        hash.update(chunk as Buffer)
        uncompressedSize += (chunk as Buffer).length
        checker.write(chunk as Buffer)
      }
    } catch (err) {
      throw new InvalidArchiveError(`${label}: not a valid gzip stream (${(err as Error).message})`)
    }
    await checker.end()
    return {
      tmp: spooled.tmp,
      descriptor: { mediaType: gzip ? MediaTypes.layerGzip : MediaTypes.layer, digest: spooled.digest, size: spooled.size },
      diffId: `sha256:${hash.digest('hex')}`,
      uncompressedSize,
    }
  } catch (err) {
    fs.rmSync(spooled.tmp, { force: true })
    throw err
  }
}

/** Options `docker import` takes that shape the image config. */
export interface ImportOptions {
  /** `--change`-style defaults; only what import sets today. */
  message?: string
}

/** Write config and manifest blobs for a one-layer image made from a rootfs tarball. */
export function writeSingleLayerImage(store: ImageStore, layer: SpooledLayer, opts: ImportOptions = {}): { manifest: Descriptor; config: ImageConfig } {
  const created = new Date().toISOString()
  const config: ImageConfig = {
    created,
    ...hostPlatform(),
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: 'tsrun import', comment: opts.message ?? 'Imported from tarball' }],
  }
  const configDesc = store.putBlob(Buffer.from(JSON.stringify(config)), MediaTypes.config)
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaTypes.manifest, config: configDesc, layers: [layer.descriptor] }
  const manifestDesc = store.putBlob(Buffer.from(JSON.stringify(manifest)), MediaTypes.manifest)
  return { manifest: manifestDesc, config }
}
