import { Flags } from '@oclif/core'
import { familiarString, InvalidArgumentError, parseReference } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { warning } from '../log-level'

export default class Load extends EngineCommand {
  static override summary = 'Load images from an archive'
  static override aliases = ['image:load']
  static override description = 'Reads a docker-archive or an oci-archive (plain or gzip), from -i FILE or stdin, and adds every image in it under the names it carries. Nothing is named until every image of the archive is complete, and then every name at once; a load that fails leaves nothing behind. A RepoTags entry that is not a valid name:tag is skipped with a warning naming it; the image still loads under its other names (or none).'
  static override examples = ['<%= config.bin %> load -i demo.tar', 'gunzip -c demo.tar.gz | <%= config.bin %> load']
  static override flags = {
    input: Flags.string({ char: 'i', description: 'read from this file instead of stdin' }),
    quiet: Flags.boolean({ char: 'q', description: 'print only the image ids' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Load)
    if (!flags.input && process.stdin.isTTY) throw new InvalidArgumentError('no archive given: use -i FILE or pipe one into stdin')
    const engine = await this.openEngine(flags)
    const images = await engine.images.load(flags.input ?? process.stdin, flags.input ?? 'stdin', { onWarning: warning })
    for (const img of images) {
      if (flags.quiet) this.log(img.id)
      // As docker load: the names the archive gave, not every name the image id has here.
      else if (!img.copiedRefs.length) this.log(`Loaded image ID: ${img.id}`)
      else for (const r of img.copiedRefs) this.log(`Loaded image: ${familiarString(parseReference(r))}`)
    }
  }
}
