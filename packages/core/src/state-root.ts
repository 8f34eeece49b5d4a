import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Paths } from './config'

/**
 * Modes of the state roots. Image layers keep their setuid bits and device
 * nodes (containers need them), so a host user who could walk to
 * `storage/overlay/layers/<diffid>/usr/bin/su` would get euid 0, and one who
 * could reach a layer's device node could open it. The roots are therefore
 * closed to other host users, as Docker (0710) and podman (0700) close theirs:
 * the persistent root is 0710 (group traverse is left for the subordinate
 * group of a future rootless mapping, as Docker's userns-remap uses it) and
 * every content directory below it 0700, so even a member of that group
 * reaches no content. The runtime root holds locks only, 0700.
 */
export const ROOT_MODE = 0o710
export const CONTENT_MODE = 0o700

/** Directories directly below the persistent root that hold content or records. */
const CONTENT_DIRS = ['images', 'storage', 'containers', 'volumes', 'names', 'tmp']

/**
 * Make the roots (when missing) with closed modes, and close them when an
 * older tsrun or the user left them open. Called once per CLI call; costs a
 * few mkdir/stat calls when nothing needs fixing. Only the roots and their
 * first level are made and checked: each is a barrier for everything below
 * it, so deeper directories may keep ordinary modes.
 */
export function secureStateRoots(paths: Pick<Paths, 'root' | 'runRoot'>): void {
  ensureDir(paths.root, ROOT_MODE)
  for (const d of CONTENT_DIRS) ensureDir(path.join(paths.root, d), CONTENT_MODE)
  // The runtime root may live under the persistent one (`--root`): fine,
  // it is simply one more closed directory.
  ensureDir(paths.runRoot, CONTENT_MODE)
}

/** Create `dir` (and its parents) with `mode`, or narrow an existing one to it. */
function ensureDir(dir: string, mode: number): void {
  try {
    fs.mkdirSync(dir, { mode })
    fs.chmodSync(dir, mode) // mkdir's mode went through the umask
    return
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      // Parents the user never made (`--root /new/deep/dir`): ordinary
      // directories, as `mkdir -p` makes them; only the root itself is ours.
      fs.mkdirSync(path.dirname(dir), { recursive: true })
      return ensureDir(dir, mode)
    }
    if (code !== 'EEXIST') throw err
  }
  tighten(dir, mode)
}

/** Narrow `dir` to at most `mode` (never widen: a stricter admin choice stays). */
function tighten(dir: string, mode: number): void {
  let st: fs.Stats
  try {
    st = fs.statSync(dir)
  } catch {
    return // not made yet: whoever makes it uses CONTENT_MODE
  }
  if (!st.isDirectory()) return
  const current = st.mode & 0o7777
  if ((current & ~mode) !== 0) fs.chmodSync(dir, current & mode)
}
