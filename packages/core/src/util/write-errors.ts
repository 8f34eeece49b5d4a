/**
 * Write failures told as what they are. A full disk surfaces as an errno
 * code on whichever write hit it (a stream's `write`, a native unpack, a
 * rename's fsync), with a message that names a temp file or nothing at all;
 * left alone it reads like a corrupt archive or a bare "ENOSPC". These
 * helpers turn it into one line saying what ran out and where, so the user
 * knows which filesystem to free.
 */
import { TsrunError } from '../errors'

/** A filesystem (or a quota on it) is full. Nothing half-written is left; the message names the directory. */
export class OutOfSpaceError extends TsrunError {}

const FULL = new Set(['ENOSPC', 'EDQUOT'])

/** Whether `err` is "no space left on device" or "disk quota exceeded". */
export function isOutOfSpace(err: unknown): boolean {
  return FULL.has((err as NodeJS.ErrnoException | undefined)?.code ?? '')
}

/** What to do about a full store. */
const STORE_ADVICE = 'free some space there (or use --root on a larger filesystem) and run the command again'

/**
 * `err` as an OutOfSpaceError when the disk is full, else `err` itself.
 * `what` says what was being written (`decompressing demo.tar.gz`), `dir`
 * the directory whose filesystem is full, `advice` what to do (by default:
 * the store's advice).
 */
export function explainOutOfSpace(err: unknown, what: string, dir: string, advice = STORE_ADVICE): unknown {
  if (!isOutOfSpace(err)) return err
  const reason = (err as NodeJS.ErrnoException).code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'
  return new OutOfSpaceError(`${what}: ${reason} in ${dir}; ${advice}`, { cause: err })
}

/**
 * The human part of a Node or native system error ("no such file or
 * directory" from "ENOENT: no such file or directory, open '/x'"), for
 * messages that name the path themselves.
 */
export function errnoText(err: unknown): string {
  const message = (err as Error | undefined)?.message ?? String(err)
  const node = /^E[A-Z0-9]+: (.*?)(?:, [a-z_]+(?: '.*')?)?$/.exec(message)
  if (node) return node[1]
  const native = /: ([a-z][^:]*)$/.exec(message)
  return native ? native[1] : message
}
