import * as fs from 'node:fs'
import * as path from 'node:path'
import { pidAlive, processStartTime, sameProcessAlive } from '../util/pid-alive'

/** A marker of a creator whose liveness cannot be judged (another pid namespace) stands this long. */
const FOREIGN_MARKER_MS = 60 * 60 * 1000

/** This process's pid namespace (`4026531836`), so a pid from another one is never judged here. */
let ownPidNamespace: string | undefined
function pidNamespace(): string {
  if (ownPidNamespace === undefined) {
    try {
      ownPidNamespace = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0'
    } catch {
      ownPidNamespace = '0'
    }
  }
  return ownPidNamespace
}

/**
 * "A create is making container <id>": `containers/.creating/<id>`, a
 * symlink whose target is the creator's `<pid>.<start time>.<pid namespace>`
 * (a tsrun in a container sharing this store has pids that mean nothing
 * here: its markers are left alone for an hour, as before markers). symlink(2)
 * makes the link and its content in one step, so there is never a marker a
 * reader cannot judge (a file would exist empty between its open and its
 * write). `create` makes it before the container directory and removes it
 * after the record, so a directory without a record is a live create exactly
 * while its marker names a live process (pid and start time: a reused pid is
 * not taken for the creator), and a dead one's is reclaimable at once.
 */
export class CreateMarkers {
  constructor(private readonly dir: string) {}

  /** Mark `id` as being created by this process. */
  mark(id: string): void {
    const target = `${process.pid}.${processStartTime(process.pid) ?? 0}.${pidNamespace()}`
    for (;;) {
      fs.mkdirSync(this.dir, { recursive: true })
      try {
        fs.symlinkSync(target, this.path(id))
        return
      } catch (err) {
        // The directory was removed as empty by another tsrun just now: make it again.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
  }

  /** Forget the marker; the directory goes too once empty, so a quiet store holds none of this. */
  unmark(id: string): void {
    fs.rmSync(this.path(id), { force: true })
    removeIfEmpty(this.dir)
  }

  /** `alive`: its creator runs; `dead`: it was killed mid-way; `none`: no create marked it. */
  creator(id: string): 'alive' | 'dead' | 'none' {
    let target: string
    try {
      target = fs.readlinkSync(this.path(id))
    } catch {
      return 'none'
    }
    const [pid, start, ns] = target.split('.')
    if (ns !== undefined && ns !== pidNamespace()) return this.olderThan(id, FOREIGN_MARKER_MS) ? 'dead' : 'alive'
    return processJudged(Number(pid), Number(start)) ? 'alive' : 'dead'
  }

  private olderThan(id: string, ms: number): boolean {
    try {
      return Date.now() - fs.lstatSync(this.path(id)).mtimeMs > ms
    } catch {
      return false
    }
  }

  /** Every id with a marker. */
  ids(): string[] {
    try {
      return fs.readdirSync(this.dir)
    } catch {
      return []
    }
  }

  private path(id: string): string {
    return path.join(this.dir, id)
  }
}

/** Start time 0: /proc could not be read when the marker was made; the pid alone must do. */
function processJudged(pid: number, start: number): boolean {
  return start ? sameProcessAlive(pid, start) : pidAlive(pid)
}

/** rmdir, when nothing is in it (another tsrun's entry keeps it: ENOTEMPTY is fine). */
export function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir)
  } catch {
    // Not empty, or gone already.
  }
}
