import { Args, Flags } from '@oclif/core'
import { ConflictError, readLog } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Attach extends EngineCommand {
  static override summary = "Stream a running container's output until it stops"
  static override description =
    "Prints what the container writes from now on (stdout here, stderr to stderr) and exits with the container's exit code when it stops; Ctrl-C detaches and leaves it running. Output only: the stdin of a detached container cannot be attached to (see docs/architecture.md)."
  static override examples = ['<%= config.bin %> attach web']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    'no-stdin': Flags.boolean({ description: 'do not attach stdin (always the case: attach is output only)' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Attach)
    const engine = await this.openEngine(flags)
    const rec = engine.containers.store.get(args.container)
    if ((await engine.containers.state(rec)).status !== 'running') {
      throw new ConflictError(`cannot attach to container ${rec.name}: it is not running; start it with tsrun start -a ${rec.name}`)
    }
    process.once('SIGINT', () => process.exit(0))
    await readLog(
      engine.containers.logPath(rec),
      { tail: 0, follow: true },
      async () => (await engine.containers.state(rec)).status === 'running',
      (e) => (e.stream === 'stderr' ? process.stderr : process.stdout).write(e.log),
    )
    process.exitCode = (await engine.containers.state(rec)).exitCode ?? 0
  }
}
