import * as fs from 'node:fs'

/** What `/proc/<pid>/stat` says of a process: its state letter, start time and command name. */
interface ProcStat {
  /** Field 3: `R`, `S`, `D`, ... ; `Z` (zombie) and `X` (dead) have exited. */
  state: string
  /** Field 22: clock ticks since boot at which it started. */
  startTime: number
  /** Field 2 without its parentheses (at most 15 bytes, as the kernel keeps it). */
  comm: string
}

function procStat(pid: number): ProcStat | undefined | 'unreadable' {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH' ? undefined : 'unreadable'
  }
  // The command name may hold spaces and parentheses: count from the last ')'.
  const close = text.lastIndexOf(')')
  const fields = text.slice(close + 2).split(' ')
  return { state: fields[0], startTime: Number(fields[19]), comm: text.slice(text.indexOf('(') + 1, close) }
}

/**
 * Whether a process with this pid exists and has not exited. A zombie has
 * exited: its parent just has not reaped it yet, which for an orphan may be
 * never (a host or container init that does not reap). Signal 0 answers
 * "exists" for a zombie, so /proc decides; where /proc cannot be read,
 * signal 0 does (EPERM means it exists but belongs to someone else; only
 * ESRCH means it is gone). Used to tell the temp files and state of a dead
 * tsrun, monitor or container from those of a live one.
 */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid < 0) return false
  const stat = procStat(pid)
  if (stat === undefined) return false
  if (stat !== 'unreadable') return stat.state !== 'Z' && stat.state !== 'X'
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Field 22 of `/proc/<pid>/stat` (when the process started, in clock ticks
 * since boot) of a live process; undefined when it is gone or a zombie. With
 * the pid it names one process even after the pid is reused.
 */
export function processStartTime(pid: number): number | undefined {
  const stat = procStat(pid)
  if (stat === undefined || stat === 'unreadable' || stat.state === 'Z' || stat.state === 'X') return undefined
  return stat.startTime
}

/** The command name of a live process (`tsrun-shim`), undefined when it is gone or a zombie. */
export function processName(pid: number): string | undefined {
  const stat = procStat(pid)
  if (stat === undefined || stat === 'unreadable' || stat.state === 'Z' || stat.state === 'X') return undefined
  return stat.comm
}

/** True while `pid` is the very process that started at `startTime` and it has not exited. */
export function sameProcessAlive(pid: number | undefined, startTime: number | undefined): boolean {
  return pid !== undefined && startTime !== undefined && processStartTime(pid) === startTime
}
