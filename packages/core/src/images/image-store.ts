import * as fs from 'node:fs'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import type { Descriptor } from '../backends/image-source'
import type { LayerRef } from '../backends/storage'
import { Paths } from '../config'
import { AmbiguousReferenceError, ImageNotFoundError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import { withLock } from '../util/lock'
import { releaseTemp, trackTemp } from '../util/temp-files'
import { ImageConfig, ImageIndex, ImageManifest, MediaTypes, REF_NAME } from './oci'
import { formatReference, parseReference, repositoryOf, type ImageReference } from './reference'

/** Uncompressed size of an image, kept on its index entries (the layout has no other place for it). */
export const SIZE_ANNOTATION = 'io.tsrun.image.size'
/** Uncompressed size of each layer, comma separated, bottom first (for `history` and `system df`). */
export const LAYER_SIZES_ANNOTATION = 'io.tsrun.image.layer-sizes'

/** An image as the store knows it. */
export interface StoredImage {
  /** `sha256:<hex>` of the config blob: the image id, as Docker's. */
  id: string
  manifestDigest: string
  /** Canonical references (`docker.io/library/demo:1`) pointing at it. */
  refs: string[]
  config: ImageConfig
  manifest: ImageManifest
  layers: LayerRef[]
  /** Uncompressed bytes. */
  size: number
  /** Uncompressed bytes of each layer (the blob size where that was never recorded). */
  layerSizes: number[]
}

const HEX_ID = /^(?:sha256:)?([0-9a-f]{4,64})$/

/** One reference to write into the index (`ref` undefined: the image is kept unnamed). */
export interface TagRequest {
  manifest: Descriptor
  ref: string | undefined
  /** Uncompressed bytes of the image. */
  size: number
  layerSizes?: number[]
}

/** A blob file and its bytes. */
export interface BlobFile {
  digest: string
  size: number
}

/**
 * The local image store: an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/`). Blobs are content addressed and written atomically; the
 * index is rewritten under a lock. A blob is written before anything points
 * at it, so a crash leaves at worst an unreferenced blob, never a reference to
 * a missing one.
 */
export class ImageStore {
  /**
   * `alternatives(input)`: other canonical names a reference that was not
   * found may be stored under (registries.conf's alias and search registries
   * for a short name); asked only after a miss.
   */
  constructor(
    readonly paths: Paths,
    private readonly alternatives: (input: string) => string[] = () => [],
  ) {}

  get dir(): string {
    return this.paths.images
  }

  /** Create the layout skeleton when missing. */
  init(): void {
    fs.mkdirSync(path.join(this.dir, 'blobs', 'sha256'), { recursive: true })
    fs.mkdirSync(this.paths.tmp, { recursive: true })
    const layout = path.join(this.dir, 'oci-layout')
    if (!fs.existsSync(layout)) writeJsonAtomic(layout, { imageLayoutVersion: '1.0.0' })
    const index = path.join(this.dir, 'index.json')
    if (!fs.existsSync(index)) writeJsonAtomic(index, { schemaVersion: 2, mediaType: MediaTypes.index, manifests: [] })
  }

  blobPath(digest: string): string {
    const [alg, hex] = digest.split(':')
    return path.join(this.dir, 'blobs', alg, hex)
  }

  hasBlob(digest: string): boolean {
    return fs.existsSync(this.blobPath(digest))
  }

  /** Store bytes; answers their descriptor. */
  putBlob(data: Buffer, mediaType: string): Descriptor {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
    if (!this.hasBlob(digest)) {
      const tmp = this.tmpPath()
      trackTemp(tmp)
      try {
        fs.writeFileSync(tmp, data, { flag: 'wx' })
        this.commitBlob(tmp, digest)
      } catch (err) {
        this.dropTemp(tmp)
        throw err
      }
    }
    return { mediaType, digest, size: data.length }
  }

  /**
   * Stream into a temp file in the store, hashing as it goes. The caller
   * commits or deletes it (`dropTemp`); until then a signal removes it.
   */
  async spool(input: Readable): Promise<{ tmp: string; digest: string; size: number }> {
    const tmp = this.tmpPath()
    trackTemp(tmp)
    const hash = createHash('sha256')
    let size = 0
    input.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      size += chunk.length
    })
    try {
      await pipeline(input, fs.createWriteStream(tmp, { flags: 'wx' }))
    } catch (err) {
      this.dropTemp(tmp)
      throw err
    }
    return { tmp, digest: `sha256:${hash.digest('hex')}`, size }
  }

  /** Move a spooled file into place as `digest` (fsynced first so the name never points at torn data). */
  commitBlob(tmp: string, digest: string): void {
    const fd = fs.openSync(tmp, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, this.blobPath(digest))
    releaseTemp(tmp)
  }

  /** Delete a temp file that will not be committed. */
  dropTemp(tmp: string): void {
    fs.rmSync(tmp, { force: true })
    releaseTemp(tmp)
  }

  readJsonBlob<T>(digest: string): T {
    return JSON.parse(fs.readFileSync(this.blobPath(digest), 'utf8')) as T
  }

  tmpPath(): string {
    return path.join(this.paths.tmp, `blob-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`)
  }

  private readIndex(): ImageIndex {
    return readJson<ImageIndex>(path.join(this.dir, 'index.json')) ?? { schemaVersion: 2, mediaType: MediaTypes.index, manifests: [] }
  }

  private async updateIndex(fn: (index: ImageIndex) => void): Promise<void> {
    await withLock(this.paths.locks, 'images', () => {
      const index = this.readIndex()
      fn(index)
      // A writer killed between its temp file and the rename left one: under this lock no live writer has one.
      for (const f of fs.readdirSync(this.dir)) if (/^\.index\.json\.[0-9a-f]+\.tmp$/.test(f)) fs.rmSync(path.join(this.dir, f), { force: true })
      writeJsonAtomic(path.join(this.dir, 'index.json'), index)
    })
  }

  /** Every image, with its references. One entry per image even when several refs point at it. */
  list(): StoredImage[] {
    const byManifest = new Map<string, StoredImage>()
    for (const entry of this.readIndex().manifests) {
      let image = byManifest.get(entry.digest)
      if (!image) {
        const manifest = this.readJsonBlob<ImageManifest>(entry.digest)
        const config = this.readJsonBlob<ImageConfig>(manifest.config.digest)
        image = {
          id: manifest.config.digest,
          manifestDigest: entry.digest,
          refs: [],
          config,
          manifest,
          size: Number(entry.annotations?.[SIZE_ANNOTATION] ?? manifest.layers.reduce((n, l) => n + l.size, 0)),
          layers: manifest.layers.map((l, i) => ({ diffId: config.rootfs.diff_ids[i], blobPath: this.blobPath(l.digest), mediaType: l.mediaType })),
          layerSizes: parseLayerSizes(entry.annotations?.[LAYER_SIZES_ANNOTATION], manifest.layers),
        }
        byManifest.set(entry.digest, image)
      }
      const ref = entry.annotations?.[REF_NAME]
      if (ref && !image.refs.includes(ref)) image.refs.push(ref)
    }
    return [...byManifest.values()]
  }

  /** Find by reference (`demo:1`) first, then by id or unique id prefix, as Docker does. */
  resolve(input: string): StoredImage {
    const images = this.list()
    let canonical: string | undefined
    try {
      canonical = formatReference(parseReference(input))
    } catch (err) {
      if (!HEX_ID.test(input)) throw err
    }
    if (canonical) {
      const byRef = images.find((img) => img.refs.includes(canonical!))
      if (byRef) return byRef
      const byDigest = findByDigest(images, parseReference(input))
      if (byDigest) return byDigest
      // An id prefix is not looked for under other names (and need not read registries.conf).
      for (const other of HEX_ID.test(input) ? [] : this.alternatives(input)) {
        const found = images.find((img) => img.refs.includes(other))
        if (found) return found
      }
    }
    const hex = HEX_ID.exec(input)?.[1]
    if (hex) {
      const matches = images.filter((img) => img.id.slice('sha256:'.length).startsWith(hex))
      if (matches.length === 1) return matches[0]
      if (matches.length > 1) throw new AmbiguousReferenceError('image', input, matches.map((m) => m.id.slice(7)))
    }
    throw new ImageNotFoundError(input)
  }

  /**
   * The reference of `image` that `input` names: its canonical form, or the
   * alias or search-registry name a short name was found under; undefined
   * when `input` named it by id.
   */
  nameOf(input: string, image: StoredImage): string | undefined {
    let canonical: string | undefined
    try {
      canonical = formatReference(parseReference(input))
    } catch {
      return undefined
    }
    if (image.refs.includes(canonical)) return canonical
    return HEX_ID.test(input) ? undefined : this.alternatives(input).find((r) => image.refs.includes(r))
  }

  /** Point `ref` (canonical) at a manifest; the image it pointed at before keeps its other refs or becomes dangling. */
  async tag(manifest: Descriptor, ref: string | undefined, size: number, layerSizes?: number[]): Promise<void> {
    await this.tagAll([{ manifest, ref, size, layerSizes }])
  }

  /**
   * `tag` for many references at once, in one rewrite of the index: every
   * one of them lands, or (when anything fails) none does. A load of an
   * archive with 20,000 tags is one lock, one read and one atomic write,
   * not 20,000 of each.
   */
  async tagAll(requests: TagRequest[]): Promise<void> {
    if (!requests.length) return
    await this.updateIndex((index) => {
      const moving = new Set(requests.map((r) => r.ref).filter((r): r is string => !!r))
      for (const entry of index.manifests) {
        const ref = entry.annotations?.[REF_NAME]
        if (ref && moving.has(ref)) delete entry.annotations![REF_NAME]
      }
      for (const { manifest, ref, size, layerSizes } of requests) {
        const annotations: Record<string, string> = { [SIZE_ANNOTATION]: String(size) }
        if (layerSizes) annotations[LAYER_SIZES_ANNOTATION] = layerSizes.join(',')
        if (ref) annotations[REF_NAME] = ref
        index.manifests.push({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, annotations })
      }
      index.manifests = dedupe(index.manifests)
    })
  }

  /** Remove one reference; an image left without any becomes dangling. */
  async untag(ref: string): Promise<void> {
    await this.updateIndex((index) => {
      for (const entry of index.manifests) {
        if (entry.annotations?.[REF_NAME] === ref) delete entry.annotations[REF_NAME]
      }
      index.manifests = dedupe(index.manifests)
    })
  }

  /** Drop every index entry of the image. Blobs are left for the garbage collector (garbage.ts). */
  async forget(image: StoredImage): Promise<void> {
    await this.updateIndex((index) => {
      index.manifests = index.manifests.filter((m) => m.digest !== image.manifestDigest)
    })
  }

  /**
   * Blob files that nothing in the index references and that are not in
   * `keep` (what running operations hold). Unpacked layers are the storage
   * drivers' business: containers keep using those, not the blobs.
   */
  unreferencedBlobs(keep: Set<string>): BlobFile[] {
    const live = new Set<string>(keep)
    for (const img of this.list()) {
      live.add(img.manifestDigest)
      live.add(img.manifest.config.digest)
      for (const l of img.manifest.layers) live.add(l.digest)
    }
    const dir = path.join(this.dir, 'blobs', 'sha256')
    const out: BlobFile[] = []
    for (const hex of fs.readdirSync(dir)) {
      if (live.has(`sha256:${hex}`)) continue
      try {
        out.push({ digest: `sha256:${hex}`, size: fs.statSync(path.join(dir, hex)).size })
      } catch {
        // Removed meanwhile.
      }
    }
    return out
  }

  removeBlob(digest: string): void {
    fs.rmSync(this.blobPath(digest), { force: true })
  }
}

/**
 * A digested reference as Docker resolves it: the image of that repository
 * whose manifest has the digest, or that was pulled by it, whatever its tag
 * (`repo:1@sha256:x` and `repo@sha256:x` are the same image). Another
 * repository's image with the same digest is not it.
 */
function findByDigest(images: StoredImage[], ref: ImageReference): StoredImage | undefined {
  if (!ref.digest) return undefined
  const repo = repositoryOf(ref)
  return images.find((img) =>
    img.refs.some((r) => {
      const stored = parseReference(r)
      return repositoryOf(stored) === repo && (img.manifestDigest === ref.digest || stored.digest === ref.digest)
    }),
  )
}

function parseLayerSizes(text: string | undefined, layers: Descriptor[]): number[] {
  const sizes = text?.split(',').map(Number)
  return sizes && sizes.length === layers.length && sizes.every((n) => Number.isFinite(n)) ? sizes : layers.map((l) => l.size)
}

/** One entry per (manifest, ref); a manifest with a ref needs no ref-less entry. */
function dedupe(entries: Descriptor[]): Descriptor[] {
  const tagged = new Set(entries.filter((e) => e.annotations?.[REF_NAME]).map((e) => e.digest))
  const seen = new Set<string>()
  return entries.filter((e) => {
    const ref = e.annotations?.[REF_NAME]
    if (!ref && tagged.has(e.digest)) return false
    const key = `${e.digest} ${ref ?? ''}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
