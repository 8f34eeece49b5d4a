/**
 * A pulled layer's diff_id check (sha256 of its uncompressed tar, as the
 * image config lists it), done where the layer is decompressed anyway: the
 * storage driver's native unpack hashes the tar it reads and refuses the
 * layer before renaming it into place. Only a layer the driver did not
 * unpack now (its directory was there already, or the driver unpacks at
 * container create) is decompressed here, natively, just to hash it. Works
 * the same for plain, gzip and zstd layers.
 */
import { layerDiffId } from '@tsrun/native'
import type { LayerRef, StorageDriver } from '../backends/storage'
import { LayerDiffIdMismatchError } from '../errors'
import { BlobVerificationError } from '../registry/errors'

/**
 * Unpack `layer` through `storage` and make sure its content is
 * `layer.diffId`; answers the uncompressed size. `knownSize` (from another
 * image that has the same blob, checked back then) spares the hashing of a
 * layer the driver did not need to unpack.
 */
export async function prepareVerified(storage: StorageDriver, layer: LayerRef, label: string, knownSize?: number): Promise<number> {
  try {
    const prepared = await storage.prepareLayers([layer])
    const seen = prepared ? prepared.find((p) => p.diffId === layer.diffId) : undefined
    if (seen) return seen.size
    if (knownSize !== undefined) return knownSize
    const got = await layerDiffId(layer.blobPath)
    if (got.diffId !== layer.diffId) throw new LayerDiffIdMismatchError(layer.blobPath, layer.diffId, got.diffId)
    return got.size
  } catch (err) {
    if (err instanceof LayerDiffIdMismatchError) {
      throw new BlobVerificationError(`${label}: its uncompressed content is ${err.actual}, but the image config says ${err.expected}; nothing of it was kept`)
    }
    // A native EINVAL (not a tar, corrupt gzip/zstd) names the temp file; say which layer.
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') {
      throw new BlobVerificationError(`${label}: the layer cannot be unpacked: ${(err as Error).message}; nothing of it was kept`)
    }
    throw err
  }
}
