import * as fs from 'node:fs'
import * as path from 'node:path'
import { shimPath } from '@tsrun/native'
import { processName, processStartTime, sameProcessAlive, type RuntimeState } from '@tsrun/core'

/** `shim.json` as tsrun-shim writes it (docs/runtime-contract.md). */
export interface ShimState {
  /** `restarting`: PID 1 exited and the monitor waits out the backoff before starting it again. */
  status: 'running' | 'restarting' | 'exited'
  pid?: number
  pidStartTime?: number
  monitorPid?: number
  startedAt?: string
  finishedAt?: string
  exitCode?: number
  signal?: number
  oomKilled?: boolean
  error?: string
  restartCount?: number
}

export function readShimState(stateDir: string): ShimState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(stateDir, 'shim.json'), 'utf8')) as ShimState
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** The monitor's command name as the kernel keeps it (`comm`: the binary's name, at most 15 bytes). */
let monitorComm: string | undefined
const monitorName = () => (monitorComm ??= path.basename(shimPath()).slice(0, 15))

/** True while the container's PID 1 is the very process the shim started (a zombie is not). */
export function pid1Alive(s: ShimState): boolean {
  return sameProcessAlive(s.pid, s.pidStartTime)
}

/**
 * True while the monitor lives. `shim.json` has no start time for it, so a
 * reused pid is told apart by what the monitor must be: a `tsrun-shim`, not
 * a zombie, started no later than the PID 1 it started.
 */
export function monitorAlive(s: ShimState): boolean {
  if (!s.monitorPid || processName(s.monitorPid) !== monitorName()) return false
  const started = processStartTime(s.monitorPid)
  return started !== undefined && (s.pidStartTime === undefined || started <= s.pidStartTime)
}

/**
 * The runtime state from the shim's file. While the monitor lives its word
 * stands; if the monitor was killed, PID 1 decides, and a container with
 * neither is reported exited with 255 (its real code was lost with the monitor).
 */
export function toRuntimeState(s: ShimState | undefined): RuntimeState {
  if (!s) return { status: 'created' }
  const base = { pid: s.pid, startedAt: s.startedAt, finishedAt: s.finishedAt, exitCode: s.exitCode, oomKilled: s.oomKilled, error: s.error, restartCount: s.restartCount ?? 0 }
  if (s.status === 'exited') return { ...base, status: 'exited' }
  if (s.status === 'restarting' && monitorAlive(s)) return { ...base, status: 'running', restarting: true }
  if (monitorAlive(s) || pid1Alive(s)) return { ...base, status: 'running' }
  return { ...base, status: 'exited', exitCode: 255, error: 'the container monitor was lost; the exit code is unknown' }
}
