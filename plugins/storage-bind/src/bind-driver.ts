import * as fs from 'node:fs'
import * as path from 'node:path'
import { diskUsage, unpackLayer } from '@tsrun/native'
import { LayerDiffIdMismatchError, type LayerRef, type RootfsSpec, type StorageDriver } from '@tsrun/core'

/**
 * `storage:bind`: no overlayfs at all. Each container gets its own full copy
 * of the image, made by applying the layers in order (whiteouts delete), and
 * the runtime bind-mounts that directory as `/`. Slower to create and heavier
 * on disk, but it works where overlay cannot (some nested or exotic hosts).
 */
export class BindDriver implements StorageDriver {
  async prepareLayers(_layers: LayerRef[]): Promise<void> {
    // Nothing is shared between containers, so nothing to prepare (and no
    // layer is listed as checked: a pull checks the diff_ids itself).
  }

  async createRootfs(_id: string, layers: LayerRef[], containerDir: string): Promise<RootfsSpec> {
    const rootfs = path.join(containerDir, 'rootfs')
    fs.mkdirSync(rootfs, { recursive: true })
    for (const layer of layers) {
      // The unpack hashes what it reads anyway; a blob that changed on disk
      // since the pull fails the create (which removes the rootfs).
      const got = await unpackLayer(layer.blobPath, rootfs, { whiteouts: 'apply' })
      if (got.diffId !== layer.diffId) throw new LayerDiffIdMismatchError(layer.blobPath, layer.diffId, got.diffId)
    }
    return { path: rootfs, mounts: [] }
  }

  /** The container's own copy of the image is all writable: its whole `rootfs` dir. */
  async usage(_id: string, containerDir: string): Promise<number> {
    const rootfs = path.join(containerDir, 'rootfs')
    return fs.existsSync(rootfs) ? diskUsage(rootfs) : 0
  }

  async removeRootfs(_id: string, containerDir: string): Promise<void> {
    fs.rmSync(path.join(containerDir, 'rootfs'), { recursive: true, force: true })
  }

  async removeLayer(_diffId: string): Promise<void> {
    // Layers live only inside each container's copy.
  }
}
