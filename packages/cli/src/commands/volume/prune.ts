import { Flags } from '@oclif/core'
import { humanSize, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

export default class VolumePrune extends EngineCommand {
  static override summary = 'Remove unused volumes'
  static override description = 'Removes anonymous volumes no container uses; with -a, named ones too. A volume in use is never removed.'
  static override examples = ['<%= config.bin %> volume prune', '<%= config.bin %> volume prune -a']
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove named volumes no container uses as well' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'label=KEY[=VALUE]' }),
    force: Flags.boolean({ char: 'f', description: 'do not ask for confirmation (tsrun never asks; accepted for compatibility)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(VolumePrune)
    const labels = (flags.filter ?? []).map((f) => {
      if (!f.startsWith('label=') || f.length === 6) throw new InvalidArgumentError(`invalid filter "${f}": volume prune takes label=KEY[=VALUE]`)
      return f.slice(6)
    })
    const engine = await this.openEngine(flags)
    const { removed, reclaimed } = await engine.volumes.prune(flags.all, { label: labels })
    if (removed.length) {
      this.log('Deleted Volumes:')
      for (const name of removed) this.log(name)
      this.log('')
    }
    this.log(`Total reclaimed space: ${humanSize(reclaimed)}`)
  }
}
