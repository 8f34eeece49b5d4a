import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

export default class Rm extends EngineCommand {
  static override summary = 'Remove one or more containers'
  static override aliases = ['container:rm', 'container:remove']
  static override examples = ['<%= config.bin %> rm web', '<%= config.bin %> rm -f $(<%= config.bin %> ps -aq)']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'kill and remove a running container' }),
    volumes: Flags.boolean({ char: 'v', description: 'remove the anonymous volumes the container made too (named volumes stay)' }),
    // The monitor's exit command for --rm: kept through a `restart` (ContainerService.autoRemove).
    'auto-remove': Flags.boolean({ hidden: true }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Rm)
    const engine = await this.openEngine(flags)
    let failed: unknown
    for (const ref of argv as string[]) {
      try {
        if (flags['auto-remove']) {
          await engine.containers.autoRemove(engine.containers.store.get(ref))
          continue
        }
        await engine.containers.remove(engine.containers.store.get(ref), flags.force, flags.volumes || undefined)
        this.log(ref)
      } catch (err) {
        // Like Docker: report each failure, keep going, fail at the end.
        await this.catch(err as Error)
        failed = err
      }
    }
    if (failed) process.exitCode ||= 125
  }
}
