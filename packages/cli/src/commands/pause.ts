import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Pause extends EngineCommand {
  static override summary = 'Freeze all processes of one or more running containers'
  static override aliases = ['container:pause']
  static override description = 'Uses the cgroup freezer; the processes keep their memory and resume with tsrun unpause.'
  static override examples = ['<%= config.bin %> pause web', '<%= config.bin %> unpause web']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Pause)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      await engine.control.pause(engine.containers.store.get(ref))
      this.log(ref)
    }
  }
}
