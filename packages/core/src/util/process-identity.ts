/**
 * Who a pid is: a pid alone is reused once its process dies, so leftovers
 * named by pid (spool files, leases) also record when their writer started
 * and are its only while the process with that pid is the same one.
 */
import * as fs from 'node:fs'
import { pidAlive } from './pid-alive'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100

/** Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat); undefined when it is gone or a zombie. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[0] === 'Z' ? undefined : fields[19]
  } catch {
    return undefined
  }
}

/** This process's start ticks, computed once. */
let self: string | undefined
export function ownStartTicks(): string {
  self ??= processStartTicks(process.pid) ?? '0'
  return self
}

/** Whether the process that was `pid` and started at `ticks` still runs (false once the pid is reused). */
export function sameProcessAlive(pid: number, ticks: string): boolean {
  return processStartTicks(pid) === ticks
}

/**
 * Whether a file a process `pid` made at `createdMs` (ms since the epoch)
 * can still belong to it: the pid is alive and did not start after the file
 * was made (which would make it a newer process under a reused pid). The
 * boot time is known to the second, so a second of slack is allowed.
 */
export function writerMayBeAlive(pid: number, createdMs: number): boolean {
  if (!pidAlive(pid)) return false
  const ticks = processStartTicks(pid)
  if (ticks === undefined) return false
  const startedMs = (bootTimeSeconds() + Number(ticks) / HZ) * 1000
  return !(startedMs > createdMs + 2000)
}

let btime: number | undefined
function bootTimeSeconds(): number {
  if (btime === undefined) {
    const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))
    btime = m ? Number(m[1]) : 0
  }
  return btime
}
