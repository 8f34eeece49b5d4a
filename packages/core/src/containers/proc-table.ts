import * as fs from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const HZ = 100

/** One `tsrun top` row, the columns of `ps -ef` (what `docker top` shows by default). */
export interface ProcRow {
  UID: string
  PID: string
  PPID: string
  C: string
  STIME: string
  TTY: string
  TIME: string
  CMD: string
}

export const PROC_COLUMNS: Array<keyof ProcRow> = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']

/** Fields of /proc/<pid>/stat after the command name (field 3 is index 0). */
function statFields(pid: number): string[] | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).trim().split(' ')
  } catch {
    return undefined
  }
}

function userNames(): Map<number, string> {
  const m = new Map<number, string>()
  try {
    for (const l of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = l.split(':')
      if (f.length > 2 && /^\d+$/.test(f[2]) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0])
    }
  } catch {
    /* numeric ids then */
  }
  return m
}

function bootTime(): number {
  const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))
  return m ? Number(m[1]) : 0
}

function uptime(): number {
  return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0])
}

/** `pts/3` for a pty's tty_nr, `?` for none. */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return '?'
  const major = (ttyNr >> 8) & 0xfff
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00)
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`
  if (major === 4) return `tty${minor}`
  return '?'
}

/** `[DD-]HH:MM:SS` of CPU seconds, as ps prints TIME. */
export function cpuTime(seconds: number): string {
  const s = Math.floor(seconds)
  const d = Math.floor(s / 86400)
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':')
  return d ? `${d}-${hms}` : hms
}

/** `HH:MM` for today, `MonDD` before, as ps prints STIME. */
export function startTime(when: Date, now = new Date()): string {
  if (when.toDateString() === now.toDateString()) {
    return `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`
  }
  return `${when.toLocaleString('en-US', { month: 'short' })}${String(when.getDate()).padStart(2, '0')}`
}

/** Rows for the given host pids, read from /proc; pids gone meanwhile are skipped. */
export function procTable(pids: number[]): ProcRow[] {
  const names = userNames()
  const btime = bootTime()
  const up = uptime()
  const rows: ProcRow[] = []
  for (const pid of [...pids].sort((a, b) => a - b)) {
    const f = statFields(pid)
    if (!f) continue
    let uid = 0
    let cmd = ''
    try {
      uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ')
    } catch {
      continue
    }
    if (!cmd) {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      cmd = `[${s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'))}]`
    }
    const cpu = (Number(f[11]) + Number(f[12])) / HZ
    const started = Number(f[19]) / HZ
    const elapsed = Math.max(up - started, 0.01)
    rows.push({
      UID: names.get(uid) ?? String(uid),
      PID: String(pid),
      PPID: f[1],
      C: String(Math.floor((cpu / elapsed) * 100)),
      STIME: startTime(new Date((btime + started) * 1000)),
      TTY: ttyName(Number(f[4])),
      TIME: cpuTime(cpu),
      CMD: cmd,
    })
  }
  return rows
}
