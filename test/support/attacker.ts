// Attacker programs for the escape tests (test/support/attacker/*.c), built
// statically with the host's C compiler so they run in the busybox image.
// Cached under test/.cache by the hash of their source.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO, SUPPORT } from './tsrun'

/** Path of the built program `name` (test/support/attacker/NAME.c). */
export function attacker(name: string): string {
  const src = path.join(SUPPORT, 'attacker', `${name}.c`)
  const hash = createHash('sha256').update(fs.readFileSync(src)).digest('hex').slice(0, 16)
  const out = path.join(REPO, 'test', '.cache', `${name}-${hash}`)
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true })
    const tmp = `${out}.tmp-${process.pid}`
    execFileSync('cc', ['-static', '-O2', '-Wall', '-o', tmp, src], { stdio: 'pipe' })
    fs.renameSync(tmp, out)
  }
  return out
}
