import * as fs from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { ConflictError } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { attachSocketPath, connectAttach, FrameDemuxer } from '../attach/attach-stream'
import { DetachKeyMatcher, detachKeysFlag, parseDetachKeys } from '../attach/detach-keys'

/** Signals passed on to the container while attached without a TTY (Docker's --sig-proxy). */
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

export default class Attach extends EngineCommand {
  static override summary = 'Attach to a running container: its output here, your input to its stdin'
  static override aliases = ['container:attach']
  static override description =
    "Streams what the container writes from now on (stdout here, stderr to stderr) and, when it was started with -i, sends your stdin to it. Exits with the container's exit code when it stops. With a TTY, Ctrl-P Ctrl-Q (or --detach-keys) detaches and leaves it running. Without a TTY, signals tsrun receives (Ctrl-C too) go to the container unless --no-sig-proxy."
  static override examples = ['<%= config.bin %> attach web', 'echo hello | <%= config.bin %> attach reader', '<%= config.bin %> attach --no-stdin shell', '<%= config.bin %> attach --detach-keys ctrl-x shell']
  static override args = { container: Args.string({ required: true, description: 'container name or id' }) }
  static override flags = {
    'no-stdin': Flags.boolean({ description: 'do not send stdin to the container' }),
    'sig-proxy': Flags.boolean({ default: true, allowNo: true, description: 'pass signals on to the container (no TTY only)' }),
    ...detachKeysFlag,
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Attach)
    const detachKeys = parseDetachKeys(flags['detach-keys'])
    const engine = await this.openEngine(flags)
    const rec = engine.containers.store.get(args.container)
    if ((await engine.containers.state(rec)).status !== 'running') {
      throw new ConflictError(`cannot attach to container ${rec.name}: it is not running; start it with tsrun start -a ${rec.name}`)
    }
    const stateDir = engine.containers.store.dir(rec.id)
    if (!fs.existsSync(attachSocketPath(stateDir))) {
      throw new ConflictError(`cannot attach to container ${rec.name}: it runs in the foreground of another tsrun; only detached containers can be attached to`)
    }
    const conn = await connectAttach(stateDir)
    const tty = rec.config.Tty
    const demux = new FrameDemuxer((stream, data) => (stream === 'stderr' ? process.stderr : process.stdout).write(data))
    conn.on('data', (d: Buffer) => (tty ? process.stdout.write(d) : demux.push(d)))

    let detached = false
    const raw = tty && process.stdin.isTTY && rec.config.OpenStdin && !flags['no-stdin']
    if (rec.config.OpenStdin && !flags['no-stdin']) {
      if (raw) process.stdin.setRawMode(true)
      // As Docker's CLI: the detach keys act only where stdin is the container's terminal.
      const keys = tty ? new DetachKeyMatcher(detachKeys) : undefined
      process.stdin.on('data', (d: Buffer) => {
        const { forward, detach } = keys ? keys.feed(d) : { forward: d, detach: false }
        if (forward.length) conn.write(forward)
        if (detach) {
          detached = true
          conn.destroy()
        }
      })
      process.stdin.on('end', () => conn.end())
    }
    const proxy = (sig: NodeJS.Signals) => void engine.containers.kill(rec, sig).catch(() => undefined)
    if (!tty && flags['sig-proxy']) for (const sig of PROXIED) process.on(sig, proxy)

    await new Promise<void>((resolve) => conn.on('close', () => resolve()))
    if (raw) process.stdin.setRawMode(false)
    process.stdin.destroy()
    for (const sig of PROXIED) process.off(sig, proxy)
    if (detached) return
    process.exitCode = await engine.containers.wait(rec)
  }
}
