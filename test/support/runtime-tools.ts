// Running opencontainers/runtime-tools' validation suite (built by
// runtime-tools.sh) against an OCI runtime, and reading its TAP output.
import { execFileSync, spawnSync } from 'node:child_process'
import * as os from 'node:os'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { exec, SUPPORT } from './tsrun'

/** One validation executable's outcome. */
export interface SuiteResult {
  name: string
  ok: number
  notOk: number
  /** The `not ok` lines, with their first diagnostic line. */
  failures: string[]
  /** Mounts the run left on the host under its bundles (unmounted afterwards, so the machine stays clean). */
  leftMounts: string[]
}

let dir: string | undefined
/** The directory with runtimetest, the rootfs and validation/*\/*.t (built once). */
export function runtimeToolsDir(): string {
  dir ??= execFileSync(path.join(SUPPORT, 'runtime-tools.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()
  return dir
}

/** Every validation test, in name order. */
export function validationTests(): string[] {
  const base = path.join(runtimeToolsDir(), 'validation')
  return fs
    .readdirSync(base)
    .filter((d) => fs.existsSync(path.join(base, d, `${d}.t`)))
    .sort()
}

/** Run one validation test against `runtime`, counting TAP results. */
export async function runValidation(name: string, runtime: string): Promise<SuiteResult> {
  const d = runtimeToolsDir()
  // The suite makes its bundles under TMPDIR (Go's os.TempDir): a private one per run shows what the runtime left there.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-rtools-'))
  let r: Awaited<ReturnType<typeof exec>> | undefined
  let leftMounts: string[] = []
  try {
    r = await exec(path.join(d, 'validation', name, `${name}.t`), [], { cwd: d, env: { RUNTIME: runtime, TMPDIR: tmp }, timeout: 180_000 })
  } finally {
    leftMounts = mountsUnder(tmp)
    // Deepest first, lazily: a runtime that mounted in the host's namespace (runc, for a spec without a mount namespace) leaves them.
    for (const m of [...leftMounts].sort().reverse()) spawnSync('umount', ['-l', m])
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  const lines = `${r!.stdout}\n${r!.stderr}`.split('\n')
  const failures: string[] = []
  let ok = 0
  let notOk = 0
  lines.forEach((l, i) => {
    if (/^ok \d+/.test(l)) ok++
    if (/^not ok \d+/.test(l)) {
      notOk++
      const why = lines.slice(i + 1, i + 8).find((x) => /^#|"error"|"stderr"/.test(x.trim()))
      failures.push(`${l}${why ? ` (${why.trim()})` : ''}`)
    }
  })
  return { name, ok, notOk, failures, leftMounts: leftMounts.map((m) => m.slice(tmp.length)) }
}

/** Mount points at or below `dir`, from the host's mount table. */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
}
