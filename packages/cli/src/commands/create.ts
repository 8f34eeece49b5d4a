import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { pullFlags, pullIfNeeded } from '../flags/pull-flags'
import { containerFlags, toCreateOptions } from '../flags/container-flags'
import { CidFile } from '../flags/runtime-flags'
import { splitRunArgv } from '../flags/split-argv'
import { replaceFlag, replaceNamed } from '../flags/replace'

export default class Create extends EngineCommand {
  static override summary = 'Create a container without starting it'
  static override aliases = ['container:create']
  static override description = 'Prints the new container id. Start it later with `tsrun start`.'
  static override examples = ['<%= config.bin %> create --name job demo:1 echo done', '<%= config.bin %> start -a job']
  static override usage = '[OPTIONS] IMAGE [COMMAND] [ARG...]'
  static override strict = false
  static override args = {
    image: Args.string({ required: true, description: 'image reference or id' }),
  }
  static override flags = { ...containerFlags, ...pullFlags, ...replaceFlag }

  async run(): Promise<void> {
    const { ours, command } = splitRunArgv(this.argv, { ...Create.baseFlags, ...Create.flags })
    const { flags, args } = await this.parse({ ...Create, strict: true }, ours)
    const options = toCreateOptions(flags, args.image, command)
    const engine = await this.openEngine(flags)
    const cid = new CidFile(flags.cidfile)
    try {
      await pullIfNeeded(engine, args.image, flags)
      if (flags.replace) await replaceNamed(engine, flags.name)
      const rec = await engine.containers.create(options)
      cid.write(rec.id)
      this.log(rec.id)
    } finally {
      cid.close()
    }
  }
}
