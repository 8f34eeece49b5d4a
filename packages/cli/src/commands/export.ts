import * as fs from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

/** `docker export`: a container's filesystem as a tar, for `import` (here or in Docker or podman). */
export default class Export extends EngineCommand {
  static override summary = "Export a container's filesystem as a tar archive"
  static override aliases = ['container:export']
  static override description =
    "The image's files with the container's changes, running or stopped, as `docker export` writes them; the container's volumes, binds and tmpfs mounts are not part of it. `tsrun import` (or `docker import`, `podman import`) makes an image of it again. With -o the file appears whole or not at all."
  static override examples = ['<%= config.bin %> export -o web.tar web', '<%= config.bin %> export web | <%= config.bin %> import - web-snapshot:1']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Export)
    // Docker's CLI words, checked before anything else.
    if (!flags.output && process.stdout.isTTY) throw new InvalidArgumentError('cowardly refusing to save to a terminal. Use the -o flag or redirect')
    const engine = await this.openEngine(flags)
    // As `save`: a redirected file gets an fs stream (its write errors are
    // reported, not rethrown by oclif), a pipe gets process.stdout.
    const out = flags.output ?? (fs.fstatSync(1).isFile() ? fs.createWriteStream('', { fd: 1, autoClose: false }) : process.stdout)
    await engine.filesystem.exportTo(args.container, out, flags.output ? undefined : 1)
  }
}
