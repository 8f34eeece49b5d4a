import * as fs from 'node:fs'
import type { Readable, Writable } from 'node:stream'
import type { ImageSource, ResolvedImage } from '../backends/image-source'
import type { BackendRegistry } from '../backends/registry'
import type { LayerRef, StorageDriver } from '../backends/storage'
import type { TarStream } from '../backends/rootfs-changes'
import type { EngineConfig } from '../config'
import type { ContainerStore } from '../containers/container-store'
import { ConflictError, ImageNotFoundError, InvalidArchiveError, InvalidArgumentError, InvalidReferenceError } from '../errors'
import { registryAccess, type RegistryCallOptions } from '../registry/connect'
import type { Credentials } from '../registry/credentials'
import { defaultPlatform, platformMismatch, type Platform } from '../registry/platform'
import { pushImage, type PushEvent } from '../registry/push'
import { shortId } from '../util/ids'
import { explainOutOfSpace } from '../util/write-errors'
import { openArchive } from './archive/open-archive'
import { writeArchive, type ArchiveFormat, type SaveItem } from './archive/save'
import { checkOutputPath, writeFileWhole, writeStreamWhole } from './archive/save-to-file'
import { imageUsage, type UsageRow } from './disk-usage'
import { collectGarbage, garbageBytes, type Garbage } from './garbage'
import { ImageStore, StoredImage, type TagRequest } from './image-store'
import { buildSingleLayerImage, spoolLayer, writeSingleLayerImage, type SingleLayerImage, type SpooledLayer } from './import'
import { buildCommitImage, type CommitOptions } from './commit'
import { Lease, type Held } from './leases'
import { pullImage, type PullEvent } from './pull'
import { familiarString, formatReference, parseReference, repositoryOf } from './reference'
import { FilterArgs } from '../filters/filter-args'
import { imagePruneFilter } from '../filters/prune-filter'
import { sweepSpool } from './spool-sweep'
import { splitTransport } from './transport'

/** `--pull` policies of `run` and `create`, as Docker's. */
export type PullPolicy = 'missing' | 'always' | 'never'

export interface PullOptions extends Pick<RegistryCallOptions, 'tlsVerify' | 'authFile' | 'certDir'> {
  /** `--platform`; the host's when undefined. */
  platform?: Platform
  progress?: (e: PullEvent) => void
  /** Told what a source could not honour but did not refuse (a name that is not a reference). */
  onWarning?: (message: string) => void
}

export interface PushCommandOptions extends RegistryCallOptions {
  progress?: (e: PushEvent) => void
  /** `--creds`: these instead of the saved ones, for this push only. */
  credentials?: Credentials
}

/** What `rmi` did, in order, for the CLI to print. */
export type RemovalStep = { untagged: string } | { deleted: string }

/**
 * An image a pull or load brought in: the stored image (with every name the
 * store has for it) and the names this operation gave it, which are what
 * `load` and `pull` report (Docker prints the archive's own tags, not every
 * tag the image id has here).
 */
export type CopiedImage = StoredImage & { copiedRefs: string[] }

/**
 * The name a pulled or loaded reference is kept under: `repo:tag@digest` is
 * `repo@digest`, as docker/cli pulls it (the digest wins and the tag is not
 * set), so a later `pull repo:tag@digest` adds no second `repo:tag` row.
 */
function storedName(name: string): string {
  const ref = parseReference(name)
  return ref.digest && ref.tag ? formatReference({ ...ref, tag: undefined }) : name
}

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
   * bad archive leaves nothing `images` shows; a failure removes what the
   * import made.
   */
  async importTarball(input: Readable, label: string, ref?: string): Promise<StoredImage> {
    return this.storeLayerImage({ stream: input, done: Promise.resolve() }, label, `cannot import ${label}`, ref, [], (layer) => ({ image: buildSingleLayerImage(layer), layerSizes: [layer.uncompressedSize] }))
  }

  /**
   * `commit`: `base` with the layer `input` writes on top, its config as
   * `opts` say (commit.ts), stored as an import is (below). Answers the new
   * image; a failure leaves nothing of it.
   */
  async commitLayer(input: TarStream, container: string, base: StoredImage, opts: CommitOptions, ref?: string): Promise<StoredImage> {
    return this.storeLayerImage(input, `the changes of container ${container}`, `cannot commit ${container}`, ref, base.layers, (layer) => ({
      image: buildCommitImage(base, layer, opts),
      layerSizes: [...base.layerSizes, layer.uncompressedSize],
      held: [...base.manifest.layers.map((l) => l.digest)],
    }), { allowEmpty: true })
  }

  /**
   * One new layer from a tar stream and an image made with it: the tar is
   * spooled and checked (spoolLayer), the writer's end awaited, the blob
   * committed under a lease, config and manifest written, the default
   * storage driver given every layer before the tag appears, so a bad
   * stream leaves nothing `images` shows, and a failure removes what this
   * made. `below` are the layers under the new one (none for an import).
   */
  private async storeLayerImage(
    input: TarStream,
    label: string,
    failing: string,
    ref: string | undefined,
    below: LayerRef[],
    build: (layer: SpooledLayer) => { image: SingleLayerImage; layerSizes: number[]; held?: string[] },
    spool: { allowEmpty?: boolean } = {},
  ): Promise<StoredImage> {
    const canonical = ref ? formatReference(parseReference(ref)) : undefined
    this.store.init()
    return this.leased(true, async (lease) => {
      let layer: SpooledLayer
      try {
        layer = await spoolLayer(this.store, input.stream, label, spool)
      } catch (err) {
        // The writer's own failure says more than the cut stream it left.
        await input.done
        throw err
      }
      try {
        await input.done
      } catch (err) {
        this.store.dropTemp(layer.tmp)
        throw err
      }
      const { image, layerSizes, held } = build(layer)
      try {
        await lease.hold({ blobs: [layer.descriptor.digest, ...image.digests, ...(held ?? [])], layers: [...below.map((l) => l.diffId), layer.diffId] })
        this.store.commitBlob(layer.tmp, layer.descriptor.digest)
      } catch (err) {
        this.store.dropTemp(layer.tmp)
        throw explainOutOfSpace(err, failing, this.store.dir)
      }
      let manifest
      try {
        manifest = writeSingleLayerImage(this.store, image)
      } catch (err) {
        throw explainOutOfSpace(err, failing, this.store.paths.tmp)
      }
      const top: LayerRef = { diffId: layer.diffId, blobPath: this.store.blobPath(layer.descriptor.digest), mediaType: layer.descriptor.mediaType }
      try {
        await this.defaultStorage().prepareLayers([...below, top])
      } catch (err) {
        throw explainOutOfSpace(err, failing, this.store.paths.storage(this.config.storageDriver))
      }
      const size = layerSizes.reduce((a, b) => a + b, 0)
      try {
        await this.store.tag(manifest, canonical, size, layerSizes)
      } catch (err) {
        throw explainOutOfSpace(err, `${failing}: writing the image index`, this.store.dir)
      }
      return this.store.list().find((img) => img.manifestDigest === manifest.digest)!
    })
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
    const canonical = this.store.nameOf(input, image)
    const byRef = canonical !== undefined
    const refsToDrop = byRef ? [canonical] : image.refs
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
      // Everything nothing references goes, not only this image's: layers a failed pull left too.
      await this.collect(true)
      steps.push({ deleted: image.id })
    }
    return steps
  }

  /**
   * `pull`: fetch an image through the image source its transport names
   * (`docker://` by default) into the store and tag it. Answers the images
   * pulled (one, or every image of an archive without a reference).
   */
  async pull(input: string, opts: PullOptions = {}): Promise<CopiedImage[]> {
    const { transport, reference } = splitTransport(input, this.backends.names('image-source'))
    const source = this.backends.resolve<ImageSource>('image-source', transport)
    // A failed pull keeps what it verified and unpacked: the rerun resumes from it (prune collects it otherwise).
    return this.copyIn(source, reference, input, opts, { checkPlatform: true, cleanUpOnFailure: false })
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
        err.message = policy === 'missing' ? `No such image: ${ref} is not here and pulling it failed: ${err.message}` : `unable to pull ${ref}: ${err.message}`
      }
      throw err
    }
  }

  /**
   * `load`: every image of a docker-archive or oci-archive (a file, or a
   * stream spooled first; plain or gzip, decompressed once). All of its
   * tags land together or, when anything fails, none, and what the load
   * made is removed again.
   */
  async load(input: string | Readable, label: string, opts: Pick<PullOptions, 'onWarning'> = {}): Promise<CopiedImage[]> {
    this.store.init()
    let file = typeof input === 'string' ? input : undefined
    let spooled: string | undefined
    if (!file) {
      try {
        spooled = (await this.store.spool(input as Readable)).tmp
      } catch (err) {
        throw explainOutOfSpace(err, `loading ${label}`, this.store.paths.tmp)
      }
      file = spooled
    }
    try {
      const archive = await openArchive(file, () => this.store.tmpPath(), label)
      try {
        let transport: string
        if (archive.index.has('oci-layout') && archive.index.has('index.json')) transport = 'oci-archive'
        else if (archive.index.has('manifest.json')) transport = 'docker-archive'
        else throw new InvalidArchiveError(`${label} is neither a docker-archive (no manifest.json) nor an oci-archive (no oci-layout and index.json)`)
        const source = this.backends.resolve<ImageSource>('image-source', transport)
        // The source reads the plain tar (gunzipped already, if it was gzip), named by the label in errors.
        return await this.copyIn(source, archive.index.file, label, { ...opts, sourceLabel: label }, { checkPlatform: false, cleanUpOnFailure: true })
      } finally {
        archive.close()
      }
    } finally {
      if (spooled) this.store.dropTemp(spooled)
    }
  }

  /**
   * Copy every image `source` answers for `reference` into the store, under
   * a lease (leases.ts), and tag them all in one index rewrite at the end.
   */
  private async copyIn(
    source: ImageSource,
    reference: string,
    label: string,
    opts: PullOptions & { sourceLabel?: string },
    mode: { checkPlatform: boolean; cleanUpOnFailure: boolean },
  ): Promise<CopiedImage[]> {
    this.store.init()
    sweepSpool(this.store.paths.tmp)
    const platform = opts.platform ?? defaultPlatform()
    const storage = this.defaultStorage()
    return this.leased(mode.cleanUpOnFailure, async (lease) => {
      const reader = await source.open(reference, { platform, tlsVerify: opts.tlsVerify, authFile: opts.authFile, certDir: opts.certDir, label: opts.sourceLabel })
      try {
        const images = await reader.images()
        for (const image of images) for (const w of image.warnings ?? []) opts.onWarning?.(w)
        const knownSizes = new Map<string, number>()
        for (const img of this.store.list()) img.manifest.layers.forEach((l, i) => knownSizes.set(l.digest, img.layerSizes[i]))
        const deps = { store: this.store, storage, hold: (what: { blobs?: string[]; layers?: string[] }) => lease.hold(what), storageDir: this.store.paths.storage(this.config.storageDriver) }
        const pulled: Array<{ image: ResolvedImage; manifest: string; size: number; layerSizes: number[] }> = []
        for (const image of images) {
          const what = image.names[0] ? familiarString(parseReference(image.names[0])) : label
          const result = await pullImage(deps, reader, image, {
            label: what,
            platform: mode.checkPlatform ? platform : undefined,
            progress: opts.progress,
            knownSizes,
          })
          pulled.push({ image, manifest: result.manifest.digest, size: result.layerSizes.reduce((a, b) => a + b, 0), layerSizes: result.layerSizes })
        }
        // Tags last, all together, in one index rewrite: a failure anywhere leaves nothing `images` shows.
        const requests: TagRequest[] = []
        for (const p of pulled) {
          const manifest = { ...p.image.manifest, digest: p.manifest }
          if (!p.image.names.length) requests.push({ manifest, ref: undefined, size: p.size, layerSizes: p.layerSizes })
          for (const name of p.image.names) requests.push({ manifest, ref: storedName(name), size: p.size, layerSizes: p.layerSizes })
        }
        try {
          await this.store.tagAll(requests)
        } catch (err) {
          throw explainOutOfSpace(err, `${label}: writing the image index`, this.store.dir)
        }
        const all = this.store.list()
        return pulled.map((p) => ({ ...all.find((img) => img.manifestDigest === p.manifest)!, copiedRefs: [...new Set(p.image.names.map(storedName))] }))
      } finally {
        await reader.close()
      }
    })
  }

  /**
   * Run `fn` under a fresh lease, released at the end. When `fn` fails and
   * `cleanUp`, what it held and nothing else references is removed.
   */
  private async leased<T>(cleanUp: boolean, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await Lease.take(this.store.paths)
    try {
      return await fn(lease)
    } catch (err) {
      lease.release()
      if (cleanUp) await this.collect(true, lease.holds).catch(() => undefined)
      throw err
    } finally {
      lease.release()
    }
  }

  /** Garbage collection over every storage driver (garbage.ts); `only` narrows it to what one operation held. */
  private collect(remove: boolean, only?: Held): Promise<Garbage> {
    const drivers = this.backends.names('storage').map((n) => this.backends.resolve<StorageDriver>('storage', n))
    return collectGarbage({ store: this.store, containers: this.containers, drivers }, { remove, only })
  }

  private defaultStorage(): StorageDriver {
    return this.backends.resolve<StorageDriver>('storage', this.config.storageDriver)
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
    const access = registryAccess(this.config)
    access.assertNotBlocked(target, 'push')
    const client = access.connect(target.domain, { ...opts, repo: target.path })
    const chunk = Number(process.env.TSRUN_PUSH_CHUNK_SIZE) || undefined
    const result = await pushImage(client, this.store, image, target.path, target.digest ? undefined : target.tag, {
      mountCandidates: [...new Set(candidates)],
      chunkSize: chunk,
      progress: opts.progress,
    })
    return { reference: formatReference(target), ...result }
  }

  /**
   * `save`: the images named, as one archive written to `out`: a file
   * (written whole or not at all) or a stream (`outFd`, when it is one,
   * names the file behind it in errors).
   */
  async save(refs: string[], format: ArchiveFormat, out: string | Writable, outFd?: number): Promise<void> {
    // As Docker's CLI: a bad output path is reported before anything else.
    if (typeof out === 'string') checkOutputPath(out)
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
    if (typeof out !== 'string') return writeStreamWhole(out, outFd, 'saving to stdout', (stream) => writeArchive(this.store, items, format, stream))
    await writeFileWhole(out, 'saving', (stream) => writeArchive(this.store, items, format, stream))
  }

  /**
   * `image prune`: remove dangling images (no reference), or with `all`
   * every image no container uses, then everything nothing references any
   * more (garbage.ts). Answers the ids removed and the bytes given back:
   * the uncompressed size of the layers gone with those images, plus
   * whatever else was collected (layers and blobs failed pulls left, spool
   * files of dead ones). `filters` are Docker's (`until`, `label`,
   * `label!`, `dangling`; prune-filter.ts), checked before anything goes.
   */
  async prune(all: boolean, filters: FilterArgs = new FilterArgs()): Promise<{ deleted: string[]; reclaimed: number }> {
    this.store.init()
    const { danglingOnly, keep } = imagePruneFilter(filters, all, (ref) => this.store.resolve(ref))
    const usedIds = new Set(this.containers.list().map((c) => c.imageId))
    const victims = this.store.list().filter((img) => !usedIds.has(img.id) && (!danglingOnly || img.refs.length === 0) && keep(img))
    for (const img of victims) await this.store.forget(img)
    const garbage = await this.collect(true)
    const stillUsed = new Set(this.store.list().flatMap((img) => img.manifest.layers.map((l) => l.digest)))
    const gone = new Map<string, number>()
    for (const img of victims) img.manifest.layers.forEach((l, i) => !stillUsed.has(l.digest) && gone.set(l.digest, img.layerSizes[i]))
    // What the victims' sizes already count is not counted twice.
    const victimBlobs = new Set(victims.flatMap((img) => [img.manifestDigest, img.id, ...img.manifest.layers.map((l) => l.digest)]))
    const victimLayers = new Set(victims.flatMap((img) => img.layers.map((l) => l.diffId)))
    const others = garbageBytes({
      blobs: garbage.blobs.filter((b) => !victimBlobs.has(b.digest)),
      layers: garbage.layers.filter((l) => !victimLayers.has(l.diffId)),
      leftovers: garbage.leftovers,
    })
    return { deleted: victims.map((v) => v.id), reclaimed: [...gone.values()].reduce((a, b) => a + b, 0) + others }
  }

  /**
   * The images row of `system df`. Layers and blobs nothing references and
   * the leftovers of dead pulls count in SIZE and are all RECLAIMABLE
   * (`image prune` removes them).
   */
  async diskUsage(): Promise<UsageRow> {
    this.store.init()
    const used = new Set(this.containers.list().map((c) => c.imageId))
    const row = imageUsage(this.store.list(), (id) => used.has(id))
    const garbage = garbageBytes(await this.collect(false))
    return { ...row, size: row.size + garbage, reclaimable: row.reclaimable + garbage }
  }

  /** Canonical repository names (`docker.io/library/demo`) of the stored images, for completion and filters. */
  repositories(): string[] {
    return [...new Set(this.list().flatMap((img) => img.refs.map((r) => repositoryOf(parseReference(r)))))]
  }
}
