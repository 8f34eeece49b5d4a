import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Wait extends EngineCommand {
  static override summary = 'Block until containers stop, then print their exit codes'
  static override aliases = ['container:wait']
  static override examples = ['<%= config.bin %> wait web']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Wait)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      this.log(String(await engine.containers.wait(engine.containers.store.get(ref))))
    }
  }
}
