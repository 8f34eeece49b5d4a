import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { unpackLayer } from '@tsrun/native'
import { LayerDiffIdMismatchError, pidAlive, type LayerRef, type PreparedLayer, type RootfsSpec, type StorageDriver } from '@tsrun/core'

/** Unpacks in progress: `.tmp-<pid>-<random>` (older versions: `.tmp-<random>`). */
const TMP_PREFIX = '.tmp-'

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
   * Unpack into a temp dir next to the final one, check the diff_id the
   * unpack read, then rename: a layer dir either is complete and is the
   * content its name says, or does not exist, even after a crash or a race
   * with another `tsrun` unpacking the same layer.
   */
  async prepareLayers(layers: LayerRef[]): Promise<PreparedLayer[]> {
    fs.mkdirSync(path.join(this.home, 'layers'), { recursive: true })
    this.sweepStaleTemps()
    const prepared: PreparedLayer[] = []
    for (const layer of layers) {
      const final = this.layerDir(layer.diffId)
      if (fs.existsSync(final)) continue
      const tmp = path.join(this.home, 'layers', `${TMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`)
      try {
        const got = await unpackLayer(layer.blobPath, tmp, { whiteouts: 'overlay' })
        if (got.diffId !== layer.diffId) throw new LayerDiffIdMismatchError(layer.blobPath, layer.diffId, got.diffId)
        fs.renameSync(tmp, final)
        prepared.push({ diffId: layer.diffId, size: got.size })
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true })
        const code = (err as NodeJS.ErrnoException).code
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(final)) continue
        throw err
      }
    }
    return prepared
  }

  /**
   * Temp dirs of unpacks killed mid-way: at once when the pid in the name is
   * dead, else (no pid, or a pid reused since) once older than an hour.
   */
  private sweepStaleTemps(): void {
    const dir = path.join(this.home, 'layers')
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith(TMP_PREFIX)) continue
      const full = path.join(dir, name)
      try {
        const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1])
        const dead = pid > 0 && pid !== process.pid && !pidAlive(pid)
        if (dead || Date.now() - fs.statSync(full).mtimeMs > 60 * 60 * 1000) fs.rmSync(full, { recursive: true, force: true })
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
