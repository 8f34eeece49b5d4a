import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Restart extends EngineCommand {
  static override summary = 'Restart one or more containers'
  static override description = 'Stops a running container as `stop` does (its stop signal, the timeout, then SIGKILL) and starts it again in the background; a stopped one is just started. Prints each container as it is restarted.'
  static override examples = ['<%= config.bin %> restart web', '<%= config.bin %> restart -t 2 web worker', '<%= config.bin %> restart -s SIGINT web']
  static override aliases = ['container:restart']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    time: Flags.integer({ char: 't', min: -1, description: "seconds to wait before killing it (default: the container's --stop-timeout, else 10; -1: no limit)" }),
    signal: Flags.string({ char: 's', description: "signal to stop it with (default: the container's stop signal)" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Restart)
    const engine = await this.openEngine(flags)
    for (const ref of argv as string[]) {
      await engine.containers.restart(engine.containers.store.get(ref), flags.time, flags.signal)
      this.log(ref)
    }
  }
}
