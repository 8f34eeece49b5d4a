import { Args } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { volumeInspectView } from '../../render/volume-view'

export default class VolumeInspect extends EngineCommand {
  static override summary = 'Show details of one or more volumes (JSON)'
  static override examples = ['<%= config.bin %> volume inspect data']
  static override strict = false
  static override args = { name: Args.string({ required: true, description: 'volume name' }) }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(VolumeInspect)
    const engine = await this.openEngine(flags)
    const out = []
    for (const name of argv as string[]) {
      const v = engine.volumes.inspect(name)
      out.push(volumeInspectView(v, await engine.volumes.usage(v)))
    }
    this.log(JSON.stringify(out, null, 4))
  }
}
