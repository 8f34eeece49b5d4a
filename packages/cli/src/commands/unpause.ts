import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Unpause extends EngineCommand {
  static override summary = 'Resume all processes of one or more paused containers'
  static override aliases = ['container:unpause']
  static override examples = ['<%= config.bin %> unpause web']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Unpause)
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => Boolean(v.state.paused))) {
      await engine.control.unpause(engine.containers.store.get(ref))
      this.log(ref)
    }
  }
}
