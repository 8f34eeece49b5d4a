import * as path from 'node:path'
import { Args, Flags } from '@oclif/core'
import { systemdUnit } from '@tsrun/core'
import { EngineCommand } from '../../engine-command'

export default class GenerateSystemd extends EngineCommand {
  static override summary = 'Print a systemd unit that starts a container at boot'
  static override description =
    'Save it as /etc/systemd/system/container-NAME.service and run `systemctl enable --now container-NAME`. While the host is up, restarts are the container monitor\'s (--restart); the unit only brings the container back after a reboot.'
  static override examples = ['<%= config.bin %> generate systemd web > /etc/systemd/system/container-web.service']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    time: Flags.integer({ char: 't', default: 10, min: 0, description: 'seconds the unit gives `tsrun stop` before SIGKILL' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(GenerateSystemd)
    const engine = await this.openEngine(flags)
    const rec = engine.containers.store.get(args.container)
    const root = flags.root ?? process.env.TSRUN_ROOT
    this.log(systemdUnit(rec, { binary: path.join(this.config.root, 'bin', 'tsrun'), root: root ? path.resolve(root) : undefined, stopTimeout: flags.time }).trimEnd())
  }
}
