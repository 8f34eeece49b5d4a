/**
 * `save -o FILE`: the archive is written to a temp file next to FILE (same
 * filesystem, so the final rename is atomic) and becomes FILE only when it
 * is whole and fsynced. Any failure — a directory that does not exist, no
 * permission, a full disk, a read error of a blob — is one error naming
 * FILE, and the temp file is gone (after SIGINT or SIGTERM too).
 *
 * The output path is checked first, as Docker's CLI does: its directory
 * must exist, and FILE, if it exists, must be a regular file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Writable } from 'node:stream'
import { InvalidArgumentError, TsrunError } from '../../errors'
import { releaseTemp, trackTemp } from '../../util/temp-files'
import { errnoText, explainOutOfSpace, isOutOfSpace } from '../../util/write-errors'

/** Write `file` whole or not at all with what `write` sends to the stream it is given. */
export async function writeFileWhole(file: string, what: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const target = path.resolve(file)
  checkOutputPath(file, target)
  const dir = path.dirname(target)
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  let fd: number
  try {
    fd = fs.openSync(tmp, 'wx', 0o644)
  } catch (err) {
    throw new TsrunError(`cannot write ${file}: ${errnoText(err)}`, { cause: err })
  }
  trackTemp(tmp)
  const stream = fs.createWriteStream('', { fd, autoClose: false })
  // Errors surface through the writes and `end` below; an unhandled 'error' event would kill the process.
  stream.on('error', () => undefined)
  try {
    await write(stream)
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())))
    if (stream.errored) throw stream.errored
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fd = -1
    fs.renameSync(tmp, target)
  } catch (err) {
    stream.destroy()
    try {
      if (fd >= 0) fs.closeSync(fd)
    } catch {
      // The stream closed it on its error already.
    }
    fs.rmSync(tmp, { force: true })
    if (err instanceof TsrunError) throw err
    if (isOutOfSpace(err)) throw explainOutOfSpace(err, `${what} to ${file}`, dir, 'free some space there or write the file elsewhere; nothing was written')
    throw new TsrunError(`${what} to ${file} failed: ${errnoText(err)}`, { cause: err })
  } finally {
    releaseTemp(tmp)
  }
}

/**
 * The same for a stream that is not ours to remove (stdout): its errors
 * become one error saying what failed; a full disk names the directory of
 * the file the stream writes to, when there is one.
 */
export async function writeStreamWhole(out: Writable, fd: number | undefined, what: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const onError = () => undefined
  out.on('error', onError)
  try {
    await write(out)
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
    if (out.errored) throw out.errored
  } catch (err) {
    if (err instanceof TsrunError) throw err
    if (isOutOfSpace(err)) {
      const file = fd === undefined ? undefined : fileOf(fd)
      throw explainOutOfSpace(err, what, file ? path.dirname(file) : 'the filesystem it writes to', 'free some space there or write the archive elsewhere')
    }
    throw new TsrunError(`${what} failed: ${errnoText(err)}`, { cause: err })
  } finally {
    out.removeListener('error', onError)
  }
}

/** The file an fd is open on, if it is one (not a pipe or a socket). */
function fileOf(fd: number): string | undefined {
  try {
    const target = fs.readlinkSync(`/proc/self/fd/${fd}`)
    return target.startsWith('/') ? target : undefined
  } catch {
    return undefined
  }
}

/** Docker's `invalid output path` checks, before anything is written. */
export function checkOutputPath(file: string, target = path.resolve(file)): void {
  const dir = path.dirname(target)
  let st: fs.Stats | undefined
  try {
    st = fs.statSync(dir)
  } catch {
    throw new InvalidArgumentError(`invalid output path: directory "${path.dirname(file)}" does not exist`)
  }
  if (!st.isDirectory()) throw new InvalidArgumentError(`invalid output path: "${path.dirname(file)}" is not a directory`)
  try {
    st = fs.statSync(target)
  } catch {
    return
  }
  if (st.isDirectory()) throw new InvalidArgumentError(`invalid output path: "${file}" is a directory; give a file name`)
  if (!st.isFile()) throw new InvalidArgumentError(`invalid output path: "${file}" must be a regular file`)
}
