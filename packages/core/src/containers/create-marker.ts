import * as fs from 'node:fs'
import * as path from 'node:path'
import { pidAlive, processStartTime, sameProcessAlive } from '../util/pid-alive'

/**
 * "A create is making container <id>": `containers/.creating/<id>`, a
 * symlink whose target is the creator's `<pid>.<start time>`. symlink(2)
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
    const target = `${process.pid}.${processStartTime(process.pid) ?? 0}`
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
    const [pid, start] = target.split('.').map(Number)
    // Start time 0: /proc could not be read when it was made; the pid alone must do.
    return (start ? sameProcessAlive(pid, start) : pidAlive(pid)) ? 'alive' : 'dead'
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

/** rmdir, when nothing is in it (another tsrun's entry keeps it: ENOTEMPTY is fine). */
export function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir)
  } catch {
    // Not empty, or gone already.
  }
}
