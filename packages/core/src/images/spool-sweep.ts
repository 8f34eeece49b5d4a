/**
 * Spool files (`<root>/tmp/blob-<pid>-<ms>-<random>`: downloads, gunzipped
 * archives, decompressed layers being saved) whose writer is gone: a `tsrun`
 * killed with SIGKILL mid-pull, or by a signal before this version removed
 * its own. A file whose writer may still be alive is left alone, so
 * concurrent pulls do not disturb each other; a pid reused by a process
 * started after the file was made does not count as the writer.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writerMayBeAlive } from '../util/process-identity'

const SPOOL_NAME = /^blob-(\d+)-(\d+)-/

/** Bytes of the dead writers' spool files in `tmpDir`; with `remove`, they are deleted too. */
export function sweepSpool(tmpDir: string, remove = true): number {
  let names: string[]
  try {
    names = fs.readdirSync(tmpDir)
  } catch {
    return 0
  }
  let bytes = 0
  for (const name of names) {
    const m = SPOOL_NAME.exec(name)
    if (!m) continue
    const pid = Number(m[1])
    if (pid === process.pid || writerMayBeAlive(pid, Number(m[2]))) continue
    const file = path.join(tmpDir, name)
    try {
      bytes += fs.statSync(file).size
      if (remove) fs.rmSync(file, { force: true })
    } catch {
      // Removed meanwhile by another sweep.
    }
  }
  return bytes
}
