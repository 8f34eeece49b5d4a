import { Flags } from '@oclif/core'
import { directorySize, humanSize, type UsageRow } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { DISK_USAGE } from '../../render/listings'
import { printListing } from '../../render/output'

export default class SystemDf extends EngineCommand {
  static override summary = 'Show disk usage of images, containers and volumes'
  static override description = 'SIZE counts each layer once however many images share it (uncompressed). RECLAIMABLE is what `image prune -a`, removing stopped containers and `volume prune -a` would free. Local Volumes counts the local driver\'s volumes made without options, as Docker does.'
  static override examples = ['<%= config.bin %> system df', '<%= config.bin %> system df --format json']
  static override flags = {
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.Size}}' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemDf)
    const engine = await this.openEngine(flags)
    const images = await engine.images.diskUsage()
    const views = await engine.containers.list(true)
    const containers: UsageRow = { type: 'Containers', total: views.length, active: 0, size: 0, reclaimable: 0 }
    for (const v of views) {
      const size = directorySize(engine.containers.store.dir(v.record.id))
      containers.size += size
      if (v.state.status === 'running') containers.active++
      else containers.reclaimable += size
    }
    const volumes = await engine.volumes.diskUsage()
    const rows = [images, containers, volumes].map((r) => ({
      Type: r.type,
      TotalCount: String(r.total),
      Active: String(r.active),
      Size: humanSize(r.size),
      // As Docker: the percentage (rounded down) only when there is a size to take it of.
      Reclaimable: r.size > 0 ? `${humanSize(r.reclaimable)} (${Math.floor((r.reclaimable * 100) / r.size)}%)` : humanSize(r.reclaimable),
    }))
    printListing(flags.format, DISK_USAGE, rows)
  }
}
