import { Flags } from '@oclif/core'
import { FilterArgs, humanSize } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

export default class ImagePrune extends EngineCommand {
  static override summary = 'Remove unused images'
  static override description = 'Removes dangling images (no name left); with -a, every image no container uses. Layers still used by another image or a container stay.'
  static override examples = ['<%= config.bin %> image prune', '<%= config.bin %> image prune -a', "<%= config.bin %> image prune -a --filter until=24h --filter 'label!=keep'"]
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove every image no container uses, not only dangling ones' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'until=TIME (RFC 3339, unix seconds or a duration like 24h), label=KEY[=VALUE], label!=KEY[=VALUE]' }),
    force: Flags.boolean({ char: 'f', description: 'do not ask for confirmation (tsrun never asks; accepted for compatibility)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(ImagePrune)
    const filters = FilterArgs.parse(flags.filter)
    const engine = await this.openEngine(flags)
    const { deleted, reclaimed } = await engine.images.prune(flags.all, filters)
    if (deleted.length) {
      this.log('Deleted Images:')
      for (const id of deleted) this.log(`deleted: ${id}`)
      this.log('')
    }
    this.log(`Total reclaimed space: ${humanSize(reclaimed)}`)
  }
}
