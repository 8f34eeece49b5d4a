import { Flags } from '@oclif/core'
import { FilterArgs } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { VOLUMES } from '../../render/listings'
import { LABELS, printListing, type ListingRow } from '../../render/output'

export default class VolumeLs extends EngineCommand {
  static override summary = 'List volumes'
  static override aliases = ['volume:list']
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls --filter dangling=true -q', '<%= config.bin %> volume ls --filter label=app=web --format json']
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'dangling=true|false, name=REGEXP, label=KEY[=VALUE], driver=NAME (as Docker: values of one key OR, keys AND, every label= must hold)' }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.Name}}' }),
    quiet: Flags.boolean({ char: 'q', description: 'only names' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeLs)
    const filters = FilterArgs.parse(flags.filter)
    const engine = await this.openEngine(flags)
    const vols = engine.volumes.list(filters)
    if (flags.quiet) {
      for (const v of vols) this.log(v.name)
      return
    }
    const rows = vols.map(
      (v): ListingRow => ({
        Driver: v.driver,
        Name: v.name,
        Mountpoint: v.mountpoint,
        Labels: Object.keys(v.labels).sort().map((k) => `${k}=${v.labels[k]}`).join(','),
        Scope: 'local',
        // Usage and cluster fields: what Docker shows when it has none.
        Links: 'N/A',
        Size: 'N/A',
        Group: 'N/A',
        Availability: 'N/A',
        Status: 'N/A',
        [LABELS]: v.labels,
      }),
    )
    printListing(flags.format, VOLUMES, rows)
  }
}
