import { Args } from '@oclif/core'
import { InvalidArgumentError, TsrunError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

/** Docker's answer for a port with no mapping: its exact words and exit 1. */
class NoPublicPortError extends TsrunError {
  override readonly exitCode = 1
}

/** `docker port`: the public ports a container's ports are published on. */
export default class Port extends EngineCommand {
  static override summary = 'List port mappings or a specific mapping for the container'
  static override aliases = ['container:port']
  static override description =
    'tsrun publishes no ports yet (networks other than none and host are still to come), so this prints nothing for every container, and for a given PRIVATE_PORT says none is published and exits 1, as Docker does for a container without that mapping.'
  static override examples = ['<%= config.bin %> port web', '<%= config.bin %> port web 80/tcp']
  static override args = {
    container: Args.string({ required: true, description: 'container name or id' }),
    privatePort: Args.string({ description: 'PRIVATE_PORT[/PROTO] (tcp by default)' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Port)
    const port = args.privatePort === undefined ? undefined : portKey(args.privatePort)
    const engine = await this.openEngine(flags)
    engine.containers.store.get(args.container)
    if (port) throw new NoPublicPortError(`No public port '${port}' published for ${args.container}`)
  }
}

/** `80` -> `80/tcp`, as Docker's nat.NewPort; a bad one is refused. */
function portKey(text: string): string {
  const m = /^(\d+)(?:\/(\w+))?$/.exec(text)
  if (!m || Number(m[1]) > 65535) throw new InvalidArgumentError(`invalid port "${text}": give PRIVATE_PORT[/PROTO], e.g. 80 or 53/udp`)
  const proto = (m[2] ?? 'tcp').toLowerCase()
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new InvalidArgumentError(`invalid protocol "${m[2]}" in "${text}": tcp, udp or sctp`)
  return `${m[1]}/${proto}`
}
