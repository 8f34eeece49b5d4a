/**
 * Temp files and directories this process is writing (a pull's spool file,
 * a gunzipped archive, an archive being saved, an unpack in progress, an
 * operation's lease), removed when SIGINT, SIGTERM or SIGHUP ends the
 * process: a pull stalled on a slow registry and stopped with Ctrl-C must
 * not leave its spool file behind.
 *
 * The handlers are installed only while something is tracked, so commands
 * that handle signals themselves afterwards (`run` forwards them to the
 * container) are not disturbed. After cleaning up, the process dies of the
 * same signal, so its parent sees what happened (exit 130 / 143 in a shell).
 * A `kill -9` cannot be caught: those names carry the pid, and the next
 * garbage collection removes the files of dead processes (spool-sweep.ts).
 */
import * as fs from 'node:fs'

const live = new Set<string>()
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
let installed = false

/** Remove `p` (file or directory) if a signal ends the process before `releaseTemp(p)`. */
export function trackTemp(p: string): void {
  live.add(p)
  if (installed) return
  installed = true
  for (const sig of SIGNALS) process.on(sig, onSignal)
}

/** `p` was renamed into place or removed: a signal no longer concerns it. */
export function releaseTemp(p: string): void {
  live.delete(p)
  if (!live.size) uninstall()
}

function uninstall(): void {
  if (!installed) return
  installed = false
  for (const sig of SIGNALS) process.removeListener(sig, onSignal)
}

function onSignal(sig: NodeJS.Signals): void {
  for (const p of live) {
    try {
      fs.rmSync(p, { recursive: true, force: true })
    } catch {
      // A native unpack may still be writing into it: the sweep of dead pids finishes the job.
    }
  }
  live.clear()
  uninstall()
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig)
}
