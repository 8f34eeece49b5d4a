/**
 * Garbage of the image side of the store: blobs nothing references, layers
 * unpacked by a storage driver that no image or container uses (whoever
 * left them: a pull or load that failed after unpacking some, a `kill -9`),
 * and what dead operations left half-made (spool files in `<root>/tmp`,
 * unpack temp dirs). `image prune` and `rmi` remove it; `system df` counts
 * it as reclaimable.
 *
 * Running pulls, loads and imports are protected by their leases: the
 * collector decides and removes under the `gc` lock, after reading the
 * leases (leases.ts has the argument).
 */
import type { StorageDriver } from '../backends/storage'
import { hasLayerInventory } from '../backends/layer-inventory'
import type { ContainerStore } from '../containers/container-store'
import type { BlobFile, ImageStore } from './image-store'
import { readLiveLeases, withGcLock, type Held } from './leases'
import { sweepSpool } from './spool-sweep'

export interface GarbageDeps {
  store: ImageStore
  containers: ContainerStore
  /** Every registered storage driver (a container may use any of them). */
  drivers: StorageDriver[]
}

/** What was (or, when only measured, would be) removed. */
export interface Garbage {
  blobs: BlobFile[]
  layers: Array<{ diffId: string; size: number }>
  /** Bytes of dead operations' spool files and half-made layer dirs. */
  leftovers: number
}

export interface CollectOptions {
  /** false: only measure (system df); nothing is locked or removed. */
  remove: boolean
  /** Consider only these (a failed load cleaning up after itself); everything unreferenced otherwise. */
  only?: Held
}

export async function collectGarbage(deps: GarbageDeps, opts: CollectOptions): Promise<Garbage> {
  const run = async (): Promise<Garbage> => {
    const { store } = deps
    // Leases first, then the index and the records: see leases.ts for why this order.
    const leased = readLiveLeases(store.paths, opts.remove)
    const liveLayers = new Set(leased.layers)
    for (const img of store.list()) for (const l of img.layers) liveLayers.add(l.diffId)
    for (const c of deps.containers.list()) for (const l of c.layers) liveLayers.add(l.diffId)

    const blobs = store.unreferencedBlobs(leased.blobs).filter((b) => !opts.only || opts.only.blobs.has(b.digest))
    if (opts.remove) for (const b of blobs) store.removeBlob(b.digest)

    const layers: Garbage['layers'] = []
    let leftovers = opts.only ? 0 : sweepSpool(store.paths.tmp, opts.remove)
    for (const driver of deps.drivers) {
      if (!hasLayerInventory(driver)) continue
      for (const diffId of await driver.listLayers()) {
        if (liveLayers.has(diffId) || (opts.only && !opts.only.layers.has(diffId))) continue
        layers.push({ diffId, size: await driver.layerUsage(diffId) })
        if (opts.remove) await driver.removeLayer(diffId)
      }
      if (!opts.only) leftovers += await driver.staleTemps(opts.remove)
    }
    return { blobs, layers, leftovers }
  }
  return opts.remove ? withGcLock(deps.store.paths, run) : run()
}

/** Total bytes of `g`. */
export function garbageBytes(g: Garbage): number {
  return g.blobs.reduce((n, b) => n + b.size, 0) + g.layers.reduce((n, l) => n + l.size, 0) + g.leftovers
}
