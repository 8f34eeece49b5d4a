/**
 * An optional ability of a storage driver that keeps unpacked layers of its
 * own (overlay's `layers/<hex>`): listing them, so that layers nothing
 * references any more are found and removed, whoever left them (a pull or
 * load that failed after unpacking some layers, a `kill -9`, an older
 * tsrun), not only the layers of the image being removed.
 *
 * A whole flow, as `tsrun image prune` drives it (images/garbage.ts):
 *
 *   1. Under the `gc` lock, the collector reads the leases of running
 *      operations, the image index and the container records: every diff_id
 *      named there is live.
 *   2. `listLayers()` answers the complete layers the driver holds; for each
 *      one not live, `layerUsage(diffId)` gives its bytes (for `system df`
 *      and "Total reclaimed space") and `removeLayer(diffId)` removes it.
 *   3. `staleTemps(true)` removes what unpacks and removals of dead tsrun
 *      processes left half-made, and answers its bytes.
 *
 * A driver without layers of its own (bind unpacks into each container)
 * does not implement it.
 */
import type { StorageDriver } from './storage'

export interface LayerInventory {
  /** diff_ids (`sha256:...`) of the complete layers held now; never one still being unpacked. */
  listLayers(): Promise<string[]>
  /** Bytes a held layer takes (apparent size of its files); 0 when it is not held. */
  layerUsage(diffId: string): Promise<number>
  /** Bytes of what unpacks or removals of dead processes left half-made; removed as well when `remove`. */
  staleTemps(remove: boolean): Promise<number>
}

/** Whether `driver` can list its layers. */
export function hasLayerInventory(driver: StorageDriver): driver is StorageDriver & LayerInventory {
  const d = driver as Partial<LayerInventory>
  return typeof d.listLayers === 'function' && typeof d.layerUsage === 'function' && typeof d.staleTemps === 'function'
}
