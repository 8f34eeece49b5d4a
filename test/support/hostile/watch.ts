// What the hostile-input tests watch on the host: a victim tree that must
// never change, marker paths that must never appear, and a store directory
// (another image's layer) that must never change.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { rand } from '../tsrun'

/** Path, type, mode, inode and content hash of every entry below `dir`, sorted. */
export function treeState(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name)
      const st = fs.lstatSync(p)
      const content = st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 16) : st.isSymbolicLink() ? fs.readlinkSync(p) : ''
      out.push(`${path.relative(dir, p)} ${st.mode.toString(8)} ${st.ino} ${st.nlink} ${content}`)
      if (st.isDirectory()) walk(p)
    }
  }
  out.push(`. ${fs.lstatSync(dir).mode.toString(8)}`)
  walk(dir)
  return out
}

/** A host directory with a file and a closed subdirectory, for payloads to aim at. */
export interface Victim {
  dir: string
  file: string
  subdir: string
  /** Throws (as an assertion message) when anything below `dir` changed. */
  unchanged(): string[]
  remove(): void
}

export function makeVictim(): Victim {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-victim-'))
  const file = path.join(dir, 'file')
  const subdir = path.join(dir, 'dir')
  fs.writeFileSync(file, 'original\n', { mode: 0o600 })
  fs.mkdirSync(subdir, { mode: 0o700 })
  fs.writeFileSync(path.join(subdir, 'inner'), 'inner\n', { mode: 0o600 })
  fs.chmodSync(subdir, 0o700)
  const before = treeState(dir)
  return {
    dir,
    file,
    subdir,
    unchanged: () => {
      const now = treeState(dir)
      return now.filter((l) => !before.includes(l)).concat(before.filter((l) => !now.includes(l)))
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  }
}

/** A prefix under /tmp for files that must never be made, and a check for them. */
export interface Markers {
  prefix: string
  /** Markers that exist (anywhere a payload could land: /tmp and /). */
  found(): string[]
  remove(): void
}

export function makeMarkers(): Markers {
  const prefix = `/tmp/tsrun-pwned-${rand()}`
  const base = path.basename(prefix)
  const scan = () => ['/tmp', '/'].flatMap((d) => fs.readdirSync(d).filter((n) => n.startsWith(base)).map((n) => path.join(d, n)))
  return {
    prefix,
    found: scan,
    remove: () => scan().forEach((p) => fs.rmSync(p, { recursive: true, force: true })),
  }
}
