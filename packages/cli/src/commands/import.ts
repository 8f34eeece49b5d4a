import * as fs from 'node:fs'
import { Args } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Import extends EngineCommand {
  static override summary = 'Create an image from a rootfs tarball'
  static override aliases = ['image:import']
  static override description = 'Like `docker import`: the tarball (plain or gzip; - reads stdin) becomes a one-layer image with no command, so give one to `run`.'
  static override examples = ['<%= config.bin %> import rootfs.tar demo:1', 'cat rootfs.tar.gz | <%= config.bin %> import - demo:1']
  static override args = {
    file: Args.string({ required: true, description: 'tarball path, or - for stdin' }),
    reference: Args.string({ description: 'name[:tag] for the image' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Import)
    const engine = await this.openEngine(flags)
    let input: NodeJS.ReadableStream
    if (args.file === '-') {
      input = process.stdin
    } else {
      if (!fs.existsSync(args.file)) throw new InvalidArgumentError(`cannot import ${args.file}: no such file`)
      if (fs.statSync(args.file).isDirectory()) throw new InvalidArgumentError(`cannot import ${args.file}: it is a directory; give a tarball`)
      input = fs.createReadStream(args.file)
    }
    const image = await engine.images.importTarball(input as never, args.file === '-' ? 'stdin' : args.file, args.reference)
    this.log(image.id)
  }
}
