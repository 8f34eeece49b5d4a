// A private containerd (Debian's package) for the interop tests: its own
// root, state and sockets under a temp dir, the CRI plugin on or off, and
// a clean stop (its shims killed, its snapshot mounts undone).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec, mountsUnder, pidsWithCmdline, type Result, type RunOpts, waitFor } from './tsrun'

export interface Containerd {
  dir: string
  socket: string
  /** `ctr -a SOCKET [-n NAMESPACE] ARGS`. */
  ctr(args: string[], opts?: RunOpts & { namespace?: string }): Promise<Result>
  /** The daemon's own log, for what it said about the runtimes. */
  log(): string
  stop(): Promise<void>
}

/**
 * Start containerd. With `cri`, the CRI plugin runs with one runtime class
 * `tsrun` (`io.containerd.runc.v2` with `BinaryName` = `runtime`) as the
 * default, and `sandboxImage` as the pod sandbox image.
 */
export async function startContainerd(opts: { cri?: { runtime: string; sandboxImage: string } } = {}): Promise<Containerd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-containerd-'))
  const socket = path.join(dir, 'containerd.sock')
  const lines = [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    opts.cri ? '' : 'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${socket}"`,
    '[ttrpc]',
    `  address = "${socket}.ttrpc"`,
    '[debug]',
    `  address = "${dir}/debug.sock"`,
  ]
  if (opts.cri) {
    fs.mkdirSync(path.join(dir, 'cni', 'bin'), { recursive: true })
    fs.mkdirSync(path.join(dir, 'cni', 'conf'), { recursive: true })
    lines.push(
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${opts.cri.sandboxImage}"`,
      '  [plugins."io.containerd.grpc.v1.cri".containerd]',
      '    default_runtime_name = "tsrun"',
      '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.tsrun]',
      '      runtime_type = "io.containerd.runc.v2"',
      '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.tsrun.options]',
      `        BinaryName = "${opts.cri.runtime}"`,
      '  [plugins."io.containerd.grpc.v1.cri".cni]',
      `    bin_dir = "${dir}/cni/bin"`,
      `    conf_dir = "${dir}/cni/conf"`,
    )
  }
  fs.writeFileSync(path.join(dir, 'config.toml'), lines.join('\n') + '\n')
  const logFd = fs.openSync(path.join(dir, 'log'), 'w')
  const child: ChildProcess = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { stdio: ['ignore', logFd, logFd] })
  const ctr = (args: string[], o: RunOpts & { namespace?: string } = {}) => exec('ctr', ['-a', socket, '-n', o.namespace ?? 'default', ...args], { timeout: 60_000, ...o })
  await waitFor(async () => fs.existsSync(socket) && (await ctr(['version'])).code === 0, 'containerd to answer', 30_000)
  return {
    dir,
    socket,
    ctr,
    log: () => fs.readFileSync(path.join(dir, 'log'), 'utf8'),
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => setTimeout(r, 300))
      for (const p of pidsWithCmdline(dir)) {
        try {
          process.kill(p, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
      for (const m of mountsUnder(dir).sort((a, b) => b.length - a.length)) spawnSync('umount', ['-l', m])
      spawnSync('rm', ['-rf', '--one-file-system', dir])
    },
  }
}
