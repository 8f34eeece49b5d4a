import { Args } from '@oclif/core'
import { EngineCommand } from '../../engine-command'

/** podman's `container cleanup`: what a stopped container holds besides its files. */
export default class ContainerCleanup extends EngineCommand {
  static override summary = "Give back a stopped container's network namespace and what its network set up (podman)"
  static override description = 'Idempotent: a container already clean is fine. A running container is refused. rm does this too; a later start makes a fresh namespace.'
  static override examples = ['<%= config.bin %> container cleanup web']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(ContainerCleanup)
    const engine = await this.openEngine(flags)
    let failed = false
    for (const ref of argv as string[]) {
      try {
        await engine.containers.cleanup(engine.containers.store.get(ref))
        this.log(ref)
      } catch (err) {
        await this.catch(err as Error)
        failed = true
      }
    }
    if (failed) process.exitCode ||= 125
  }
}
