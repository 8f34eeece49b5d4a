import { Args } from '@oclif/core'
import { authFilePath, CredentialStore, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { registryHost } from '../flags/registry-flags'

export default class Logout extends EngineCommand {
  static override summary = 'Log out of a registry (forget its saved credentials)'
  static override examples = ['<%= config.bin %> logout 127.0.0.1:5000']
  static override args = { registry: Args.string({ required: true, description: 'registry host[:port]' }) }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Logout)
    const engine = await this.openEngine(flags)
    const host = registryHost(args.registry)
    const store = new CredentialStore(authFilePath(engine.config.root))
    if (!store.remove(host)) throw new InvalidArgumentError(`not logged in to ${host}`)
    this.log(`Removed login credentials for ${host}`)
  }
}
