import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { constants } from 'node:os'
import { removeCgroup, shimPath } from '@tsrun/native'
import { ContainerStartError, type CgroupFigures, type ExecRequest, type IsolationBackend, type IsolationControl, type OciResources, type RuntimeHandle, type RuntimeState, type StartRequest, type StartResult, type CopyRequest } from '@tsrun/core'
import * as control from './native-control'
import { detachArgs, onDetach, spawnForeground } from './detach-fd'
import { copyWithShim } from './shim-copy'
import { pid1Alive, readShimState, toRuntimeState } from './shim-state'

/**
 * Signals a foreground `run` passes on to the container, as Docker's
 * sig-proxy does. Without a TTY the shim runs in its own session, so Ctrl-C
 * reaches only us and is forwarded once; with a TTY the terminal is raw and
 * Ctrl-C travels as a byte, so any SIGINT we get was sent to us on purpose.
 */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']

/**
 * Another OCI runtime for the monitor to drive (plugins/isolation-oci):
 * its binary and its `--root`.
 */
export interface OciRuntime {
  /** Absolute path of a binary with runc's command line. */
  path: string
  /** Its state directory (`--root`), one per runtime under tsrun's run root. */
  root: string
}

/**
 * `isolation:native`: namespaces, pivot_root and cgroups done by tsrun-shim,
 * a single-threaded Rust binary that stays the container's parent. This class
 * only spawns it (a plain fork+exec by libuv: no JS runs in a forked Node) and
 * reads the state file it keeps.
 *
 * Given an `OciRuntime`, the same monitor starts and execs through that
 * runtime's command line instead (runtime-contract §1 `--runtime`); the
 * state file, logs, signals and the cgroup (the runtime makes it at
 * `linux.cgroupsPath`) are the same, so everything else here is too.
 */
export class NativeIsolation implements IsolationBackend, IsolationControl {
  constructor(private readonly oci?: OciRuntime) {}

  /** The shim's flags that name the runtime (none for the native one). */
  private runtimeArgs(): string[] {
    return this.oci ? ['--runtime', this.oci.path, '--runtime-root', this.oci.root] : []
  }

  async start(req: StartRequest): Promise<StartResult> {
    const args = ['run', '--bundle', req.bundleDir, '--state-dir', req.stateDir, '--id', req.id, ...this.runtimeArgs()]
    if (req.detach) args.push('--detach')
    if (req.stdin) args.push('--stdin')
    if (req.exitCommand?.length) {
      args.push('--exit-command', req.exitCommand[0])
      for (const a of req.exitCommand.slice(1)) args.push('--exit-command-arg', a)
    }
    if (!req.detach && req.detachKeys?.length) args.push(...detachArgs(req.detachKeys))
    return req.detach ? this.startDetached(args, req.stateDir) : this.startForeground(args, req.stateDir, req.tty, req.attach)
  }

  private startDetached(args: string[], stateDir: string): Promise<StartResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(shimPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('error', (err) => reject(new ContainerStartError(`cannot run ${shimPath()}: ${err.message}`, 125)))
      child.on('exit', (code, signal) => {
        if (code === 0 && readShimState(stateDir)) return resolve({ exitCode: 0 })
        const message = stderr.trim().split('\n').pop() || `tsrun-shim ended with ${signal ?? `code ${code}`}`
        reject(new ContainerStartError(message, code ?? 125))
      })
    })
  }

  private startForeground(args: string[], stateDir: string, tty: boolean, attach?: StartRequest['attach']): Promise<StartResult> {
    return new Promise((resolve, reject) => {
      // `run -a`: a stream not attached goes nowhere here (the log still has it).
      const out = (on: boolean | undefined) => (on === false ? 'ignore' : 'inherit')
      const stdio: Array<'inherit' | 'ignore'> = attach ? ['inherit', out(attach.stdout), out(attach.stderr)] : ['inherit', 'inherit', 'inherit']
      // With a TTY the shim must stay in our foreground process group to read the terminal.
      const child = spawnForeground(args, tty, stdio)
      const forward = (sig: NodeJS.Signals) => child.kill(sig)
      for (const sig of FORWARDED) process.on(sig, forward)
      const restore = () => {
        for (const sig of FORWARDED) process.off(sig, forward)
      }
      onDetach(child, () => {
        restore()
        resolve({ exitCode: 0, detached: true })
      })
      child.on('error', (err) => {
        restore()
        reject(new ContainerStartError(`cannot run ${shimPath()}: ${err.message}`, 125))
      })
      child.on('exit', (code, signal) => {
        restore()
        const state = readShimState(stateDir)
        if (!state) {
          return reject(new ContainerStartError(`tsrun-shim ended (${signal ?? `code ${code}`}) without starting the container`, 125))
        }
        if (state.error) {
          // The shim already printed its one line on our stderr (unless it was not attached).
          return reject(Object.assign(new ContainerStartError(state.error, code ?? 125), { reported: attach?.stderr !== false }))
        }
        resolve({ exitCode: code ?? 128 + ((constants.signals as Record<string, number>)[signal ?? 'SIGKILL'] ?? 9) })
      })
    })
  }

  async signal(handle: RuntimeHandle, signal: string | number): Promise<void> {
    const state = readShimState(handle.stateDir)
    if (!state || state.status !== 'running' || !pid1Alive(state)) {
      throw Object.assign(new Error(`container ${handle.id} is not running`), { code: 'ESRCH' })
    }
    process.kill(state.pid!, signal)
    // A frozen container acts on SIGKILL only once thawed (as Docker does, only for KILL).
    if ((signal === 'SIGKILL' || signal === 9) && control.paused(handle)) control.freeze(handle, false)
  }

  async state(handle: RuntimeHandle): Promise<RuntimeState> {
    const state = toRuntimeState(readShimState(handle.stateDir))
    if (state.status === 'running' && control.paused(handle)) state.paused = true
    return state
  }

  unenforceable(resources: OciResources): string[] {
    return control.unenforceable(resources)
  }

  async update(handle: RuntimeHandle, resources: OciResources): Promise<string[]> {
    return control.update(handle, resources)
  }

  async freeze(handle: RuntimeHandle, frozen: boolean): Promise<void> {
    control.freeze(handle, frozen)
  }

  async paused(handle: RuntimeHandle): Promise<boolean> {
    return control.paused(handle)
  }

  async processes(handle: RuntimeHandle): Promise<number[]> {
    return control.processes(handle)
  }

  async stats(handle: RuntimeHandle): Promise<CgroupFigures> {
    return control.stats(handle)
  }

  exec(handle: RuntimeHandle, req: ExecRequest): Promise<number> {
    return control.exec(handle, req, this.oci ? [...this.runtimeArgs(), '--id', handle.id] : [])
  }

  /** `tsrun cp` (IsolationCopy): done by `tsrun-shim cp`. */
  async copy(req: CopyRequest): Promise<void> {
    return copyWithShim(req)
  }

  async cleanup(handle: RuntimeHandle): Promise<void> {
    // A monitor killed before its own `delete` leaves the runtime's state
    // (and maybe its init): the runtime takes them back first.
    if (this.oci) {
      const r = spawnSync(this.oci.path, ['--root', this.oci.root, 'delete', '--force', handle.id], { stdio: 'ignore' })
      // A runtime that cannot say (its binary went away): its state for this
      // id is `<root>/<id>` with runc, crun and tsrun-runtime alike.
      if (r.error || r.status !== 0) fs.rmSync(path.join(this.oci.root, handle.id), { recursive: true, force: true })
    }
    removeCgroup(handle.cgroupsPath)
  }
}
