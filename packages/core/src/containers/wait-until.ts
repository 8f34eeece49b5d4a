import * as fs from 'node:fs'

/**
 * Poll `check` until it answers true or `timeoutMs` passes. When `watchDir` is
 * given, a change in it wakes the poll at once (the monitor writes its state
 * file there), so waiting costs no busy loop and no latency.
 */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, watchDir?: string): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let wake: (() => void) | undefined
  let watcher: fs.FSWatcher | undefined
  if (watchDir) {
    try {
      watcher = fs.watch(watchDir, () => wake?.())
      watcher.on('error', () => undefined)
    } catch {
      watcher = undefined
    }
  }
  try {
    for (;;) {
      if (await check()) return true
      const left = deadline - Date.now()
      if (left <= 0) return false
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, watcher ? 500 : 100))
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  } finally {
    watcher?.close()
  }
}
