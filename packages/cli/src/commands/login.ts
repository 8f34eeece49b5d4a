import { Args, Flags } from '@oclif/core'
import { authFilePath, connectRegistry, CredentialStore, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { registryFlags, registryHost } from '../flags/registry-flags'
import { prompt } from '../render/prompt'

export default class Login extends EngineCommand {
  static override summary = 'Log in to a registry'
  static override description =
    'Checks the credentials against the registry, then saves them in ROOT/auth.json (or $REGISTRY_AUTH_FILE), mode 0600, in the shape of Docker\'s config.json ("auths" with a base64 "auth" per registry).'
  static override examples = ['echo "$PASSWORD" | <%= config.bin %> login -u alice --password-stdin 127.0.0.1:5000']
  static override args = { registry: Args.string({ required: true, description: 'registry host[:port]' }) }
  static override flags = {
    username: Flags.string({ char: 'u', description: 'user name' }),
    password: Flags.string({ char: 'p', description: 'password (visible in the process list; prefer --password-stdin)' }),
    'password-stdin': Flags.boolean({ description: 'read the password from stdin' }),
    ...registryFlags,
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Login)
    const host = registryHost(args.registry)
    if (flags.password && flags['password-stdin']) throw new InvalidArgumentError('--password and --password-stdin are mutually exclusive')
    const username = flags.username ?? (await prompt('Username: ', { instead: '-u USER' }))
    let password = flags.password
    if (flags['password-stdin']) password = (await readAll(process.stdin)).replace(/\r?\n$/, '')
    password ??= await prompt('Password: ', { secret: true, instead: '--password-stdin' })
    if (!username) throw new InvalidArgumentError('a username is required (-u USER)')
    if (!password) throw new InvalidArgumentError('a password is required (--password-stdin, or -p)')
    const engine = await this.openEngine(flags)
    const credentials = { username, password }
    await connectRegistry(engine.config.root, host, { tlsVerify: flags['tls-verify'], credentials }).login()
    new CredentialStore(authFilePath(engine.config.root)).set(host, credentials)
    this.log('Login Succeeded!')
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += chunk.toString()
  return text
}
