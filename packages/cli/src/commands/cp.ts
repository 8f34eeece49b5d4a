import { Args, Flags } from '@oclif/core'
import { ContainerCopy, InvalidArgumentError, type Engine } from '@tsrun/core'
import { EngineCommand } from '../engine-command'

export default class Cp extends EngineCommand {
  static override summary = 'Copy files between a container and the host'
  static override aliases = ['container:cp']
  static override description = [
    'One side is CONTAINER:PATH. Works on running and stopped containers, volumes included.',
    'A directory is copied as DEST when DEST does not exist and into DEST when it does; SRC/. copies its contents.',
    'Symlinks are copied as symlinks; inside the container they resolve inside its root, never to the host.',
    'Copied in, files belong to root unless -a; copied out, to you.',
    'A host side of - is a tar stream: CONTAINER:SRC - writes SRC as a tar to stdout; - CONTAINER:DIR unpacks a tar (plain, gzip or zstd) from stdin into the existing directory DIR, refusing any entry that would land outside it.',
  ].join(' ')
  static override examples = [
    '<%= config.bin %> cp web:/etc/hostname ./hostname',
    '<%= config.bin %> cp ./site/. web:/usr/share/html',
    '<%= config.bin %> cp -a ./data web:/srv/',
    '<%= config.bin %> cp -L web:/etc/localtime ./localtime',
    '<%= config.bin %> cp web:/var/log - | tar -t',
    'tar -c site | <%= config.bin %> cp - web:/usr/share',
    '<%= config.bin %> cp --pause db:/var/lib/db ./snapshot',
  ]
  static override args = {
    src: Args.string({ required: true, description: 'CONTAINER:PATH, a host path, or - (a tar on stdin)' }),
    dest: Args.string({ required: true, description: 'CONTAINER:PATH, a host path, or - (a tar to stdout)' }),
  }
  static override flags = {
    archive: Flags.boolean({ char: 'a', description: 'keep uid/gid of what is copied in' }),
    'follow-link': Flags.boolean({ char: 'L', description: 'always follow a symlink named as SRC (copy what it points to, under its name)' }),
    pause: Flags.boolean({ description: "freeze a running container while copying, as podman's --pause (Docker never pauses, nor does tsrun without it)" }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Cp)
    const src = containerSide(args.src)
    const dest = containerSide(args.dest)
    if (src && dest) throw new InvalidArgumentError('copying between two containers is not supported: copy to the host first')
    if (!src && !dest) throw new InvalidArgumentError(`one of "${args.src}" and "${args.dest}" must be CONTAINER:PATH`)
    const engine = await this.openEngine(flags)
    const copier = new ContainerCopy(engine.containers, engine.backends)
    const common = { archive: flags.archive, followLink: flags['follow-link'] }
    const thaw = flags.pause ? await freezeWhileCopying(engine, (src ?? dest)!.container) : undefined
    try {
      if (src) await copier.copy({ container: src.container, direction: 'out', containerPath: src.path, hostPath: args.dest, ...common })
      else await copier.copy({ container: dest!.container, direction: 'in', containerPath: dest!.path, hostPath: args.src, ...common })
    } finally {
      await thaw?.()
    }
  }
}

/**
 * `--pause`: freeze a running, unpaused container (the copy reads and
 * writes it from outside its cgroup, so it is not frozen itself); answers
 * how to thaw it again. A stopped or already paused container is left as it is.
 */
async function freezeWhileCopying(engine: Engine, ref: string): Promise<(() => Promise<void>) | undefined> {
  const rec = engine.containers.store.get(ref)
  const state = await engine.containers.state(rec)
  if (state.status !== 'running' || state.paused) return undefined
  await engine.control.pause(rec)
  return () => engine.control.unpause(rec)
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
