/**
 * Remove spool files (`<root>/tmp/blob-<pid>-...`) left by a `tsrun` that was
 * killed mid-download. A file whose writer is still alive is left alone, so
 * concurrent pulls do not disturb each other.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { ImageStore } from './image-store'
import { pidAlive } from '../util/pid-alive'

export function sweepSpool(store: ImageStore): void {
  const dir = path.dirname(store.tmpPath())
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    const pid = Number(/^blob-(\d+)-/.exec(name)?.[1])
    if (!pid || pid === process.pid || pidAlive(pid)) continue
    fs.rmSync(path.join(dir, name), { force: true })
  }
}
