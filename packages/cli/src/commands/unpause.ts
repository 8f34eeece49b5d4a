import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Unpause extends EngineCommand {
  static override summary = 'Resume all processes of one or more paused containers'
  static override aliases = ['container:unpause']
  static override examples = ['<%= config.bin %> unpause web']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Unpause)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      await engine.control.unpause(engine.containers.store.get(ref))
      this.log(ref)
    }
  }
}
