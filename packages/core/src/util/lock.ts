import * as fs from 'node:fs'
import * as path from 'node:path'
import { lockFile, unlockFile } from '@tsrun/native'

/**
 * Run `fn` holding an exclusive flock on `<locksDir>/<name>.lock`. The kernel
 * drops a flock when its holder dies, so a `tsrun` killed mid-way never leaves
 * a stale lock behind.
 */
export async function withLock<T>(locksDir: string, name: string, fn: () => Promise<T> | T): Promise<T> {
  fs.mkdirSync(locksDir, { recursive: true })
  const fd = lockFile(path.join(locksDir, `${name}.lock`))
  try {
    return await fn()
  } finally {
    unlockFile(fd)
  }
}
