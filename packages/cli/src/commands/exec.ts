import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { splitRunArgv } from '../flags/split-argv'
import { checkTty } from '../flags/tty-check'
import { detachKeysFlag, parseDetachKeys } from '../attach/detach-keys'

export default class Exec extends EngineCommand {
  static override summary = 'Run a command in a running container'
  static override aliases = ['container:exec']
  static override description = "The command joins all of the container's namespaces and its cgroup, with the container's environment, user and working directory unless overridden. Flags go before the container; tsrun exits with the command's exit code (126: cannot be invoked, 127: not found)."
  static override examples = [
    '<%= config.bin %> exec web ps',
    '<%= config.bin %> exec -it web sh',
    '<%= config.bin %> exec -u nobody -w /tmp -e MODE=debug web env',
    "<%= config.bin %> exec -d web sh -c 'sleep 100'",
  ]
  static override usage = '[OPTIONS] CONTAINER COMMAND [ARG...]'
  static override strict = false
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    interactive: Flags.boolean({ char: 'i', description: 'keep stdin open' }),
    tty: Flags.boolean({ char: 't', description: 'allocate a pseudo-TTY' }),
    detach: Flags.boolean({ char: 'd', description: 'run the command in the background' }),
    env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'set an environment variable (KEY=VAL, or KEY to copy it from here)' }),
    user: Flags.string({ char: 'u', description: 'user as uid[:gid] or name[:group] (default: the container\'s)' }),
    workdir: Flags.string({ char: 'w', description: 'working directory inside the container (default: the container\'s)' }),
    ...detachKeysFlag,
  }

  async run(): Promise<void> {
    const { ours, command } = splitRunArgv(this.argv, { ...Exec.baseFlags, ...Exec.flags })
    const { flags, args } = await this.parse({ ...Exec, strict: true }, ours)
    const detachKeys = parseDetachKeys(flags['detach-keys'])
    if (!flags.detach) checkTty(flags.interactive, flags.tty)
    const engine = await this.openEngine(flags)
    const rec = engine.containers.store.get(args.container)
    process.exitCode = await engine.control.exec(rec, {
      command,
      env: flags.env ?? [],
      user: flags.user,
      workdir: flags.workdir,
      tty: Boolean(flags.tty),
      stdin: Boolean(flags.interactive),
      detach: Boolean(flags.detach),
      detachKeys,
    })
  }
}
