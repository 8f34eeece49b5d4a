import * as fs from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError, type ArchiveFormat } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Save extends EngineCommand {
  static override summary = 'Save images to an archive'
  static override aliases = ['image:save']
  static override description = 'docker-archive (the default, what `docker load` and `podman load` read) or oci-archive (a tar of an OCI image layout). With -o the file appears whole or not at all.'
  static override examples = ['<%= config.bin %> save -o demo.tar demo:1', '<%= config.bin %> save --format oci-archive -o demo.oci.tar demo:1 other:2', '<%= config.bin %> save demo:1 | gzip > demo.tar.gz']
  static override strict = false
  static override args = { image: Args.string({ required: true, description: 'image reference or id (several allowed)' }) }
  static override flags = {
    output: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
    format: Flags.string({ options: ['docker-archive', 'oci-archive'], default: 'docker-archive', description: 'archive format' }),
    'multi-image-archive': Flags.boolean({ char: 'm', description: "podman's switch for a docker-archive of several images: accepted; tsrun (as Docker) always writes every image named into one archive" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Save)
    if (!flags.output && process.stdout.isTTY) throw new InvalidArgumentError('refusing to write an archive to a terminal; use -o FILE or redirect stdout')
    const engine = await this.openEngine(flags)
    // A redirected file: an fs stream, not process.stdout, whose write errors
    // (a full disk) oclif rethrows as an uncaught exception. A pipe or socket:
    // process.stdout, which waits for the reader (fd 1 is non-blocking then,
    // and an fs stream gives up after a few EAGAINs: "write failed").
    const out = flags.output ?? (fs.fstatSync(1).isFile() ? fs.createWriteStream('', { fd: 1, autoClose: false }) : process.stdout)
    await engine.images.save(argv as string[], flags.format as ArchiveFormat, out, flags.output ? undefined : 1)
  }
}
