import { Args, Flags } from '@oclif/core'
import { ContainerCopy, InvalidArgumentError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Cp extends EngineCommand {
  static override summary = 'Copy files between a container and the host'
  static override description = [
    'One side is CONTAINER:PATH. Works on running and stopped containers, volumes included.',
    'A directory is copied as DEST when DEST does not exist and into DEST when it does; SRC/. copies its contents.',
    'Symlinks are copied as symlinks; inside the container they resolve inside its root, never to the host.',
    'Copied in, files belong to root unless -a; copied out, to you.',
  ].join(' ')
  static override examples = [
    '<%= config.bin %> cp web:/etc/hostname ./hostname',
    '<%= config.bin %> cp ./site/. web:/usr/share/html',
    '<%= config.bin %> cp -a ./data web:/srv/',
  ]
  static override args = {
    src: Args.string({ required: true, description: 'CONTAINER:PATH or a host path' }),
    dest: Args.string({ required: true, description: 'CONTAINER:PATH or a host path' }),
  }
  static override flags = {
    archive: Flags.boolean({ char: 'a', description: 'keep uid/gid of what is copied in' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Cp)
    const src = containerSide(args.src)
    const dest = containerSide(args.dest)
    if (src && dest) throw new InvalidArgumentError('copying between two containers is not supported: copy to the host first')
    if (!src && !dest) throw new InvalidArgumentError(`one of "${args.src}" and "${args.dest}" must be CONTAINER:PATH`)
    if (args.src === '-' || args.dest === '-') throw new InvalidArgumentError('tar streams on stdin/stdout (-) are not supported yet')
    const engine = await this.openEngine(flags)
    const copier = new ContainerCopy(engine.containers, engine.backends)
    if (src) await copier.copy({ container: src.container, direction: 'out', containerPath: src.path, hostPath: args.dest, archive: flags.archive })
    else await copier.copy({ container: dest!.container, direction: 'in', containerPath: dest!.path, hostPath: args.src, archive: flags.archive })
  }
}

/**
 * `web:/etc` -> { web, /etc }; a host path (`./a:b`, `/x:y`) -> undefined, as
 * Docker decides: a path starting with `/` or `.` is local even with a colon.
 */
function containerSide(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined
  const colon = arg.indexOf(':')
  if (colon <= 0) return undefined
  const p = arg.slice(colon + 1)
  if (!p) throw new InvalidArgumentError(`invalid "${arg}": the path in the container is empty`)
  return { container: arg.slice(0, colon), path: p }
}
