import { Args, Flags } from '@oclif/core'
import { InvalidArgumentError, type ContainerRecord, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { pullFlags, pullIfNeeded } from '../flags/pull-flags'
import { containerFlags, toCreateOptions } from '../flags/container-flags'
import { CidFile } from '../flags/runtime-flags'
import { splitRunArgv } from '../flags/split-argv'
import { replaceFlag, replaceNamed } from '../flags/replace'
import { checkTty } from '../flags/tty-check'
import { detachKeysFlag, parseDetachKeys } from '../attach/detach-keys'

export default class Run extends EngineCommand {
  static override summary = 'Create and start a container from an image'
  static override aliases = ['container:run']
  static override description = 'Flags go before the image; everything after the image is the command and its arguments. In the foreground, tsrun exits with the container\'s exit code.'
  static override examples = [
    '<%= config.bin %> run --rm demo:1 echo hello',
    "<%= config.bin %> run -d --name web demo:1 sh -c 'while true; do date; sleep 1; done'",
    '<%= config.bin %> run -it demo:1 sh            # Ctrl-P Ctrl-Q detaches, leaving it running',
    '<%= config.bin %> run --rm --storage-driver bind -e GREETING=hi demo:1 env',
  ]
  static override usage = '[OPTIONS] IMAGE [COMMAND] [ARG...]'
  static override strict = false
  static override args = {
    image: Args.string({ required: true, description: 'image reference or id' }),
  }
  static override flags = {
    ...containerFlags,
    ...pullFlags,
    ...replaceFlag,
    ...detachKeysFlag,
    detach: Flags.boolean({ char: 'd', description: 'run in the background and print the container id' }),
  }

  async run(): Promise<void> {
    const { ours, command } = splitRunArgv(this.argv, { ...Run.baseFlags, ...Run.flags })
    const { flags, args } = await this.parse({ ...Run, strict: true }, ours)
    const detachKeys = parseDetachKeys(flags['detach-keys'])
    if (!flags.detach) checkTty(flags.interactive, flags.tty)
    if (flags.detach && flags.attach?.length) throw new InvalidArgumentError('conflicting options: -a and -d (a detached container is not attached to)')
    const options = toCreateOptions(flags, args.image, command)
    const engine = await this.openEngine(flags)
    const cid = new CidFile(flags.cidfile)
    let rec: ContainerRecord
    try {
      await pullIfNeeded(engine, args.image, flags)
      if (flags.replace) await replaceNamed(engine, flags.name)
      rec = await engine.containers.create(options)
      cid.write(rec.id)
    } finally {
      cid.close()
    }
    if (flags.detach) {
      await this.startOrClean(engine, rec, false)
      this.log(rec.id)
      return
    }
    // Ctrl-P Ctrl-Q (-it): the container runs on; with --rm its monitor removes it when it exits.
    let detached = false
    const code = await this.startOrClean(engine, rec, true, { detachKeys, onDetached: () => (detached = true) })
    if (detached) return
    if (rec.hostConfig.AutoRemove) await engine.containers.remove(rec, true)
    process.exitCode = code
  }

  /** Start; with --rm, a container that could not start is removed before the error is shown. */
  private async startOrClean(engine: Engine, rec: ContainerRecord, attach: boolean, io: Parameters<Engine['containers']['start']>[2] = {}): Promise<number> {
    try {
      // -a: only the streams asked for reach this terminal.
      return await engine.containers.start(rec, attach, { stdout: rec.config.AttachStdout !== false, stderr: rec.config.AttachStderr !== false, ...io })
    } catch (err) {
      if (rec.hostConfig.AutoRemove) await engine.containers.remove(rec, true).catch(() => undefined)
      throw err
    }
  }
}
