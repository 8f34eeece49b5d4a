import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Stop extends EngineCommand {
  static override summary = 'Stop one or more running containers'
  static override aliases = ['container:stop']
  static override description = "Sends the container's stop signal (--stop-signal, else the image's, else SIGTERM), waits (--stop-timeout, else 10 s), then SIGKILL."
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop -t 1 web worker', '<%= config.bin %> stop -s SIGINT web']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    time: Flags.integer({ char: 't', min: -1, description: "seconds to wait before killing it (default: the container's --stop-timeout, else 10; -1: no limit)" }),
    signal: Flags.string({ char: 's', description: "signal to send (default: the container's stop signal)" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      await engine.containers.stop(engine.containers.store.get(ref), flags.time, flags.signal)
      this.log(ref)
    }
  }
}
