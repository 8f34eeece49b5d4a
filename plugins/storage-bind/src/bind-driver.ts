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
  type LayerRef,
  type ChangesOptions,
  type RootfsChange,
  type RootfsChanges,
  type RootfsSpec,
  type StorageDriver,
  type TarStream,
} from '@tsrun/core'

/** The image flattened for a diff or commit, beside the container's rootfs: `.diff-base-<pid>-<random>`. */
const BASE_PREFIX = '.diff-base-'

/**
 * `storage:bind`: no overlayfs at all. Each container gets its own full copy
 * of the image, made by applying the layers in order (whiteouts delete), and
 * the runtime bind-mounts that directory as `/`. Slower to create and heavier
 * on disk, but it works where overlay cannot (some nested or exotic hosts).
 */
export class BindDriver implements StorageDriver, RootfsChanges {
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

  /**
   * `diff`: the rootfs compared with the image flattened afresh into a
   * temp dir beside it (Docker's naive diff: the bind driver keeps no
   * pristine copy), which goes again when the comparison is done.
   */
  async changes(_id: string, layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<RootfsChange[]> {
    const base = await this.flatten(layers, containerDir)
    return readChangeRecords(programStream(shimPath(), ['changes', '--root', path.join(containerDir, 'rootfs'), '--base', base, ...skipArgs(opts)], () => this.drop(base)))
  }

  /** `commit`: the same comparison, written as an OCI layer tar. */
  async changesLayer(_id: string, layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<TarStream> {
    const base = await this.flatten(layers, containerDir)
    return programStream(shimPath(), ['changes', '--root', path.join(containerDir, 'rootfs'), '--base', base, ...skipArgs(opts), '--layer'], () => this.drop(base))
  }

  /** `export`: the rootfs dir is the whole filesystem (the container's mounts live in its own namespace). */
  async exportRootfs(_id: string, _layers: LayerRef[], containerDir: string): Promise<TarStream> {
    return programStream(shimPath(), ['export', '--root', path.join(containerDir, 'rootfs')])
  }

  /** The image's layers applied in order into a fresh temp dir in `containerDir` (tracked: a signal removes it). */
  private async flatten(layers: LayerRef[], containerDir: string): Promise<string> {
    this.sweep(containerDir)
    const base = path.join(containerDir, `${BASE_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`)
    trackTemp(base)
    try {
      fs.mkdirSync(base, { mode: 0o700 })
      for (const layer of layers) {
        const got = await unpackLayer(layer.blobPath, base, { whiteouts: 'apply' })
        if (got.diffId !== layer.diffId) throw new LayerDiffIdMismatchError(layer.blobPath, layer.diffId, got.diffId)
      }
    } catch (err) {
      this.drop(base)
      throw err
    }
    return base
  }

  private drop(base: string): void {
    fs.rmSync(base, { recursive: true, force: true })
    releaseTemp(base)
  }

  /** Flattened images a killed diff or commit left (its pid is gone). */
  private sweep(containerDir: string): void {
    let names: string[]
    try {
      names = fs.readdirSync(containerDir)
    } catch {
      return
    }
    for (const name of names) {
      if (!name.startsWith(BASE_PREFIX)) continue
      const full = path.join(containerDir, name)
      const pid = Number(/^\.diff-base-(\d+)-/.exec(name)?.[1])
      try {
        const st = fs.statSync(full)
        if (pid > 0 && pid !== process.pid && !writerMayBeAlive(pid, st.birthtimeMs || st.ctimeMs)) fs.rmSync(full, { recursive: true, force: true })
      } catch {
        // Gone meanwhile.
      }
    }
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
