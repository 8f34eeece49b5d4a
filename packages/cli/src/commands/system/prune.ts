import { Flags } from '@oclif/core'
import { FilterArgs, humanSize, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { parsePruneUntil } from '../../flags/prune-filter'

export default class SystemPrune extends EngineCommand {
  static override summary = 'Remove unused data'
  static override description = "All stopped containers, then (with --volumes) the anonymous volumes no container uses, then the dangling images (-a: every image no container uses), and what they alone held. In docker system prune's order and output; tsrun has no networks or build cache to prune yet."
  static override examples = ['<%= config.bin %> system prune -f', '<%= config.bin %> system prune -a --volumes -f', '<%= config.bin %> system prune -f --filter until=24h']
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'remove every image no container uses, not only dangling ones' }),
    volumes: Flags.boolean({ description: 'prune anonymous volumes no container uses too' }),
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'until=TIMESTAMP: only containers and images created before it' }),
    force: Flags.boolean({ char: 'f', description: 'do not ask for confirmation (tsrun never asks; accepted for compatibility)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(SystemPrune)
    const untilNano = parsePruneUntil(flags.filter, 'system prune')
    // As Docker: volumes have no creation filter to prune by.
    if (untilNano !== undefined && flags.volumes) throw new InvalidArgumentError('--filter until cannot be used with --volumes: volume prune takes no until filter')
    const engine = await this.openEngine(flags)
    let total = 0
    const section = (title: string, items: string[]) => {
      if (items.length) this.log([title, ...items, ''].join('\n'))
    }
    const containers = await engine.containers.prune({ untilNano })
    section('Deleted Containers:', containers.deleted)
    total += containers.reclaimed
    if (flags.volumes) {
      const volumes = await engine.volumes.prune()
      section('Deleted Volumes:', volumes.removed)
      total += volumes.reclaimed
    }
    const images = await engine.images.prune(flags.all, FilterArgs.parse(flags.filter))
    section('Deleted Images:', images.deleted.map((id) => `deleted: ${id}`))
    total += images.reclaimed
    this.log(`Total reclaimed space: ${humanSize(total)}`)
  }
}
