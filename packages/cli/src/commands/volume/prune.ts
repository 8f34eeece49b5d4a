import { Flags } from '@oclif/core'
import { FilterArgs, humanSize, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

export default class VolumePrune extends EngineCommand {
  static override summary = 'Remove unused volumes'
  static override description = 'Removes anonymous volumes no container uses; with -a, named ones too. A volume in use is never removed.'
  static override examples = ['<%= config.bin %> volume prune', '<%= config.bin %> volume prune -a']
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove named volumes no container uses as well' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'label=KEY[=VALUE], label!=KEY[=VALUE], all=true (as -a)' }),
    force: Flags.boolean({ char: 'f', description: 'do not ask for confirmation (tsrun never asks; accepted for compatibility)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune)
    const filters = FilterArgs.parse(flags.filter)
    // As docker/cli: -a is sent as the all=true filter.
    if (flags.all) {
      if (filters.contains('all')) throw new InvalidArgumentError('conflicting options: cannot specify both --all and --filter all=1')
      filters.add('all', 'true')
    }
    const engine = await this.openEngine(flags)
    const { removed, reclaimed } = await engine.volumes.prune(filters)
    if (removed.length) {
      this.log('Deleted Volumes:')
      for (const name of removed) this.log(name)
      this.log('')
    }
    this.log(`Total reclaimed space: ${humanSize(reclaimed)}`)
  }
}
