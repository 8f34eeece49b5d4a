import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { authFileFlag, registryHost } from '../flags/registry-flags'

export default class Logout extends EngineCommand {
  static override summary = 'Log out of a registry (forget its saved credentials)'
  static override description =
    'Forgets the credentials in the credentials file tsrun login writes (and in the credential helper it names for the registry). --all forgets every registry of that file, as podman does; its credHelpers and credsStore settings stay.'
  static override examples = ['<%= config.bin %> logout 127.0.0.1:5000', '<%= config.bin %> logout --all']
  static override args = { registry: Args.string({ description: 'registry host[:port]' }) }
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'log out of every registry' }),
    authfile: authFileFlag,
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Logout)
    if (flags.all && args.registry) throw new InvalidArgumentError('give either a registry or --all, not both')
    if (!flags.all && !args.registry) throw new InvalidArgumentError('give the registry to log out of (or --all)')
    const engine = await this.openEngine(flags)
    const call = { authFile: flags.authfile }
    if (flags.all) {
      await engine.registries.logoutAll(call)
      this.log('Removed login credentials for all registries')
      return
    }
    const host = registryHost(args.registry!)
    await engine.registries.logout(host, call)
    this.log(`Removed login credentials for ${host}`)
  }
}
