import * as fs from 'node:fs'
import * as path from 'node:path'
import { pidAlive, type RuntimeState } from '@tsrun/core'

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

/** Field 22 of /proc/<pid>/stat: when the process started, to tell a reused pid apart. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[19])
  } catch {
    return undefined
  }
}

/** True while the container's PID 1 is the very process the shim started. */
export function pid1Alive(s: ShimState): boolean {
  return s.pid !== undefined && pidAlive(s.pid) && processStartTime(s.pid) === s.pidStartTime
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
  if (s.status === 'restarting' && pidAlive(s.monitorPid)) return { ...base, status: 'running', restarting: true }
  if (pidAlive(s.monitorPid) || pid1Alive(s)) return { ...base, status: 'running' }
  return { ...base, status: 'exited', exitCode: 255, error: 'the container monitor was lost; the exit code is unknown' }
}
