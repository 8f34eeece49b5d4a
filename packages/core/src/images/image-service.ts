import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { ImageSource, ResolvedImage } from '../backends/image-source'
import type { BackendRegistry } from '../backends/registry'
import type { StorageDriver } from '../backends/storage'
import type { EngineConfig } from '../config'
import type { ContainerStore } from '../containers/container-store'
import { ConflictError, ImageNotFoundError, InvalidArchiveError, InvalidArgumentError, InvalidReferenceError } from '../errors'
import { connectRegistry } from '../registry/connect'
import { defaultPlatform, platformMismatch, type Platform } from '../registry/platform'
import { pushImage, type PushEvent } from '../registry/push'
import { shortId } from '../util/ids'
import { openArchive } from './archive/open-archive'
import { writeArchive, type ArchiveFormat, type SaveItem } from './archive/save'
import { imageUsage, type UsageRow } from './disk-usage'
import { ImageStore, StoredImage } from './image-store'
import { spoolLayer, writeSingleLayerImage } from './import'
import { pullImage, type PullEvent } from './pull'
import { familiarString, formatReference, parseReference, repositoryOf } from './reference'
import { sweepSpool } from './spool-sweep'
import { splitTransport } from './transport'

/** `--pull` policies of `run` and `create`, as Docker's. */
export type PullPolicy = 'missing' | 'always' | 'never'

export interface PullOptions {
  /** `--platform`; the host's when undefined. */
  platform?: Platform
  tlsVerify?: boolean
  progress?: (e: PullEvent) => void
}

export interface PushCommandOptions {
  tlsVerify?: boolean
  progress?: (e: PushEvent) => void
}

/** What `rmi` did, in order, for the CLI to print. */
export type RemovalStep = { untagged: string } | { deleted: string }

/** Image policy: import, tag, remove; the store only keeps bytes and the index. */
export class ImageService {
  constructor(
    private readonly config: EngineConfig,
    private readonly backends: BackendRegistry,
    readonly store: ImageStore,
    private readonly containers: ContainerStore,
  ) {}

  /**
   * `docker import`: one layer from a rootfs tarball. The tarball is checked
   * and the default storage driver unpacks it before the tag appears, so a
   * bad archive leaves nothing `images` shows.
   */
  async importTarball(input: Readable, label: string, ref?: string): Promise<StoredImage> {
    const canonical = ref ? formatReference(parseReference(ref)) : undefined
    this.store.init()
    const layer = await spoolLayer(this.store, input, label)
    this.store.commitBlob(layer.tmp, layer.descriptor.digest)
    const { manifest } = writeSingleLayerImage(this.store, layer)
    try {
      const storage = this.backends.resolve<StorageDriver>('storage', this.config.storageDriver)
      await storage.prepareLayers([{ diffId: layer.diffId, blobPath: this.store.blobPath(layer.descriptor.digest), mediaType: layer.descriptor.mediaType }])
    } catch (err) {
      this.store.collectGarbage()
      throw err
    }
    await this.store.tag(manifest, canonical, layer.uncompressedSize, [layer.uncompressedSize])
    return this.store.list().find((img) => img.manifestDigest === manifest.digest)!
  }

  list(): StoredImage[] {
    this.store.init()
    return this.store.list()
  }

  /**
   * `rmi`: untag the reference given; delete the image when no reference is
   * left. By id, every reference goes. An image a container uses is refused
   * unless `force`, and even then its layers stay for the container.
   */
  async remove(input: string, force: boolean): Promise<RemovalStep[]> {
    this.store.init()
    const image = this.store.resolve(input)
    const users = this.containers.list().filter((c) => c.imageId === image.id)
    let canonical: string | undefined
    try {
      canonical = formatReference(parseReference(input))
    } catch {
      canonical = undefined
    }
    const byRef = canonical !== undefined && image.refs.includes(canonical)
    const refsToDrop = byRef ? [canonical!] : image.refs
    const steps: RemovalStep[] = []
    if (!byRef && image.refs.length > 1 && !force) {
      throw new ConflictError(`unable to delete ${shortId(image.id)} (must be forced): the image is referenced in multiple repositories (${image.refs.map((r) => familiarString(parseReference(r))).join(', ')})`)
    }
    const remainingRefs = image.refs.filter((r) => !refsToDrop.includes(r))
    if (remainingRefs.length === 0 && users.length > 0 && !force) {
      throw new ConflictError(`unable to remove image ${input}: container ${shortId(users[0].id)} (${users[0].name}) is using it; remove the container first or use rmi -f`)
    }
    for (const ref of refsToDrop) {
      await this.store.untag(ref)
      steps.push({ untagged: familiarString(parseReference(ref)) })
    }
    if (remainingRefs.length === 0 && users.length === 0) {
      await this.store.forget(image)
      this.store.collectGarbage()
      await this.dropUnusedLayers(image)
      steps.push({ deleted: image.id })
    }
    return steps
  }

  /** Tell every storage driver to forget layers of `image` that no image or container uses now. */
  private async dropUnusedLayers(image: StoredImage): Promise<void> {
    const used = new Set<string>()
    for (const img of this.store.list()) for (const l of img.layers) used.add(l.diffId)
    for (const c of this.containers.list()) for (const l of c.layers) used.add(l.diffId)
    for (const name of this.backends.names('storage')) {
      const driver = this.backends.resolve<StorageDriver>('storage', name)
      for (const layer of image.layers) if (!used.has(layer.diffId)) await driver.removeLayer(layer.diffId)
    }
  }

  /**
   * `pull`: fetch an image through the image source its transport names
   * (`docker://` by default) into the store and tag it. Answers the images
   * pulled (one, or every image of an archive without a reference).
   */
  async pull(input: string, opts: PullOptions = {}): Promise<StoredImage[]> {
    const { transport, reference } = splitTransport(input, this.backends.names('image-source'))
    const source = this.backends.resolve<ImageSource>('image-source', transport)
    return this.copyIn(source, reference, input, opts, true)
  }

  /**
   * `run --pull`: make sure `ref` is in the store. `missing` pulls only when
   * it is not (an id or an unparsable name is never pulled), `always` pulls,
   * `never` leaves the resolving to the caller.
   */
  async ensure(ref: string, policy: PullPolicy, opts: PullOptions = {}): Promise<void> {
    this.store.init()
    let local: StoredImage | undefined
    try {
      local = this.store.resolve(ref)
    } catch (err) {
      if (!(err instanceof ImageNotFoundError)) throw err
    }
    // `--platform` asks for that platform: a local image of another one does
    // not do; pull the one asked for, as Docker does, or say why not.
    const wrong = local && opts.platform ? platformMismatch(ref, local.config, opts.platform) : undefined
    if (policy === 'never') {
      if (wrong) throw new InvalidArgumentError(wrong)
      return
    }
    if (policy === 'missing') {
      if (local && !wrong) return
      if (!local && /^(sha256:)?[0-9a-f]{12,64}$/.test(ref)) return
    }
    try {
      await this.pull(ref, opts)
    } catch (err) {
      if (wrong) throw new InvalidArgumentError(`${wrong} (and pulling it failed: ${(err as Error).message})`)
      // `run` users asked for a container: say which image could not be had, then why.
      if (err instanceof Error && !(err instanceof InvalidReferenceError)) {
        err.message = policy === 'missing' ? `no such image: ${ref} is not here and pulling it failed: ${err.message}` : `unable to pull ${ref}: ${err.message}`
      }
      throw err
    }
  }

  /** `load`: every image of a docker-archive or oci-archive (a file, or a stream spooled first). */
  async load(input: string | Readable, label: string): Promise<StoredImage[]> {
    this.store.init()
    let file = typeof input === 'string' ? input : undefined
    let spooled: string | undefined
    if (!file) {
      spooled = (await this.store.spool(input as Readable)).tmp
      file = spooled
    }
    try {
      const archive = await openArchive(file, () => this.store.tmpPath(), label)
      let transport: string
      try {
        if (archive.index.has('oci-layout') && archive.index.has('index.json')) transport = 'oci-archive'
        else if (archive.index.has('manifest.json')) transport = 'docker-archive'
        else throw new InvalidArchiveError(`${label} is neither a docker-archive (no manifest.json) nor an oci-archive (no oci-layout and index.json)`)
      } finally {
        archive.close()
      }
      const source = this.backends.resolve<ImageSource>('image-source', transport)
      return await this.copyIn(source, file, label, {}, false)
    } finally {
      if (spooled) fs.rmSync(spooled, { force: true })
    }
  }

  private async copyIn(source: ImageSource, reference: string, label: string, opts: PullOptions, checkPlatform: boolean): Promise<StoredImage[]> {
    this.store.init()
    sweepSpool(this.store)
    const platform = opts.platform ?? defaultPlatform()
    const storage = this.backends.resolve<StorageDriver>('storage', this.config.storageDriver)
    const reader = await source.open(reference, { platform, tlsVerify: opts.tlsVerify })
    try {
      const images = await reader.images()
      const knownSizes = new Map<string, number>()
      for (const img of this.store.list()) img.manifest.layers.forEach((l, i) => knownSizes.set(l.digest, img.layerSizes[i]))
      const pulled: Array<{ image: ResolvedImage; manifest: string; size: number; layerSizes: number[] }> = []
      for (const image of images) {
        const what = image.names[0] ? familiarString(parseReference(image.names[0])) : label
        const result = await pullImage({ store: this.store, storage }, reader, image, {
          label: what,
          platform: checkPlatform ? platform : undefined,
          progress: opts.progress,
          knownSizes,
        })
        pulled.push({ image, manifest: result.manifest.digest, size: result.layerSizes.reduce((a, b) => a + b, 0), layerSizes: result.layerSizes })
      }
      // Tags last, all together: a failure above leaves nothing `images` shows.
      for (const p of pulled) {
        const desc = { ...p.image.manifest, digest: p.manifest }
        if (!p.image.names.length) await this.store.tag(desc, undefined, p.size, p.layerSizes)
        for (const name of p.image.names) await this.store.tag(desc, name, p.size, p.layerSizes)
      }
      const all = this.store.list()
      return pulled.map((p) => all.find((img) => img.manifestDigest === p.manifest)!)
    } finally {
      await reader.close()
    }
  }

  /** `tag SRC DEST`: one more reference to the same image. */
  async tag(src: string, dest: string): Promise<StoredImage> {
    this.store.init()
    const image = this.store.resolve(src)
    const canonical = formatReference(parseReference(dest))
    if (parseReference(dest).digest) throw new InvalidArgumentError(`cannot tag with a digest (${dest}); give name[:tag]`)
    const size = fs.statSync(this.store.blobPath(image.manifestDigest)).size
    await this.store.tag({ mediaType: image.manifest.mediaType, digest: image.manifestDigest, size }, canonical, image.size, image.layerSizes)
    return this.store.resolve(canonical)
  }

  /**
   * `push IMAGE [DEST]`: send a stored image to a registry. Blobs another
   * local tag says are in a repository of the same registry are mounted
   * from there instead of uploaded.
   */
  async push(src: string, dest: string | undefined, opts: PushCommandOptions = {}): Promise<{ reference: string; digest: string; size: number }> {
    this.store.init()
    const image = this.store.resolve(src)
    const target = parseReference(dest ?? src)
    const candidates = this.store
      .list()
      .flatMap((img) => img.refs.map((r) => ({ img, ref: parseReference(r) })))
      .filter(({ img, ref }) => ref.domain === target.domain && ref.path !== target.path && img.manifest.layers.some((l) => image.manifest.layers.some((m) => m.digest === l.digest)))
      .map(({ ref }) => ref.path)
    const client = connectRegistry(this.config.root, target.domain, { tlsVerify: opts.tlsVerify })
    const chunk = Number(process.env.TSRUN_PUSH_CHUNK_SIZE) || undefined
    const result = await pushImage(client, this.store, image, target.path, target.digest ? undefined : target.tag, {
      mountCandidates: [...new Set(candidates)],
      chunkSize: chunk,
      progress: opts.progress,
    })
    return { reference: formatReference(target), ...result }
  }

  /** `save`: the images named, as one archive written to `out` (a file is written whole or not at all). */
  async save(refs: string[], format: ArchiveFormat, out: string | Writable): Promise<void> {
    this.store.init()
    const items: SaveItem[] = []
    for (const ref of refs) {
      const image = this.store.resolve(ref)
      let canonical: string | undefined
      try {
        canonical = formatReference(parseReference(ref))
      } catch {
        canonical = undefined
      }
      const names = canonical && image.refs.includes(canonical) ? [canonical] : image.refs
      const existing = items.find((i) => i.image.manifestDigest === image.manifestDigest)
      if (existing) existing.refs.push(...names.filter((n) => !existing.refs.includes(n)))
      else items.push({ image, refs: [...names] })
    }
    if (typeof out !== 'string') return writeArchive(this.store, items, format, out)
    const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`)
    const stream = fs.createWriteStream(tmp, { flags: 'wx' })
    try {
      await writeArchive(this.store, items, format, stream)
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())))
      fs.renameSync(tmp, out)
    } catch (err) {
      stream.destroy()
      fs.rmSync(tmp, { force: true })
      throw err
    }
  }

  /**
   * `image prune`: remove dangling images (no reference), or with `all`
   * every image no container uses. Answers the ids removed and the bytes of
   * layers that nothing uses any more.
   */
  async prune(all: boolean): Promise<{ deleted: string[]; reclaimed: number }> {
    this.store.init()
    const usedIds = new Set(this.containers.list().map((c) => c.imageId))
    const before = this.store.list()
    const victims = before.filter((img) => !usedIds.has(img.id) && (all || img.refs.length === 0))
    for (const img of victims) await this.store.forget(img)
    this.store.collectGarbage()
    const after = this.store.list()
    const stillUsed = new Set(after.flatMap((img) => img.manifest.layers.map((l) => l.digest)))
    const gone = new Map<string, number>()
    for (const img of victims) img.manifest.layers.forEach((l, i) => !stillUsed.has(l.digest) && gone.set(l.digest, img.layerSizes[i]))
    for (const img of victims) await this.dropUnusedLayers(img)
    return { deleted: victims.map((v) => v.id), reclaimed: [...gone.values()].reduce((a, b) => a + b, 0) }
  }

  /** The images row of `system df`. */
  diskUsage(): UsageRow {
    this.store.init()
    const used = new Set(this.containers.list().map((c) => c.imageId))
    return imageUsage(this.store.list(), (id) => used.has(id))
  }

  /** Canonical repository names (`docker.io/library/demo`) of the stored images, for completion and filters. */
  repositories(): string[] {
    return [...new Set(this.list().flatMap((img) => img.refs.map((r) => repositoryOf(parseReference(r)))))]
  }
}
