import { Args } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { resourceFlags, resourceInput } from '../flags/resource-flags'
import { warning } from '../log-level'

export default class Update extends EngineCommand {
  static override summary = 'Change the resource limits of one or more containers'
  static override aliases = ['container:update']
  static override description = 'A running container gets the new limits at once; a stopped one at its next start. Prints each container as it is updated.'
  static override examples = ['<%= config.bin %> update --memory 128m --cpus 1 web', '<%= config.bin %> update --pids-limit 200 web worker']
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = { ...resourceFlags }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Update)
    const engine = await this.openEngine(flags)
    const input = resourceInput(flags)
    if (!Object.values(input).some((v) => v !== undefined)) {
      throw new InvalidArgumentError('update needs at least one limit, e.g. --memory 128m or --cpus 1')
    }
    for (const ref of argv as string[]) {
      const warnings = await engine.control.update(engine.containers.store.get(ref), input)
      for (const w of warnings) warning(w)
      this.log(ref)
    }
  }
}
