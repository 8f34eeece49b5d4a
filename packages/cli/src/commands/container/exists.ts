import { Args } from '@oclif/core'
import { ContainerNotFoundError } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

/** podman's `container exists`: the answer is the exit code alone, for scripts' `if`. */
export default class ContainerExists extends EngineCommand {
  static override summary = 'Exit 0 when a container exists, 1 when it does not; prints nothing (podman)'
  static override examples = ['<%= config.bin %> container exists web && echo there']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(ContainerExists)
    const engine = await this.openEngine(flags)
    try {
      engine.containers.store.get(args.container)
    } catch (err) {
      if (!(err instanceof ContainerNotFoundError)) throw err
      process.exitCode = 1
    }
  }
}
