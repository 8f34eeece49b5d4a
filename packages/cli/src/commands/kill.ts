import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Kill extends EngineCommand {
  static override summary = 'Send a signal to one or more running containers'
  static override aliases = ['container:kill']
  static override examples = ['<%= config.bin %> kill web', '<%= config.bin %> kill -s HUP web']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
    signal: Flags.string({ char: 's', default: 'KILL', description: 'signal name or number' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Kill)
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => v.state.status === 'running')) {
      await engine.containers.kill(engine.containers.store.get(ref), flags.signal)
      this.log(ref)
    }
  }
}
