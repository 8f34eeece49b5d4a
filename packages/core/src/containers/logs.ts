import * as fs from 'node:fs'
import { rfc3339Nano } from '../util/time-arg'
import { backwardLines, completeEnd, forwardLines } from './log-lines'

/** One line of the json-file (or k8s-file) log the monitor writes. */
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

/** Where logs go, entry by entry; `flush` is called before a follow waits for more and at the end. */
export interface LogSink {
  entry(e: LogEntry): void | Promise<void>
  flush?(): void | Promise<void>
}

/** The --since/--until window. Entries are in time order, so the first one past --until ends the reading. */
class TimeWindow {
  pastUntil = false
  constructor(private readonly opts: LogReadOptions) {}

  /** 'before' --since, 'after' --until, or 'in'. */
  place(e: LogEntry): 'before' | 'in' | 'after' {
    if (this.opts.sinceNano === undefined && this.opts.untilNano === undefined) return 'in'
    const t = rfc3339Nano(e.time)
    if (this.opts.untilNano !== undefined && t > this.opts.untilNano) return 'after'
    return this.opts.sinceNano !== undefined && t < this.opts.sinceNano ? 'before' : 'in'
  }

  /** Whether to show `e`; notes when the window has closed. */
  keep(e: LogEntry): boolean {
    const where = this.place(e)
    if (where === 'after') this.pastUntil = true
    return where === 'in'
  }
}

/** A log file open for reading from `offset` on; it keeps following the inode even after a rotation renames it. */
class Cursor {
  constructor(
    readonly fd: number,
    readonly ino: number,
    public offset = 0,
  ) {}

  static open(file: string): Cursor | undefined {
    try {
      const fd = fs.openSync(file, 'r')
      return new Cursor(fd, fs.fstatSync(fd).ino)
    } catch {
      return undefined
    }
  }

  /** Offset where the complete lines end now (all of it when `final`: nothing more will be written). */
  end(final: boolean): number {
    const size = fs.fstatSync(this.fd).size
    return final ? size : Math.max(this.offset, completeEnd(this.fd, size, this.offset))
  }

  /** Hand every line from the offset up to `end` to `visit`, in chunks, and move past them. */
  async drainTo(end: number, visit: (line: Buffer) => boolean | void | Promise<boolean | void>): Promise<void> {
    if (end > this.offset) await forwardLines(this.fd, this.offset, end, visit)
    this.offset = Math.max(this.offset, end)
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}

/**
 * Read a container's log, across rotated files, and hand each entry to
 * `sink`, in constant memory whatever the size: files are read in chunks,
 * and `--tail N` first walks back from the end of the newest file (then the
 * older ones) to where the last N entries start, then reads forward from
 * there. Following polls; when the shim rotates the file (a new inode at
 * the path), the old one is read to its end before the new one, so no line
 * is lost or repeated. It ends once the container has stopped and the file
 * is drained (the monitor writes the exit only after draining all output).
 */
export async function readLog(file: string, opts: LogReadOptions, stillRunning: () => Promise<boolean>, sink: LogSink): Promise<void> {
  const window = new TimeWindow(opts)
  const show = async (line: Buffer): Promise<boolean> => {
    const e = parseLine(line)
    if (e && window.keep(e)) await sink.entry(e)
    return !window.pastUntil
  }
  // Every file is opened first: a rotation while we read renames them, and the fds keep what we started with.
  const rotated = logFiles(file)
    .slice(0, -1)
    .map((f) => Cursor.open(f))
    .filter((c): c is Cursor => c !== undefined)
  let cur = Cursor.open(file)
  const cursors = cur ? [...rotated, cur] : rotated
  // The current file's last line may be half-written: it waits for the follow, or is never shown.
  const ends = cursors.map((c) => c.end(c !== cur))
  try {
    if (opts.tail !== undefined) seekTail(cursors, ends, opts.tail, window)
    for (const [i, c] of cursors.entries()) {
      if (!window.pastUntil) await c.drainTo(ends[i], show)
    }
    await sink.flush?.()
  } finally {
    for (const c of rotated) c.close()
  }
  if (!opts.follow || window.pastUntil) {
    cur?.close()
    return
  }
  try {
    for (;;) {
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
          await cur.drainTo(cur.end(true), show)
          cur.close()
        }
        cur = Cursor.open(file)
      }
      if (cur && !window.pastUntil) await cur.drainTo(cur.end(!running), show)
      await sink.flush?.()
      if (!running || window.pastUntil) return
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    cur?.close()
  }
}

/**
 * Move the cursors so that reading forward from them shows the last `tail`
 * entries in the window: walk back line by line from `ends`, newest file
 * first, counting the entries the window keeps, until `tail` are counted or
 * an entry before --since is met (all older ones are too). Files wholly
 * before the start are skipped by moving their cursor to their end.
 */
function seekTail(cursors: Cursor[], ends: number[], tail: number, window: TimeWindow): void {
  let counted = 0
  let found = false
  for (let i = cursors.length - 1; i >= 0 && !found; i--) {
    let start = ends[i]
    if (tail > 0) {
      backwardLines(cursors[i].fd, ends[i], (line, lineStart) => {
        const e = parseLine(line)
        if (!e) return true
        const where = window.place(e)
        if (where === 'before') {
          found = true
          return false
        }
        if (where === 'in') {
          start = lineStart
          if (++counted >= tail) {
            found = true
            return false
          }
        }
        return true
      })
    } else {
      found = true
    }
    cursors[i].offset = found ? start : 0
    if (found) for (let j = 0; j < i; j++) cursors[j].offset = ends[j]
  }
}

/** podman's k8s-file line (the CRI format): `TIME STREAM F|P TEXT`, `P` a part without its newline. */
const K8S_LINE = /^(\S+) (stdout|stderr) ([FP]) ([\s\S]*)$/

function parseLine(line: Buffer): LogEntry | undefined {
  if (line.length === 0) return undefined
  if (line[0] !== 0x7b) {
    const m = K8S_LINE.exec(line.toString('utf8'))
    return m ? { time: m[1], stream: m[2] as LogEntry['stream'], log: m[3] === 'F' ? `${m[4]}\n` : m[4] } : undefined
  }
  try {
    const e = JSON.parse(line.toString('utf8')) as LogEntry
    return typeof e === 'object' && e !== null && typeof e.log === 'string' && typeof e.time === 'string' ? e : undefined
  } catch {
    return undefined
  }
}
