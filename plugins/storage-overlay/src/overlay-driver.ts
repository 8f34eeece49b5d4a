import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { diskUsage, shimPath, unpackLayer } from '@tsrun/native'
import {
  LayerDiffIdMismatchError,
  programStream,
  readChangeRecords,
  skipArgs,
  releaseTemp,
  trackTemp,
  writerMayBeAlive,
  type LayerInventory,
  type LayerRef,
  type PreparedLayer,
  type ChangesOptions,
  type RootfsChange,
  type RootfsChanges,
  type RootfsSpec,
  type StorageDriver,
  type TarStream,
} from '@tsrun/core'

/** Unpacks and removals in progress: `.tmp-<pid>-<random>` (older versions: `.tmp-<random>`). */
const TMP_PREFIX = '.tmp-'
/** A complete layer's directory name: the diff_id's hex. */
const LAYER_NAME = /^[0-9a-f]{64}$/

/**
 * `storage:overlay`: each layer is unpacked once into `layers/<hex>` (overlay
 * whiteouts kept as overlay expects them) and shared read-only by every
 * container; a container gets its own `upper` and `work` dirs, and the runtime
 * mounts the overlay inside the container's mount namespace only.
 */
export class OverlayDriver implements StorageDriver, LayerInventory, RootfsChanges {
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
    await this.staleTemps(true)
    const prepared: PreparedLayer[] = []
    for (const layer of layers) {
      const final = this.layerDir(layer.diffId)
      if (fs.existsSync(final)) continue
      const tmp = this.tempName()
      trackTemp(tmp)
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
      } finally {
        releaseTemp(tmp)
      }
    }
    return prepared
  }

  private tempName(): string {
    return path.join(this.home, 'layers', `${TMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`)
  }

  async listLayers(): Promise<string[]> {
    let names: string[]
    try {
      names = fs.readdirSync(path.join(this.home, 'layers'))
    } catch {
      return []
    }
    return names.filter((n) => LAYER_NAME.test(n)).map((n) => `sha256:${n}`)
  }

  async layerUsage(diffId: string): Promise<number> {
    const dir = this.layerDir(diffId)
    return fs.existsSync(dir) ? diskUsage(dir) : 0
  }

  /**
   * Temp dirs of unpacks or removals killed mid-way: at once when the
   * process named in it is gone (or its pid now belongs to a process started
   * after the dir was made), else, for names without a pid, once older than
   * an hour.
   */
  async staleTemps(remove: boolean): Promise<number> {
    const dir = path.join(this.home, 'layers')
    let names: string[]
    try {
      names = fs.readdirSync(dir)
    } catch {
      return 0
    }
    let bytes = 0
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX)) continue
      const full = path.join(dir, name)
      try {
        const st = fs.statSync(full)
        const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1])
        const born = st.birthtimeMs || st.ctimeMs
        const stale = pid > 0 ? pid !== process.pid && !writerMayBeAlive(pid, born) : Date.now() - st.mtimeMs > 60 * 60 * 1000
        if (!stale) continue
        bytes += await diskUsage(full)
        if (remove) fs.rmSync(full, { recursive: true, force: true })
      } catch {
        // Another tsrun renamed or removed it meanwhile.
      }
    }
    return bytes
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

  /** The image's layer dirs, top first, as the container's overlay stacks them. */
  private lowers(layers: LayerRef[]): string[] {
    return layers.map((l) => this.layerDir(l.diffId)).reverse()
  }

  /** `diff`: the `upper` dir read against the layer dirs (Docker's overlay2 rules, tsrun-shim changes). */
  async changes(_id: string, layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<RootfsChange[]> {
    const args = ['changes', '--upper', path.join(containerDir, 'upper'), ...skipArgs(opts)]
    for (const l of this.lowers(layers)) args.push('--lower', l)
    return readChangeRecords(programStream(shimPath(), args))
  }

  /** `commit`: the `upper` dir is the layer already; its whiteouts and opaque dirs become OCI ones. */
  async changesLayer(_id: string, _layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<TarStream> {
    return programStream(shimPath(), ['changes', '--upper', path.join(containerDir, 'upper'), ...skipArgs(opts), '--layer'])
  }

  /**
   * `export`: a read-only overlay of `upper` over the layer dirs, which the
   * shim mounts onto the (host-side empty) `rootfs` dir in a private mount
   * namespace of its own, running container or not.
   */
  async exportRootfs(_id: string, layers: LayerRef[], containerDir: string): Promise<TarStream> {
    const rootfs = path.join(containerDir, 'rootfs')
    const empty = path.join(containerDir, 'empty')
    const lowers = this.lowers(layers)
    if (lowers.length === 0) {
      fs.mkdirSync(empty, { recursive: true })
      lowers.push(empty)
    }
    const args = ['export', '--root', rootfs, '--lower', path.join(containerDir, 'upper')]
    for (const l of lowers) args.push('--lower', l)
    return programStream(shimPath(), args)
  }

  /** The container's writable layer: its `upper` dir (what `ps -s` shows as SIZE). */
  async usage(_id: string, containerDir: string): Promise<number> {
    const upper = path.join(containerDir, 'upper')
    return fs.existsSync(upper) ? diskUsage(upper) : 0
  }

  async removeRootfs(_id: string, containerDir: string): Promise<void> {
    for (const d of ['upper', 'work', 'rootfs', 'empty']) fs.rmSync(path.join(containerDir, d), { recursive: true, force: true })
  }

  /**
   * Renamed out of the way first, then deleted: a removal cut short leaves a
   * temp dir the next sweep takes, never a half-empty directory that would
   * pass for the complete layer.
   */
  async removeLayer(diffId: string): Promise<void> {
    const doomed = this.tempName()
    try {
      fs.renameSync(this.layerDir(diffId), doomed)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    trackTemp(doomed)
    try {
      fs.rmSync(doomed, { recursive: true, force: true })
    } finally {
      releaseTemp(doomed)
    }
  }
}
