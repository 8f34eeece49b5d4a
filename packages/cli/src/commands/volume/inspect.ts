import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { inspectRenderer } from '../../render/inspect-format'
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
    const render = inspectRenderer(flags.format)
    const engine = await this.openEngine(flags)
    const out = []
    for (const name of argv as string[]) {
      const v = engine.volumes.inspect(name)
      out.push(volumeInspectView(v, await engine.volumes.usage(v)))
    }
    const { text, error } = render(out)
    process.stdout.write(text)
    if (error) throw error
  }
}
