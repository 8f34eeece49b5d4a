import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { unpackLayer } from '@tsrun/native'
import type { LayerRef, RootfsSpec, StorageDriver } from '@tsrun/core'

/**
 * `storage:overlay`: each layer is unpacked once into `layers/<hex>` (overlay
 * whiteouts kept as overlay expects them) and shared read-only by every
 * container; a container gets its own `upper` and `work` dirs, and the runtime
 * mounts the overlay inside the container's mount namespace only.
 */
export class OverlayDriver implements StorageDriver {
  constructor(private readonly home: string) {}

  layerDir(diffId: string): string {
    return path.join(this.home, 'layers', diffId.replace(/^sha256:/, ''))
  }

  /**
   * Unpack into a temp dir next to the final one, then rename: a layer dir
   * either is complete or does not exist, even after a crash or a race with
   * another `tsrun` unpacking the same layer.
   */
  async prepareLayers(layers: LayerRef[]): Promise<void> {
    fs.mkdirSync(path.join(this.home, 'layers'), { recursive: true })
    this.sweepStaleTemps()
    for (const layer of layers) {
      const final = this.layerDir(layer.diffId)
      if (fs.existsSync(final)) continue
      const tmp = path.join(this.home, 'layers', `.tmp-${randomBytes(8).toString('hex')}`)
      try {
        await unpackLayer(layer.blobPath, tmp, { whiteouts: 'overlay' })
        fs.renameSync(tmp, final)
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true })
        const code = (err as NodeJS.ErrnoException).code
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(final)) continue
        throw err
      }
    }
  }

  /** Temp dirs of unpacks killed mid-way (older than an hour: surely not in progress). */
  private sweepStaleTemps(): void {
    const dir = path.join(this.home, 'layers')
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith('.tmp-')) continue
      const full = path.join(dir, name)
      try {
        if (Date.now() - fs.statSync(full).mtimeMs > 60 * 60 * 1000) fs.rmSync(full, { recursive: true, force: true })
      } catch {
        // Another tsrun renamed or removed it meanwhile.
      }
    }
  }

  async createRootfs(_id: string, layers: LayerRef[], containerDir: string): Promise<RootfsSpec> {
    const upper = path.join(containerDir, 'upper')
    const work = path.join(containerDir, 'work')
    const rootfs = path.join(containerDir, 'rootfs')
    for (const d of [upper, work, rootfs]) fs.mkdirSync(d, { recursive: true })
    // overlay lists lowerdirs top first; image layers come bottom first.
    let lowers = layers.map((l) => this.layerDir(l.diffId)).reverse()
    if (lowers.length === 0) {
      const empty = path.join(containerDir, 'empty')
      fs.mkdirSync(empty, { recursive: true })
      lowers = [empty]
    }
    return {
      path: rootfs,
      mounts: [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`, `upperdir=${upper}`, `workdir=${work}`] }],
    }
  }

  async removeRootfs(_id: string, containerDir: string): Promise<void> {
    for (const d of ['upper', 'work', 'rootfs', 'empty']) fs.rmSync(path.join(containerDir, d), { recursive: true, force: true })
  }

  async removeLayer(diffId: string): Promise<void> {
    fs.rmSync(this.layerDir(diffId), { recursive: true, force: true })
  }
}
