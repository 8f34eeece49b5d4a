/**
 * Volume drivers manage named storage that outlives containers.
 *
 * A whole flow, as `tsrun run -v data:/data demo:1` will drive it:
 *
 *   1. `create({ name, options })` when `data` does not exist yet.
 *   2. `mount(name, containerId)` answers a host path (or a mount spec) the
 *      engine binds at `/data` inside the container's mount namespace.
 *   3. `unmount(name, containerId)` when the container stops.
 *   4. `remove(name)` on `tsrun volume rm`; refused by the engine while in use.
 */
import type { MountSpec } from './storage'

export interface VolumeCreateRequest {
  name: string
  options: Record<string, string>
  labels: Record<string, string>
}

export interface VolumeInfo {
  name: string
  driver: string
  mountpoint: string
  createdAt: string
  options: Record<string, string>
  labels: Record<string, string>
}

export interface VolumeDriver {
  create(req: VolumeCreateRequest): Promise<VolumeInfo>
  mount(name: string, containerId: string): Promise<MountSpec>
  unmount(name: string, containerId: string): Promise<void>
  remove(name: string): Promise<void>
  list(): Promise<VolumeInfo[]>
}
