/**
 * Copy one resolved image from an image source into the store, the order
 * being what makes a `kill -9` at any moment harmless:
 *
 *   config blob -> layer blobs (a few at once; each, once downloaded, is
 *   unpacked by the storage driver from its spool file, and committed when
 *   the unpack found the config's diff_id) -> manifest blob -> (caller) tag.
 *
 * What the image will need is put on the operation's lease (`hold`) before
 * anything is looked at, so a concurrent `image prune` leaves it alone
 * (leases.ts). The config is checked against the limits of
 * image-limits.ts before it is committed.
 *
 * Every blob's size and digest are verified while it streams; a layer's
 * diff_id by the native unpack, which decompresses it once (layer-verify.ts).
 * Blobs are committed by rename, so the store only ever has whole, correct
 * blobs. A rerun skips the blobs already there: that is the
 * resume. Nothing is tagged until everything is in place, so `images` never
 * shows a partial image.
 */
import * as fs from 'node:fs'
import type { Readable } from 'node:stream'
import type { Descriptor, ImageReader, ResolvedImage } from '../backends/image-source'
import type { StorageDriver } from '../backends/storage'
import { InvalidArchiveError } from '../errors'
import { BlobVerificationError, PlatformNotFoundError } from '../registry/errors'
import { formatPlatform, platformMatches, type Platform } from '../registry/platform'
import { explainOutOfSpace } from '../util/write-errors'
import { checkImageConfig, IMAGE_LIMITS, parseBoundedJson } from './image-limits'
import type { ImageStore } from './image-store'
import type { ImageConfig } from './oci'
import { prepareVerified } from './layer-verify'
import { spoolVerified } from './verified-spool'

/** What a pull reports as it goes, for progress display. */
export type PullEvent =
  | { type: 'resolved'; image: ResolvedImage }
  | { type: 'layer'; digest: string; status: 'exists' | 'waiting' | 'downloading' | 'verified' | 'extracting' | 'complete'; current?: number; total: number }

export interface PullDeps {
  store: ImageStore
  storage: StorageDriver
  /** Layers downloaded at once (Docker's default is 3). */
  concurrency?: number
  /** Put blob digests and layer diff_ids on the operation's lease (leases.ts); called before they are looked for. */
  hold?: (what: { blobs?: string[]; layers?: string[] }) => Promise<void>
  /** The storage driver's directory, named when its filesystem is full. */
  storageDir?: string
}

export interface PullImageOptions {
  /** When set, the image's config must be for this platform. */
  platform?: Platform
  progress?: (e: PullEvent) => void
  /** Names the image in errors. */
  label: string
  /** Uncompressed layer sizes already known, by blob digest (from other images). */
  knownSizes?: Map<string, number>
}

export interface PulledImage {
  manifest: Descriptor
  config: ImageConfig
  /** Uncompressed size of each layer, in order. */
  layerSizes: number[]
}

export async function pullImage(deps: PullDeps, reader: ImageReader, image: ResolvedImage, opts: PullImageOptions): Promise<PulledImage> {
  const { store } = deps
  const progress = opts.progress ?? (() => undefined)
  progress({ type: 'resolved', image })

  const hold = deps.hold ?? (async () => undefined)
  if (image.layers.length > IMAGE_LIMITS.layers) throw new InvalidArchiveError(`${opts.label}: the manifest lists ${image.layers.length} layers, more than the ${IMAGE_LIMITS.layers} allowed; refusing it`)

  // Config first: it says which diff_ids the layers must have. It is
  // checked before it is committed, so the store never holds an absurd one.
  await hold({ blobs: [image.config.digest] })
  const configWhat = `${opts.label}: the image config`
  let config: ImageConfig
  if (!store.hasBlob(image.config.digest)) {
    if (image.config.size > IMAGE_LIMITS.configBytes) throw new InvalidArchiveError(`${configWhat} claims ${image.config.size} bytes, more than the ${IMAGE_LIMITS.configBytes} allowed; refusing it`)
    const spooled = await spoolVerified(store, await reader.fetchBlob(image.config), image.config, `${opts.label}: config ${short(image.config.digest)}`)
    try {
      config = checkImageConfig(parseBoundedJson(fs.readFileSync(spooled.tmp), configWhat, IMAGE_LIMITS.configBytes), configWhat)
      store.commitBlob(spooled.tmp, image.config.digest)
    } catch (err) {
      store.dropTemp(spooled.tmp)
      throw err
    }
  } else {
    config = checkImageConfig(parseBoundedJson(fs.readFileSync(store.blobPath(image.config.digest)), configWhat, IMAGE_LIMITS.configBytes), configWhat)
  }
  const diffIds = config.rootfs.diff_ids
  if (diffIds.length !== image.layers.length) {
    throw new InvalidArchiveError(`${opts.label}: the config lists ${diffIds.length} layers but the manifest ${image.layers.length}; the image is broken`)
  }
  if (opts.platform && config.os && config.architecture && !platformMatches({ os: config.os, architecture: config.architecture, variant: (config as { variant?: string }).variant }, opts.platform)) {
    const have = formatPlatform({ os: config.os, architecture: config.architecture, variant: (config as { variant?: string }).variant })
    throw new PlatformNotFoundError(`${opts.label} is an image for ${have}, not ${formatPlatform(opts.platform)}; pull it with --platform ${have} if that is what you want`)
  }

  await hold({ blobs: [image.manifest.digest, ...image.layers.map((l) => l.digest)], layers: diffIds })
  for (const l of image.layers) progress({ type: 'layer', digest: l.digest, status: store.hasBlob(l.digest) ? 'exists' : 'waiting', total: l.size })
  const layerSizes = new Array<number>(image.layers.length).fill(0)
  const active = new Set<Readable>()
  await forEachLimit(image.layers, deps.concurrency ?? 3, async (layer, i) => {
    const label = `${opts.label}: layer ${short(layer.digest)}`
    const ref = (blobPath: string) => ({ diffId: diffIds[i], blobPath, mediaType: layer.mediaType })
    const unpack = async (blobPath: string, knownSize?: number) => {
      try {
        return await prepareVerified(deps.storage, ref(blobPath), label, knownSize)
      } catch (err) {
        throw explainOutOfSpace(err, label, deps.storageDir ?? store.paths.root)
      }
    }
    if (store.hasBlob(layer.digest)) {
      progress({ type: 'layer', digest: layer.digest, status: 'extracting', total: layer.size })
      layerSizes[i] = await unpack(store.blobPath(layer.digest), opts.knownSizes?.get(layer.digest))
    } else {
      const stream = await reader.fetchBlob(layer)
      active.add(stream)
      let spooled
      try {
        spooled = await spoolVerified(store, stream, layer, label, {
          onBytes: (n) => progress({ type: 'layer', digest: layer.digest, status: 'downloading', current: n, total: layer.size }),
        })
      } finally {
        active.delete(stream)
      }
      // Unpacked (and its diff_id checked) from the spool file, before the
      // blob is committed: a layer whose content contradicts the config
      // leaves nothing in the store, and a kill -9 leaves only temp files.
      try {
        progress({ type: 'layer', digest: layer.digest, status: 'verified', total: layer.size })
        progress({ type: 'layer', digest: layer.digest, status: 'extracting', total: layer.size })
        layerSizes[i] = await unpack(spooled.tmp)
        store.commitBlob(spooled.tmp, layer.digest)
      } catch (err) {
        store.dropTemp(spooled.tmp)
        throw err
      }
    }
    progress({ type: 'layer', digest: layer.digest, status: 'complete', total: layer.size })
  }, () => {
    for (const s of active) s.destroy()
  })

  // The manifest last: before it exists nothing points at the layers.
  let manifest: Descriptor
  try {
    manifest = store.putBlob(image.manifestBytes, image.manifest.mediaType)
  } catch (err) {
    throw explainOutOfSpace(err, `${opts.label}: manifest`, store.paths.tmp)
  }
  if (manifest.digest !== image.manifest.digest) {
    throw new BlobVerificationError(`${opts.label}: the manifest's digest is ${manifest.digest}, expected ${image.manifest.digest}`)
  }
  return { manifest, config, layerSizes }
}

/**
 * Run `fn` over `items`, at most `limit` at a time. On the first failure no
 * new item starts, `abort` is called to stop the running ones, and the first
 * error is thrown once they have settled.
 */
async function forEachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>, abort: () => void): Promise<void> {
  let next = 0
  let failure: { err: unknown } | undefined
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++
      try {
        await fn(items[i], i)
      } catch (err) {
        if (!failure) {
          failure = { err }
          abort()
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.err
}

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12)
}
