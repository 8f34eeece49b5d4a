import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { registryCallOptions, registryFlags, registryHost } from '../flags/registry-flags'
import { prompt } from '../render/prompt'

export default class Login extends EngineCommand {
  static override summary = 'Log in to a registry'
  static override description =
    'Checks the credentials against the registry, then saves them where the credentials file says: its credential helper (credHelpers for the registry, else credsStore: docker-credential-NAME store), or the file itself, mode 0600, as Docker\'s config.json keeps them. The file is --authfile, else $REGISTRY_AUTH_FILE, else registries.auth-file in tsrun.conf, else $DOCKER_CONFIG/config.json or ~/.docker/config.json. A token service that hands out a refresh token makes it the saved identity token instead of the password, as with Docker.'
  static override examples = [
    'echo "$PASSWORD" | <%= config.bin %> login -u alice --password-stdin 127.0.0.1:5000',
    '<%= config.bin %> login --authfile ./auth.json -u alice registry.example.com',
  ]
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
    const call = registryCallOptions(flags)
    const where = await engine.registries.login(host, { username, password }, call)
    // As Docker warns, but not when the user chose the file (podman's --authfile).
    if (!where.helper && !engine.registries.authFiles(call).explicit) {
      process.stderr.write(`WARNING! Your credentials are stored unencrypted in ${where.file}; configure a credential helper ("credsStore") to keep them elsewhere.\n`)
    }
    this.log('Login Succeeded!')
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += chunk.toString()
  return text
}
