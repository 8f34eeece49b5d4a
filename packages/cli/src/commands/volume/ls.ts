import { Flags } from '@oclif/core'
import { InvalidArgumentError, type VolumeFilters } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { printListing } from '../../render/output'

export default class VolumeLs extends EngineCommand {
  static override summary = 'List volumes'
  static override aliases = ['volume:list']
  static override examples = ['<%= config.bin %> volume ls', '<%= config.bin %> volume ls --filter dangling=true -q', '<%= config.bin %> volume ls --filter label=app=web --format json']
  static override flags = {
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
    const rows = vols.map((v) => ({ Driver: v.driver, Name: v.name, Mountpoint: v.mountpoint, Labels: Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).join(','), Scope: 'local' }))
    printListing(flags.format, ['DRIVER', 'VOLUME NAME'], rows, ['Driver', 'Name'])
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
