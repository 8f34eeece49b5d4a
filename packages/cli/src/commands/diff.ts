import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

/** `docker diff`: what a container changed in its filesystem, against its image. */
export default class Diff extends EngineCommand {
  static override summary = "Inspect changes to files or directories on a container's filesystem"
  static override aliases = ['container:diff']
  static override description = [
    'One line per path, as `docker diff`: A (added), C (changed), D (deleted), in the order Docker lists them. A directory with something added or deleted inside is C; a file or directory the container deleted, or a directory it replaced whole, is D.',
    "--format json prints podman's object of the three lists ({\"changed\": [...], \"added\": [...], \"deleted\": [...]}, empty ones left out).",
  ].join('\n\n')
  static override examples = ['<%= config.bin %> diff web', '<%= config.bin %> diff --format json web']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    format: Flags.string({ description: "json: podman's object of changed, added and deleted paths" }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Diff)
    if (flags.format !== undefined && flags.format !== 'json') throw new InvalidArgumentError("only supported value for '--format' is 'json'")
    const engine = await this.openEngine(flags)
    const changes = await engine.filesystem.diff(args.container)
    if (flags.format === 'json') {
      const pick = (k: string) => changes.filter((c) => c.kind === k).map((c) => c.path)
      const body: Record<string, string[]> = {}
      for (const [name, kind] of [['changed', 'C'], ['added', 'A'], ['deleted', 'D']] as const) {
        const paths = pick(kind)
        if (paths.length) body[name] = paths
      }
      // podman's encoder: five spaces of indent.
      process.stdout.write(`${JSON.stringify(body, null, 5)}\n`)
      return
    }
    if (changes.length) process.stdout.write(changes.map((c) => `${c.kind} ${c.path}\n`).join(''))
  }
}
