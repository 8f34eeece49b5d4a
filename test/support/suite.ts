// Per-file setup: a fresh TSRUN_ROOT (and optionally the demo:1 image), removed afterwards.
import { afterAll, beforeAll } from 'vitest'
import { newRoot, type Tsrun } from './tsrun'

export interface SuiteOpts {
  /** Import the busybox image as demo:1 before the tests (default true). */
  image?: boolean
}

export interface Suite {
  t: Tsrun
  /** The id `import` printed for demo:1 (`sha256:<hex>`), once beforeAll has run. */
  imageId: () => string
}

export function useRoot(opts: SuiteOpts = {}): Suite {
  const t = newRoot()
  let imageId = ''
  beforeAll(async () => {
    if (opts.image !== false) imageId = await t.importDemo('demo:1')
  }, 120_000)
  afterAll(async () => {
    await t.destroy()
  }, 120_000)
  return { t, imageId: () => imageId }
}

/**
 * For files that need several stores: `freshRoot()` answers a new one each
 * call, and every one made is removed after the file's tests.
 */
export function useFreshRoots(): () => Tsrun {
  const roots: Tsrun[] = []
  afterAll(async () => {
    for (const t of roots) await t.destroy()
  }, 120_000)
  return () => {
    const t = newRoot()
    roots.push(t)
    return t
  }
}
