import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyUp, createVolumeDir, diskUsage } from '@tsrun/native'
import type { MountSpec, VolumeCreated, VolumeCreateRequest, VolumeDriver, VolumeRef } from '@tsrun/core'
import { parseLocalOptions } from './options'

/**
 * `volume:local`: a volume is `<dir>/_data` on the host disk (Docker's
 * layout), bound into each container that mounts it, so every container sees
 * the others' writes at once. With options it is a host directory, a tmpfs or
 * another filesystem instead (see options.ts). Filesystem work (the data
 * directory, copy-up with ownership, usage) is done in Rust by @tsrun/native.
 */
export class LocalVolumeDriver implements VolumeDriver {
  validate(options: Record<string, string>): void {
    parseLocalOptions(options)
  }

  async create(req: VolumeCreateRequest): Promise<VolumeCreated> {
    parseLocalOptions(req.options)
    const data = dataDir(req)
    createVolumeDir(data)
    return { mountpoint: data }
  }

  async mount(vol: VolumeRef, _containerId: string): Promise<MountSpec> {
    const o = parseLocalOptions(vol.options)
    switch (o.kind) {
      case 'dir': return { type: 'bind', source: dataDir(vol), options: [] }
      case 'bind': return { type: 'bind', source: o.device, options: o.mountOptions }
      case 'tmpfs': return { type: 'tmpfs', source: 'tmpfs', options: o.mountOptions }
      case 'fs': return { type: o.type, source: o.device, options: o.mountOptions }
    }
  }

  async unmount(_vol: VolumeRef, _containerId: string): Promise<void> {
    // Nothing is mounted on the host: each container's mount dies with its namespace.
  }

  async remove(vol: VolumeRef): Promise<void> {
    // `rm` never follows symlinks; a `type=none` device is left alone (only `_data` goes).
    fs.rmSync(dataDir(vol), { recursive: true, force: true })
  }

  async populate(vol: VolumeRef, layers: string[], subpath: string): Promise<boolean> {
    const target = this.hostPath(vol)
    if (!target) return false
    return (await copyUp(layers, subpath, target)).copied
  }

  async usage(vol: VolumeRef): Promise<number> {
    const target = this.hostPath(vol)
    return target ? diskUsage(target) : -1
  }

  /** The host directory holding the data, when there is one. */
  private hostPath(vol: VolumeRef): string | undefined {
    const o = parseLocalOptions(vol.options)
    return o.kind === 'dir' ? dataDir(vol) : o.kind === 'bind' ? o.device : undefined
  }
}

function dataDir(vol: { dir: string }): string {
  return path.join(vol.dir, '_data')
}
