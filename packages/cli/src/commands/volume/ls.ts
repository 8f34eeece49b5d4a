import { Flags } from '@oclif/core'
import { InvalidArgumentError, type VolumeFilters } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { VOLUMES } from '../../render/listings'
import { LABELS, printListing, type ListingRow } from '../../render/output'
import { noHeadingFlag } from '../../flags/listing-flags'

export default class VolumeLs extends EngineCommand {
  static override summary = 'List volumes'
  static override aliases = ['volume:list']
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls --filter dangling=true -q', '<%= config.bin %> volume ls --filter label=app=web --format json']
  static override flags = {
    noheading: noHeadingFlag('n'),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'dangling=true|false, name=PART, label=KEY[=VALUE], driver=NAME' }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.Name}}' }),
    quiet: Flags.boolean({ char: 'q', description: 'only names' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumeLs)
    const filters = parseFilters(flags.filter ?? [])
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
    printListing(flags.format, VOLUMES, rows, { noHeading: flags.noheading })
  }
}

function parseFilters(values: string[]): VolumeFilters {
  const f: VolumeFilters = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    const key = eq < 0 ? v : v.slice(0, eq)
    const value = eq < 0 ? '' : v.slice(eq + 1)
    if (key === 'dangling') {
      if (!['true', 'false', '1', '0'].includes(value)) throw new InvalidArgumentError(`invalid filter "${v}": dangling must be true or false`)
      f.dangling = value === 'true' || value === '1'
    } else if (key === 'name' || key === 'label' || key === 'driver') {
      if (!value) throw new InvalidArgumentError(`invalid filter "${v}": ${key} needs a value`)
      ;(f[key] ??= []).push(value)
    } else {
      throw new InvalidArgumentError(`invalid filter "${v}": the filters are dangling, name, label and driver`)
    }
  }
  return f
}
