// Killing real tsrun processes at chosen moments, for the crash tests: no
// hook or environment variable inside tsrun picks the moment, a timer here
// does, spread over how long the call takes when left alone.
import * as fs from 'node:fs'
import type { Tsrun } from './tsrun'

/** What became of a call we meant to kill. */
export interface KillOutcome {
  /** It was still running when the signal went (false: it had finished first). */
  killed: boolean
  /** Its exit code when it finished by itself. */
  code: number | null
  stderr: string
}

/**
 * Run `tsrun args`, send it `signal` (SIGKILL by default) after `delayMs`,
 * and resolve once it has exited and been reaped. bin/tsrun execs node, so
 * the signal reaches tsrun itself (not a wrapper); the processes tsrun
 * started (a container's monitor) are left as a crash leaves them.
 */
export function killAfter(t: Tsrun, args: string[], delayMs: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<KillOutcome> {
  const child = t.spawn(args)
  let stderr = ''
  child.stdout!.resume()
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  let killed = false
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      killed = true
      child.kill(signal)
    }
  }, delayMs)
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ killed: killed && code === null, code, stderr })
    })
  })
}

/**
 * A moment in a call, seen from outside through inotify: `seen()` is checked
 * at every change in `dir` (which must exist) and the moment is the first
 * time it holds. For windows too narrow to hit by timing the whole call,
 * such as the milliseconds between a container directory's mkdir and its
 * record.
 */
export interface Moment {
  dir: string
  seen: () => boolean
}

function watchFor(moment: Moment, onSeen: () => void): fs.FSWatcher {
  let fired = false
  const watcher = fs.watch(moment.dir, () => {
    if (fired || !moment.seen()) return
    fired = true
    onSeen()
  })
  // The watched directory may go away (a removal): that ends the watch, not the test.
  watcher.on('error', () => undefined)
  return watcher
}

/** Like killAfter, but the clock starts at `moment`; a call in which it never comes runs to its end. */
export function killAfterMoment(t: Tsrun, args: string[], moment: Moment, delayMs: number): Promise<KillOutcome & { seen: boolean }> {
  const child = t.spawn(args)
  let stderr = ''
  child.stdout!.resume()
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  let killed = false
  let seen = false
  let timer: NodeJS.Timeout | undefined
  const watcher = watchFor(moment, () => {
    seen = true
    timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        killed = true
        child.kill('SIGKILL')
      }
    }, delayMs)
  })
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer)
      watcher.close()
      resolve({ killed: killed && code === null, code, stderr, seen })
    })
  })
}

/** How long `tsrun args` runs on after `moment`, in ms (0 when it never comes). Fails unless the call succeeds. */
export async function msAfterMoment(t: Tsrun, args: string[], moment: Moment): Promise<number> {
  let at: bigint | undefined
  const watcher = watchFor(moment, () => (at = process.hrtime.bigint()))
  await t.ok(args)
  const end = process.hrtime.bigint()
  watcher.close()
  return at === undefined ? 0 : Number(end - at) / 1e6
}

/** Wall time of one call, in ms. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Median of `times` measurements of `fn` (each followed by `undo`, untimed). */
export async function medianMs(fn: () => Promise<unknown>, undo: () => Promise<unknown>, times = 3): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < times; i++) {
    ms.push(await timeMs(fn))
    await undo()
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]
}

/** `n` delays spread evenly over `durationMs` (the middle of each of n equal slices). */
export function spread(durationMs: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round((durationMs * (i + 0.5)) / n))
}

/**
 * A seeded generator of floats in [0, 1) (mulberry32): the same seed gives
 * the same sequence, so a storm that failed can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
