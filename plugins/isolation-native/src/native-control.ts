import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { cgroupFrozen, cgroupPids, cgroupStats, freezeCgroup, missingControllers, shimPath, updateCgroup } from '@tsrun/native'
import { ContainerStartError, TsrunError, type CgroupFigures, type ExecRequest, type OciResources, type RuntimeHandle } from '@tsrun/core'
import { detachArgs, onDetach, spawnForeground } from './detach-fd'

/** Signals a foreground `exec` passes on to the exec'd process (as for `run`). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']

/** The native errors of the cgroup calls as engine errors (one line, 125). */
function native<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new TsrunError((err as Error).message)
  }
}

export function unenforceable(resources: OciResources): string[] {
  return native(() => missingControllers(JSON.stringify(resources)))
}

export function update(handle: RuntimeHandle, resources: OciResources): string[] {
  return native(() => updateCgroup(handle.cgroupsPath, JSON.stringify(resources)))
}

export function freeze(handle: RuntimeHandle, frozen: boolean): void {
  native(() => freezeCgroup(handle.cgroupsPath, frozen))
}

export function paused(handle: RuntimeHandle): boolean {
  return native(() => cgroupFrozen(handle.cgroupsPath))
}

export function processes(handle: RuntimeHandle): number[] {
  return native(() => cgroupPids(handle.cgroupsPath))
}

export function stats(handle: RuntimeHandle): CgroupFigures {
  const s = native(() => cgroupStats(handle.cgroupsPath))
  const out: CgroupFigures = {}
  for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== null) (out as Record<string, number>)[k] = v as number
  return out
}

/**
 * `tsrun-shim exec`: the process JSON goes in a private file in the
 * container's state dir (removed once the shim has read it, i.e. when it
 * returns detached, or exits). Foreground: stdio inherited, signals
 * forwarded, resolves with the shim's exit code = the command's.
 * `runtimeArgs` (`--runtime PATH --runtime-root DIR --id ID`) exec through
 * the OCI runtime that started the container.
 */
export function exec(handle: RuntimeHandle, req: ExecRequest, runtimeArgs: string[] = []): Promise<number> {
  const file = path.join(handle.stateDir, `exec-${randomBytes(6).toString('hex')}.json`)
  fs.writeFileSync(file, JSON.stringify(req.process), { mode: 0o600 })
  const args = ['exec', '--bundle', req.bundleDir, '--state-dir', handle.stateDir, '--process', file, ...runtimeArgs]
  if (req.user) args.push('--user', req.user)
  if (req.detach) args.push('--detach')
  if (req.stdin) args.push('--stdin')
  if (!req.detach && req.detachKeys?.length) args.push(...detachArgs(req.detachKeys))
  const tty = Boolean(req.process.terminal)
  return new Promise<number>((resolve, reject) => {
    const child = req.detach ? spawn(shimPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] }) : spawnForeground(args, tty)
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const forward = (sig: NodeJS.Signals) => child.kill(sig)
    if (!req.detach) for (const sig of FORWARDED) process.on(sig, forward)
    const done = () => {
      for (const sig of FORWARDED) process.off(sig, forward)
      fs.rmSync(file, { force: true })
    }
    // Detached from the terminal: the command runs on in the container.
    onDetach(child, () => {
      done()
      resolve(0)
    })
    child.on('error', (err) => {
      done()
      reject(new ContainerStartError(`cannot run ${shimPath()}: ${err.message}`, 125))
    })
    child.on('exit', (code, signal) => {
      done()
      if (req.detach && code !== 0) {
        return reject(new ContainerStartError(stderr.trim().split('\n').pop() || `tsrun-shim exec ended with ${signal ?? `code ${code}`}`, code ?? 125))
      }
      resolve(code ?? 128 + 9)
    })
  })
}
