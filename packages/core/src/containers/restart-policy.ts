import * as fs from 'node:fs'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'

/** Docker's `HostConfig.RestartPolicy`. */
export interface RestartPolicy {
  Name: 'no' | 'always' | 'unless-stopped' | 'on-failure'
  /** on-failure only: restarts at most this many times (0: no limit). */
  MaximumRetryCount: number
}

/** `no`, `always`, `unless-stopped`, `on-failure`, `on-failure:N`. */
export function parseRestartPolicy(s: string): RestartPolicy {
  const m = /^(no|always|unless-stopped|on-failure)(?::(\d+))?$/.exec(s.trim())
  if (!m || (m[2] !== undefined && m[1] !== 'on-failure')) {
    throw new InvalidArgumentError(`invalid restart policy "${s}": use no, always, unless-stopped or on-failure[:max-retries]`)
  }
  return { Name: m[1] as RestartPolicy['Name'], MaximumRetryCount: m[2] === undefined ? 0 : Number(m[2]) }
}

/** The annotation value the monitor reads (`io.tsrun.restart`): `on-failure:3`, `always`. */
export function restartAnnotation(p: RestartPolicy): string {
  return p.Name === 'on-failure' && p.MaximumRetryCount > 0 ? `on-failure:${p.MaximumRetryCount}` : p.Name
}

/** The file that tells the monitor "the user stopped it: do not restart" (contract §1). */
export const STOP_MARKER = 'stop-requested'

/** Written by stop, kill and rm before they signal; the monitor checks it when PID 1 exits. */
export function requestStop(containerDir: string): void {
  try {
    fs.writeFileSync(path.join(containerDir, STOP_MARKER), '')
  } catch {
    /* the container directory is gone: nothing to restart either */
  }
}

/** `start` clears it, so the policy applies again. */
export function clearStopRequest(containerDir: string): void {
  fs.rmSync(path.join(containerDir, STOP_MARKER), { force: true })
}
