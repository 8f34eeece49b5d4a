import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * Write a file so that a reader sees either the old content or the new, never
 * a torn one, even across a crash: temp file in the same directory, fsync,
 * rename, fsync of the directory.
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const fd = fs.openSync(tmp, 'wx', mode)
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data)
    fs.fsyncSync(fd)
  } catch (err) {
    // A full disk must not leave the half-written temp file behind.
    fs.closeSync(fd)
    fs.rmSync(tmp, { force: true })
    throw err
  }
  fs.closeSync(fd)
  try {
    fs.renameSync(tmp, file)
  } catch (err) {
    fs.rmSync(tmp, { force: true })
    throw err
  }
  syncDir(dir)
}

/** JSON flavour of writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown, mode = 0o644): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', mode)
}

/** Read a JSON file; undefined when it does not exist. */
export function readJson<T>(file: string): T | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return JSON.parse(text) as T
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
