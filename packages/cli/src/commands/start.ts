import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Start extends EngineCommand {
  static override summary = 'Start one or more created or stopped containers'
  static override aliases = ['container:start']
  static override examples = ['<%= config.bin %> start web', '<%= config.bin %> start -a job']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    attach: Flags.boolean({ char: 'a', description: "attach stdout/stderr and exit with the container's code" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Start)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      const rec = engine.containers.store.get(ref)
      if (flags.attach) {
        process.exitCode = await engine.containers.start(rec, true)
        if (rec.hostConfig.AutoRemove) await engine.containers.remove(rec, true)
      } else {
        await engine.containers.start(rec, false)
        this.log(ref)
      }
    }
  }
}
