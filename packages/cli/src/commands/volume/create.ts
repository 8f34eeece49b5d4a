import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../../engine-command'
import { keyValues } from '../../render/volume-view'

export default class VolumeCreate extends EngineCommand {
  static override summary = 'Create a volume'
  static override description = 'Prints the volume name. Without a name, the volume gets a random one. Creating a volume that exists with the same driver answers it unchanged.'
  static override examples = [
    '<%= config.bin %> volume create data',
    '<%= config.bin %> volume create --label app=web -o type=tmpfs -o device=tmpfs -o o=size=100m cache',
    '<%= config.bin %> volume create -o type=none -o o=bind -o device=/srv/data srvdata',
  ]
  static override args = { name: Args.string({ description: 'volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)' }) }
  static override flags = {
    driver: Flags.string({ char: 'd', default: 'local', description: 'volume driver' }),
    opt: Flags.string({ char: 'o', multiple: true, multipleNonGreedy: true, description: 'driver option KEY=VALUE (local: type, device, o)' }),
    label: Flags.string({ multiple: true, multipleNonGreedy: true, description: 'set a label KEY=VALUE' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(VolumeCreate)
    const options = keyValues(flags.opt, 'option')
    const labels = keyValues(flags.label, 'label', true)
    const engine = await this.openEngine(flags)
    const vol = await engine.volumes.create({ name: args.name, driver: flags.driver, options, labels, anonymous: false })
    this.log(vol.name)
  }
}
