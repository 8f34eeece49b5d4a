import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { inspectObjects } from '../../render/inspect-objects'
import { volumeInspectView } from '../../render/volume-view'

export default class VolumeInspect extends EngineCommand {
  static override summary = 'Show details of one or more volumes (JSON)'
  static override examples = ['<%= config.bin %> volume inspect data', "<%= config.bin %> volume inspect -f '{{.Mountpoint}}' data"]
  static override strict = false
  static override args = { name: Args.string({ required: true, description: 'volume name' }) }
  static override flags = {
    format: Flags.string({ char: 'f', description: "Go template applied to each volume, e.g. {{.Mountpoint}}; 'json' for compact JSON" }),
  }

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(VolumeInspect)
    const engine = await this.openEngine(flags)
    await inspectObjects(argv as string[], flags.format, async (name) => {
      const v = engine.volumes.inspect(name)
      return volumeInspectView(v, await engine.volumes.usage(v))
    })
  }
}
