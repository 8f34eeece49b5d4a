import { Args } from '@oclif/core'
import { EngineCommand } from '../../engine-command'

/** podman's `network exists`: the answer is the exit code alone. */
export default class NetworkExists extends EngineCommand {
  static override summary = 'Exit 0 when a network exists, 1 when it does not; prints nothing (podman)'
  static override examples = ['<%= config.bin %> network exists none']
  static override args = { network: Args.string({ required: true, description: 'network name or id' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(NetworkExists)
    const engine = await this.openEngine(flags)
    if (!(await engine.networks.exists(args.network))) process.exitCode = 1
  }
}
