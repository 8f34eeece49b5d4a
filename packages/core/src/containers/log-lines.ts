/**
 * Lines of a log file read in fixed-size chunks, forwards or backwards, so
 * a log of any size (300,000 lines, or gigabytes from a container that
 * filled the disk) is read in constant memory: one chunk plus one line.
 * A line longer than `MAX_LINE` cannot be an entry the monitor wrote (it
 * writes a read buffer's worth per entry) and is skipped unread.
 */
import * as fs from 'node:fs'

const CHUNK = 64 * 1024
/** Longer lines are skipped (a log entry is one read of at most 64 KiB, JSON-escaped). */
export const MAX_LINE = 8 * 1024 * 1024
const NL = 0x0a

/**
 * Offset just past the last newline in [floor, end): where the complete
 * lines end (`floor` when there is none, as with a line still being
 * written). When no newline is found within MAX_LINE of `end`, the tail is
 * no entry and `end` is answered, so readers skip it instead of waiting.
 */
export function completeEnd(fd: number, end: number, floor = 0): number {
  const buf = Buffer.alloc(CHUNK)
  let pos = end
  while (pos > floor) {
    if (end - pos > MAX_LINE) return end
    const n = Math.min(CHUNK, pos - floor)
    fs.readSync(fd, buf, 0, n, pos - n)
    const i = buf.subarray(0, n).lastIndexOf(NL)
    if (i >= 0) return pos - n + i + 1
    pos -= n
  }
  return floor
}

/**
 * Call `visit` for each line of [start, end) of `fd`, first to last (without
 * the newline; the bytes after the last newline count as a line). Stops
 * when `visit` answers false. Awaits `visit` when it answers a promise (a
 * writer waiting for its output to drain).
 */
export async function forwardLines(fd: number, start: number, end: number, visit: (line: Buffer) => boolean | void | Promise<boolean | void>): Promise<void> {
  const buf = Buffer.alloc(CHUNK)
  let carry: Buffer[] = []
  let carried = 0
  let skipping = false
  let pos = start
  while (pos < end) {
    const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, end - pos), pos)
    if (n <= 0) break
    pos += n
    let from = 0
    for (let i = buf.indexOf(NL, 0); i >= 0 && i < n; i = buf.indexOf(NL, i + 1)) {
      const piece = buf.subarray(from, i)
      const tooLong = skipping || carried + piece.length > MAX_LINE
      const line = tooLong ? undefined : carried ? Buffer.concat([...carry, piece]) : piece
      carry = []
      carried = 0
      skipping = false
      from = i + 1
      if (line && (await visit(line)) === false) return
    }
    if (from < n && !skipping) {
      carried += n - from
      if (carried > MAX_LINE) {
        carry = []
        carried = 0
        skipping = true
      } else {
        carry.push(Buffer.from(buf.subarray(from, n)))
      }
    }
  }
  if (carried && !skipping) await visit(Buffer.concat(carry))
}

/**
 * Call `visit(line, lineStart)` for each line of [0, end) of `fd`, last to
 * first. Stops when `visit` answers false. Answers whether it stopped.
 */
export function backwardLines(fd: number, end: number, visit: (line: Buffer, lineStart: number) => boolean): boolean {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let skipping = false
  let pos = end
  while (pos > 0) {
    const n = Math.min(CHUNK, pos)
    const chunk = Buffer.alloc(n)
    fs.readSync(fd, chunk, 0, n, pos - n)
    pos -= n
    let j = n
    for (let k = chunk.lastIndexOf(NL, n - 1); k >= 0; k = k > 0 ? chunk.lastIndexOf(NL, k - 1) : -1) {
      const tooLong = skipping || pendingBytes + (j - k - 1) > MAX_LINE
      const line = tooLong ? undefined : pendingBytes ? Buffer.concat([chunk.subarray(k + 1, j), ...pending]) : chunk.subarray(k + 1, j)
      pending = []
      pendingBytes = 0
      skipping = false
      j = k
      if (line && !visit(line, pos + k + 1)) return true
    }
    if (j > 0 && !skipping) {
      pendingBytes += j
      if (pendingBytes > MAX_LINE) {
        pending = []
        pendingBytes = 0
        skipping = true
      } else {
        pending.unshift(chunk.subarray(0, j))
      }
    }
  }
  if (!skipping && (pendingBytes || end > 0)) return !visit(Buffer.concat(pending), 0)
  return false
}
