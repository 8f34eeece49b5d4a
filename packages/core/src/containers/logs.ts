import * as fs from 'node:fs'
import { rfc3339Nano } from '../util/time-arg'

/** One line of the json-file log the monitor writes. */
export interface LogEntry {
  log: string
  stream: 'stdout' | 'stderr'
  time: string
}

export interface LogReadOptions {
  /** Only the last N entries (of what exists when reading starts). */
  tail?: number
  /** Keep reading as the log grows, until `stillRunning` answers false. */
  follow?: boolean
  /** Nanoseconds since the epoch: skip entries written before. */
  sinceNano?: number
  /** Nanoseconds since the epoch: skip entries written after (a follow ends there). */
  untilNano?: number
}

/**
 * The files of a rotated log, oldest first: `container.log.N` ... `.1`,
 * then `container.log` (the shim's rotation, logfile.rs).
 */
export function logFiles(file: string): string[] {
  const rotated: string[] = []
  for (let i = 1; fs.existsSync(`${file}.${i}`); i++) rotated.unshift(`${file}.${i}`)
  return [...rotated, file]
}

/** Reads one file from an offset, keeping a partial last line for later. */
class Cursor {
  offset = 0
  partial = ''
  constructor(readonly fd: number, readonly ino: number) {}

  static open(file: string): Cursor | undefined {
    try {
      const fd = fs.openSync(file, 'r')
      return new Cursor(fd, fs.fstatSync(fd).ino)
    } catch {
      return undefined
    }
  }

  /** Complete lines added since the last call (all of them when `final`). */
  lines(final: boolean): string[] {
    const size = fs.fstatSync(this.fd).size
    let text = this.partial
    if (size > this.offset) {
      const buf = Buffer.alloc(size - this.offset)
      fs.readSync(this.fd, buf, 0, buf.length, this.offset)
      this.offset = size
      text += buf.toString('utf8')
    }
    const parts = text.split('\n')
    this.partial = final ? '' : parts.pop() ?? ''
    return parts.filter((l) => l.trim())
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

/**
 * Read a container's log, across rotated files, and hand each entry to
 * `emit`. Following polls; when the shim rotates the file (a new inode at
 * the path), the old one is read to its end before the new one, so no line
 * is lost or repeated. It ends once the container has stopped and the file
 * is drained (the monitor writes the exit only after draining all output).
 */
export async function readLog(file: string, opts: LogReadOptions, stillRunning: () => Promise<boolean>, emit: (e: LogEntry) => void): Promise<void> {
  let pastUntil = false
  const keep = (e: LogEntry): boolean => {
    if (opts.sinceNano === undefined && opts.untilNano === undefined) return true
    const t = rfc3339Nano(e.time)
    if (opts.untilNano !== undefined && t > opts.untilNano) {
      pastUntil = true
      return false
    }
    return opts.sinceNano === undefined || t >= opts.sinceNano
  }
  const parse = (lines: string[]) => lines.map(parseLine).filter((e): e is LogEntry => e !== undefined).filter(keep)

  const files = logFiles(file)
  const backlog: LogEntry[] = []
  for (const f of files.slice(0, -1)) {
    const c = Cursor.open(f)
    if (!c) continue
    backlog.push(...parse(c.lines(true)))
    c.close()
  }
  let cur = Cursor.open(file)
  if (cur) backlog.push(...parse(cur.lines(false)))
  const tail = opts.tail
  ;(tail === undefined ? backlog : tail <= 0 ? [] : backlog.slice(-tail)).forEach(emit)
  if (!opts.follow) {
    cur?.close()
    return
  }
  try {
    for (;;) {
      if (pastUntil) return
      const running = await stillRunning()
      // Rotated (or created) meanwhile: finish the old file, then start the new one.
      let ino: number | undefined
      try {
        ino = fs.statSync(file).ino
      } catch {
        ino = undefined
      }
      if (ino !== undefined && ino !== cur?.ino) {
        if (cur) {
          parse(cur.lines(true)).forEach(emit)
          cur.close()
        }
        cur = Cursor.open(file)
      }
      if (cur) parse(cur.lines(!running)).forEach(emit)
      if (!running) return
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    cur?.close()
  }
}

function parseLine(line: string): LogEntry | undefined {
  try {
    return JSON.parse(line) as LogEntry
  } catch {
    return undefined
  }
}
