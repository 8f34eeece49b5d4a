import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Stop extends EngineCommand {
  static override summary = 'Stop one or more running containers'
  static override aliases = ['container:stop']
  static override description = "Sends the container's stop signal (--stop-signal, else the image's, else SIGTERM), waits (--stop-timeout, else 10 s), then SIGKILL."
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop -t 1 web worker', '<%= config.bin %> stop -s SIGINT web']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
    time: Flags.integer({ char: 't', min: -1, description: "seconds to wait before killing it (default: the container's --stop-timeout, else 10; -1: no limit)" }),
    signal: Flags.string({ char: 's', description: "signal to send (default: the container's stop signal)" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop)
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => v.state.status === 'running')) {
      await engine.containers.stop(engine.containers.store.get(ref), flags.time, flags.signal)
      this.log(ref)
    }
  }
}
