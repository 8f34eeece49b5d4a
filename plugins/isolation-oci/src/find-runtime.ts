import * as fs from 'node:fs'
import * as path from 'node:path'

/** The OCI runtimes registered by name when found on PATH (as podman's `runtimes` table knows them). */
export const KNOWN_RUNTIMES = ['runc', 'crun', 'youki'] as const

/** Whether `file` is a regular file we may execute. */
export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false
    fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The first `name` on `searchPath` that is an executable file, as its
 * absolute path; undefined when there is none. Only stat(2) and access(2):
 * this runs at every CLI start, so it must cost microseconds.
 */
export function findOnPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(':')) {
    if (!dir || !path.isAbsolute(dir)) continue
    const file = path.join(dir, name)
    if (isExecutable(file)) return file
  }
  return undefined
}
