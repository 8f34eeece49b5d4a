import * as fs from 'node:fs'

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
}

/**
 * Read a container's log and hand each entry to `emit`. Following polls the
 * file's size; it ends once the container has stopped and the file is drained
 * (the monitor writes the exit only after draining all output).
 */
export async function readLog(file: string, opts: LogReadOptions, stillRunning: () => Promise<boolean>, emit: (e: LogEntry) => void): Promise<void> {
  let offset = 0
  let partial = ''
  const drain = (final: boolean, tail?: number): void => {
    let size: number
    try {
      size = fs.statSync(file).size
    } catch {
      return
    }
    if (size <= offset) return
    const fd = fs.openSync(file, 'r')
    const buf = Buffer.alloc(size - offset)
    fs.readSync(fd, buf, 0, buf.length, offset)
    fs.closeSync(fd)
    offset = size
    const text = partial + buf.toString('utf8')
    const lines = text.split('\n')
    partial = final ? '' : lines.pop() ?? ''
    let entries = lines.filter((l) => l.trim()).map(parseLine).filter((e): e is LogEntry => e !== undefined)
    if (tail !== undefined) entries = tail <= 0 ? [] : entries.slice(-tail)
    entries.forEach(emit)
  }
  drain(false, opts.tail)
  if (!opts.follow) return
  for (;;) {
    const running = await stillRunning()
    drain(!running)
    if (!running) return
    await new Promise((r) => setTimeout(r, 100))
  }
}

function parseLine(line: string): LogEntry | undefined {
  try {
    return JSON.parse(line) as LogEntry
  } catch {
    return undefined
  }
}
