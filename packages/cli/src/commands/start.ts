import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { detachKeysFlag, parseDetachKeys } from '../attach/detach-keys'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Start extends EngineCommand {
  static override summary = 'Start one or more created or stopped containers'
  static override aliases = ['container:start']
  static override examples = ['<%= config.bin %> start web', '<%= config.bin %> start -a job']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag(),
    attach: Flags.boolean({ char: 'a', description: "attach stdout/stderr and exit with the container's code" }),
    ...detachKeysFlag,
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Start)
    const detachKeys = parseDetachKeys(flags['detach-keys'])
    const engine = await this.openEngine(flags)
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all, (v) => v.state.status !== 'running')) {
      const rec = engine.containers.store.get(ref)
      if (flags.attach) {
        let detached = false
        process.exitCode = await engine.containers.start(rec, true, { detachKeys, onDetached: () => (detached = true) })
        if (!detached && rec.hostConfig.AutoRemove) await engine.containers.remove(rec, true)
      } else {
        await engine.containers.start(rec, false)
        this.log(ref)
      }
    }
  }
}
