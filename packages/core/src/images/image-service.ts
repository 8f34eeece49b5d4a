import type { Readable } from 'node:stream'
import type { BackendRegistry } from '../backends/registry'
import type { StorageDriver } from '../backends/storage'
import type { EngineConfig } from '../config'
import type { ContainerStore } from '../containers/container-store'
import { ConflictError } from '../errors'
import { shortId } from '../util/ids'
import { ImageStore, StoredImage } from './image-store'
import { spoolLayer, writeSingleLayerImage } from './import'
import { familiarString, formatReference, parseReference } from './reference'

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
    await this.store.tag(manifest, canonical, layer.uncompressedSize)
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
}
