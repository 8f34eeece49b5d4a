import { Flags } from '@oclif/core'
import { FilterArgs } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'
import { noHeadingFlag } from '../../flags/listing-flags'
import { NETWORKS } from '../../render/listings'
import { networkRow } from '../../render/network-view'
import { printListing } from '../../render/output'

export default class NetworkLs extends EngineCommand {
  static override summary = 'List networks'
  static override description = "Docker's predefined networks tsrun has: host (the host's network) and none (only a loopback); the networks a network backend makes join them."
  static override aliases = ['network:list']
  static override examples = ['<%= config.bin %> network ls', '<%= config.bin %> network ls --filter driver=null -q', "<%= config.bin %> network ls --format '{{.Name}}: {{.Driver}}'"]
  static override flags = {
    noheading: noHeadingFlag('n'),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'name=REGEXP, id=REGEXP, driver=NAME, label=KEY[=VALUE], scope=local, type=builtin|custom, dangling=true|false' }),
    format: Flags.string({ description: "table (default), json (one object per line), a Go template like {{.Name}}, or 'table {{.ID}}\\t{{.Name}}'" }),
    quiet: Flags.boolean({ char: 'q', description: 'only network ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate ids" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(NetworkLs)
    const filters = FilterArgs.parse(flags.filter)
    const engine = await this.openEngine(flags)
    const networks = await engine.networks.list(filters)
    const rows = networks.map((n) => networkRow(n, !flags['no-trunc']))
    if (flags.quiet) {
      for (const r of rows) this.log(r.ID as string)
      return
    }
    printListing(flags.format, NETWORKS, rows, { noHeading: flags.noheading })
  }
}
