import { Args, Flags } from '@oclif/core'
import { ContainerNotFoundError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { allFlag, CONTAINERS_USAGE, targetContainers } from '../flags/all-containers'

export default class Rm extends EngineCommand {
  static override summary = 'Remove one or more containers'
  static override aliases = ['container:rm', 'container:remove']
  static override examples = ['<%= config.bin %> rm web', '<%= config.bin %> rm -f $(<%= config.bin %> ps -aq)', '<%= config.bin %> rm -f -t 5 --all', '<%= config.bin %> rm --ignore maybe-gone']
  static override strict = false
  static override usage = CONTAINERS_USAGE
  static override args = { container: Args.string({ description: 'container name or id' }) }
  static override flags = {
    all: allFlag('a'),
    force: Flags.boolean({ char: 'f', description: 'kill and remove a running container' }),
    volumes: Flags.boolean({ char: 'v', description: 'remove the anonymous volumes the container made too (named volumes stay)' }),
    time: Flags.integer({ char: 't', min: 0, description: 'with -f, stop a running container first, waiting this many seconds before killing it (podman)' }),
    ignore: Flags.boolean({ char: 'i', description: 'a container that does not exist is not an error (podman)' }),
    // The monitor's exit command for --rm: kept through a `restart` (ContainerService.autoRemove).
    'auto-remove': Flags.boolean({ hidden: true }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Rm)
    const engine = await this.openEngine(flags)
    let failed: unknown
    for (const ref of await targetContainers(engine, this.displayName(), argv as string[], flags.all)) {
      try {
        if (flags['auto-remove']) {
          await engine.containers.autoRemove(engine.containers.store.get(ref))
          continue
        }
        const rec = engine.containers.store.get(ref)
        // podman's rm -f -t N: the stop signal and N seconds' grace instead of SIGKILL at once.
        if (flags.force && flags.time !== undefined && (await engine.containers.state(rec)).status === 'running') await engine.containers.stop(rec, flags.time)
        await engine.containers.remove(rec, flags.force, flags.volumes || undefined)
        this.log(ref)
      } catch (err) {
        if (flags.ignore && err instanceof ContainerNotFoundError) continue
        // Like Docker: report each failure, keep going, fail at the end.
        await this.catch(err as Error)
        failed = err
      }
    }
    if (failed) process.exitCode ||= 125
  }
}
