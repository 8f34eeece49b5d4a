// Small filesystems for disk-full tests: a tmpfs of a given size mounted
// on a fresh directory (the tests run as root), unmounted afterwards.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll } from 'vitest'

export interface Tmpfs {
  dir: string
  /** Free bytes left. */
  free(): number
}

/** `mountTmpfs('12m')` in a test file: a fresh tmpfs each call, all unmounted after the file's tests. */
export function useTmpfs(): (size: string, opts?: { readOnly?: boolean }) => Tmpfs {
  const mounted: string[] = []
  afterAll(() => {
    for (const dir of mounted) {
      spawnSync('umount', ['-l', dir])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
  return (size, opts = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-tmpfs-'))
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${opts.readOnly ? ',ro' : ''}`, 'tmpfs', dir], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${r.stderr}`)
    mounted.push(dir)
    return { dir, free: () => fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize }
  }
}
