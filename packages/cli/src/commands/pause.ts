import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Pause extends EngineCommand {
  static override summary = 'Freeze all processes of one or more running containers'
  static override aliases = ['container:pause']
  static override description = 'Uses the cgroup freezer; the processes keep their memory and resume with tsrun unpause.'
  static override examples = ['<%= config.bin %> pause web', '<%= config.bin %> unpause web']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Pause)
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => v.state.status === 'running' && !v.state.paused)) {
      await engine.control.pause(engine.containers.store.get(ref))
      this.log(ref)
    }
  }
}
