import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { inspectObjects } from '../../render/inspect-objects'
import { networkInspectView } from '../../render/network-view'

export default class NetworkInspect extends EngineCommand {
  static override summary = 'Show details of one or more networks (JSON)'
  static override examples = ['<%= config.bin %> network inspect host', "<%= config.bin %> network inspect -f '{{.Driver}}' none"]
  static override strict = false
  static override args = { network: Args.string({ required: true, description: 'network name or id (or a unique id prefix)' }) }
  static override flags = {
    format: Flags.string({ char: 'f', description: "Go template applied to each network, e.g. {{.Id}}; 'json' for compact JSON" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(NetworkInspect)
    const engine = await this.openEngine(flags)
    await inspectObjects(argv as string[], flags.format, async (ref) => networkInspectView(await engine.networks.inspect(ref)))
  }
}
