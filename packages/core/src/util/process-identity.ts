/**
 * Who a pid is: a pid alone is reused once its process dies, so leftovers
 * named by pid (spool files, leases) also record when their writer started
 * and are its only while the process with that pid is the same one.
 */
import * as fs from 'node:fs'
import { processStartTime } from './pid-alive'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100

/** This process's start time in clock ticks (pid-alive's processStartTime), as leases record it. */
let self: string | undefined
export function ownStartTicks(): string {
  self ??= String(processStartTime(process.pid) ?? 0)
  return self
}

/**
 * Whether a file a process `pid` made at `createdMs` (ms since the epoch)
 * can still belong to it: the pid is alive and did not start after the file
 * was made (which would make it a newer process under a reused pid). The
 * boot time is known to the second, so a second of slack is allowed.
 */
export function writerMayBeAlive(pid: number, createdMs: number): boolean {
  const ticks = processStartTime(pid)
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
