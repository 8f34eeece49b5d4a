/**
 * Storage drivers give each container a root filesystem made from image layers.
 *
 * A whole flow, as `tsrun run demo:1 true` drives it with the `overlay` driver:
 *
 *   1. `prepareLayers(layers)` unpacks each layer blob that is not unpacked
 *      yet, once, into the driver's own space, where every later container
 *      shares it, checking on the way that the uncompressed tar hashes to
 *      the layer's diffId (the native unpack answers that digest) before the
 *      layer becomes visible. It answers the layers it unpacked, so a pull
 *      need not decompress them a second time to check them. (The `bind`
 *      driver has nothing to share and does nothing.)
 *   2. `createRootfs(id, layers, dir)` makes the container's writable part
 *      and answers how to assemble the rootfs: a directory path and the mounts
 *      to perform on it *inside the container's mount namespace* (an overlay
 *      for `overlay`; none for `bind`, whose directory is a full copy).
 *   3. `removeRootfs(id, dir)` after the container is removed.
 *   4. `removeLayer(diffId)` when no image references the layer any more.
 *
 * Layer tarballs are hostile input: a driver unpacks them so that nothing is
 * ever written outside its target (@tsrun/native's unpackLayer does).
 */

/** One image layer as the store holds it. */
export interface LayerRef {
  /** sha256 of the uncompressed tar (`sha256:...`): identifies the content. */
  diffId: string
  /** Absolute path of the (possibly compressed) blob. */
  blobPath: string
  mediaType: string
}

/** A mount in the shape of the OCI spec's mounts (and containerd's). */
export interface MountSpec {
  type: string
  source: string
  options: string[]
}

/** How to assemble a container's rootfs. */
export interface RootfsSpec {
  /** The directory that becomes `/` (OCI `root.path`). */
  path: string
  /** Mounted onto `path`, in order, in the container's mount namespace. */
  mounts: MountSpec[]
}

/** A layer that prepareLayers unpacked in this call and found to be its diffId. */
export interface PreparedLayer {
  diffId: string
  /** Bytes of the uncompressed tar. */
  size: number
}

export interface StorageDriver {
  /**
   * Make layers usable by createRootfs; idempotent, safe under concurrency.
   * A layer whose uncompressed tar does not hash to its diffId is refused
   * with `LayerDiffIdMismatchError`, leaving nothing of it behind. Answers
   * the layers it unpacked now (each so checked); one that was there
   * already, or that a driver unpacks only in createRootfs, is not listed
   * and a caller that must know checks it itself (@tsrun/native layerDiffId).
   */
  prepareLayers(layers: LayerRef[]): Promise<PreparedLayer[] | void>
  /** Make the container's rootfs (under `containerDir`) from `layers`, bottom first. */
  createRootfs(id: string, layers: LayerRef[], containerDir: string): Promise<RootfsSpec>
  /** Remove what createRootfs made. Idempotent. */
  removeRootfs(id: string, containerDir: string): Promise<void>
  /** Forget a layer no image uses; idempotent. */
  removeLayer(diffId: string): Promise<void>
  /** Bytes the driver holds for this container's writable part (for `ps -s`, `system df`). */
  usage?(id: string, containerDir: string): Promise<number>
}
