import { Flags } from '@oclif/core'
import { humanSize } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { parsePruneUntil } from '../../flags/prune-filter'

export default class ContainerPrune extends EngineCommand {
  static override summary = 'Remove all stopped containers'
  static override description = 'Created and exited containers go, running and paused ones stay. With --filter until=24h, only those created before then.'
  static override examples = ['<%= config.bin %> container prune', '<%= config.bin %> container prune -f --filter until=24h']
  static override flags = {
    filter: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'until=TIMESTAMP: only containers created before it (unix time, RFC 3339, or a duration like 24h)' }),
    force: Flags.boolean({ char: 'f', description: 'do not ask for confirmation (tsrun never asks; accepted for compatibility)' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(ContainerPrune)
    const untilNano = parsePruneUntil(flags.filter, 'container prune')
    const engine = await this.openEngine(flags)
    const { deleted, reclaimed } = await engine.containers.prune({ untilNano })
    if (deleted.length) this.log(['Deleted Containers:', ...deleted, ''].join('\n'))
    this.log(`Total reclaimed space: ${humanSize(reclaimed)}`)
  }
}
