/**
 * An optional ability of a storage driver: reading a container's filesystem
 * from the host, for `tsrun diff`, `tsrun commit` and `tsrun export`.
 *
 * A whole flow, as `tsrun commit web demo:2` drives it (images/commit.ts):
 *
 *   1. The engine finds `web`, pauses it (`--pause`, the default), and asks
 *      its driver for `changesLayer(id, layers, containerDir)`: a tar
 *      stream of the container's writable layer as an OCI layer (additions
 *      and changes as they are now, deletions as `.wh.NAME` whiteouts,
 *      opaque directories marked `.wh..wh..opq`).
 *   2. The stream goes into the image store as pulls and imports put layers
 *      there (spooled, hashed, checked, committed under a lease), and a new
 *      image config names it on top of the container's image.
 *
 * `changes` answers the same changes in Docker's words for `tsrun diff`,
 * and `exportRootfs` the whole filesystem (image and changes, without the
 * container's mounts) for `tsrun export`.
 *
 * A running container can change its files while they are read: a driver
 * reads them with no-follow, fd-relative calls (tsrun-shim changes/export),
 * so no symlink the container plants leads the read outside its files.
 */
import type { Readable } from 'node:stream'
import type { LayerRef, StorageDriver } from './storage'

/** One path a container changed, as `docker diff` prints it. */
export interface RootfsChange {
  /** Docker's letters: `A`dded, `C`hanged, `D`eleted. */
  kind: 'A' | 'C' | 'D'
  /** Absolute inside the container (`/etc/passwd`). */
  path: string
}

/** A tar being written by someone else: read `stream`; `done` settles when the writer has finished. */
export interface TarStream {
  stream: Readable
  /** Resolves when the tar is complete; rejects with one line saying what failed. */
  done: Promise<void>
}

/** What `changes` and `changesLayer` leave out. */
export interface ChangesOptions {
  /**
   * Paths the engine bind-mounts files onto (`/etc/hosts`): an empty
   * regular file there is a mount target the runtime made, not a change.
   */
  mountTargets: readonly string[]
}

export interface RootfsChanges {
  /** Docker's changes of the container's filesystem against its image, in Docker's order. */
  changes(id: string, layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<RootfsChange[]>
  /** The changes as an uncompressed OCI layer tar. */
  changesLayer(id: string, layers: LayerRef[], containerDir: string, opts: ChangesOptions): Promise<TarStream>
  /** The container's whole filesystem (no mounts) as a tar, running or not. */
  exportRootfs(id: string, layers: LayerRef[], containerDir: string): Promise<TarStream>
}

/** Whether `driver` can read a container's changes. */
export function hasRootfsChanges(driver: StorageDriver): driver is StorageDriver & RootfsChanges {
  const d = driver as Partial<RootfsChanges>
  return typeof d.changes === 'function' && typeof d.changesLayer === 'function' && typeof d.exportRootfs === 'function'
}
