import { Args } from '@oclif/core'
import { renameContainer } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Rename extends EngineCommand {
  static override summary = 'Rename a container'
  static override aliases = ['container:rename']
  static override description = 'Works on running containers too. The old name is free afterwards.'
  static override examples = ['<%= config.bin %> rename web web-old']
  static override args = {
    container: Args.string({ required: true, description: 'container name or id' }),
    newName: Args.string({ required: true, description: 'the new name' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Rename)
    const engine = await this.openEngine(flags)
    renameContainer(engine.containers, engine.containers.store.get(args.container), args.newName)
  }
}
