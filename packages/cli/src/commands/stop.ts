import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Stop extends EngineCommand {
  static override summary = 'Stop one or more running containers'
  static override description = "Sends the image's stop signal (SIGTERM by default), waits, then SIGKILL."
  static override examples = ['<%= config.bin %> stop web', '<%= config.bin %> stop -t 1 web worker']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
    time: Flags.integer({ char: 't', default: 10, min: 0, description: 'seconds to wait before killing it' }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Stop)
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => v.state.status === 'running')) {
      await engine.containers.stop(engine.containers.store.get(ref), flags.time)
      this.log(ref)
    }
  }
}
