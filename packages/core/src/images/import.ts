import * as fs from 'node:fs'
import { createGunzip } from '../util/gunzip'
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Descriptor } from '../backends/image-source'
import { InvalidArchiveError } from '../errors'
import { explainOutOfSpace } from '../util/write-errors'
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
 * On failure the temp file is gone and the error says what is wrong: a
 * corrupt gzip stream, a hostile entry, or a full disk (and where).
 */
export async function spoolLayer(store: ImageStore, input: Readable, label: string, opts: { allowEmpty?: boolean } = {}): Promise<SpooledLayer> {
  let spooled
  try {
    spooled = await store.spool(input)
  } catch (err) {
    throw explainOutOfSpace(err, `cannot import ${label}`, store.paths.tmp)
  }
  try {
    const head = Buffer.alloc(4)
    const fd = fs.openSync(spooled.tmp, 'r')
    const n = fs.readSync(fd, head, 0, 4, 0)
    fs.closeSync(fd)
    if (n >= 4 && head.equals(ZSTD_MAGIC)) {
      throw new InvalidArchiveError(`${label}: zstd-compressed archives cannot be imported yet; decompress it first (zstd -d)`)
    }
    const gzip = n >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC)
    const checker = new TarChecker(label, opts.allowEmpty)
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
      // Only zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR for a cut stream) mean the gzip is bad.
      if (gzip && /^Z_/.test((err as NodeJS.ErrnoException).code ?? '')) {
        throw new InvalidArchiveError(`${label}: not a valid gzip stream (${(err as Error).message})`)
      }
      throw err
    }
    await checker.end()
    return {
      tmp: spooled.tmp,
      descriptor: { mediaType: gzip ? MediaTypes.layerGzip : MediaTypes.layer, digest: spooled.digest, size: spooled.size },
      diffId: `sha256:${hash.digest('hex')}`,
      uncompressedSize,
    }
  } catch (err) {
    store.dropTemp(spooled.tmp)
    throw err
  }
}

/** Options `docker import` takes that shape the image config. */
export interface ImportOptions {
  /** `--change`-style defaults; only what import sets today. */
  message?: string
}

/** Config and manifest of a one-layer image made from a rootfs tarball, not yet stored. */
export interface SingleLayerImage {
  configBytes: Buffer
  manifestBytes: Buffer
  /** Digests of the two, to put on a lease before they are written. */
  digests: string[]
}

/** The config and manifest for a one-layer image made from `layer`. */
export function buildSingleLayerImage(layer: SpooledLayer, opts: ImportOptions = {}): SingleLayerImage {
  const created = new Date().toISOString()
  const config: ImageConfig = {
    created,
    ...hostPlatform(),
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, created_by: 'tsrun import', comment: opts.message ?? 'Imported from tarball' }],
  }
  const configBytes = Buffer.from(JSON.stringify(config))
  const configDesc: Descriptor = { mediaType: MediaTypes.config, digest: sha256(configBytes), size: configBytes.length }
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaTypes.manifest, config: configDesc, layers: [layer.descriptor] }
  const manifestBytes = Buffer.from(JSON.stringify(manifest))
  return { configBytes, manifestBytes, digests: [configDesc.digest, sha256(manifestBytes)] }
}

/** Store what buildSingleLayerImage made; answers the manifest's descriptor. */
export function writeSingleLayerImage(store: ImageStore, image: SingleLayerImage): Descriptor {
  store.putBlob(image.configBytes, MediaTypes.config)
  return store.putBlob(image.manifestBytes, MediaTypes.manifest)
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`
}
