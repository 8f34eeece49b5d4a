// Issue 17.2 (CVE-2019-5736 and its variants): a process in a container
// hunts for the host's tsrun-shim through every /proc path it can see
// (/proc/PID/exe and /proc/PID/map_files/* of every process) while the
// engine execs into the container (plain, with a TTY, and a
// `#!/proc/self/exe` script that makes the kernel run the exec'ing
// process's own binary), with --init and without, with CAP_SYS_ADMIN (which
// opens map_files) and without; then its monitor is killed (so nothing runs
// the binary any more: no ETXTBSY) and it tries to reopen everything it got
// for writing. It must never reach the host's binary, and every copy of
// tsrun-shim it reaches must be sealed.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { attacker } from '../support/attacker'
import { lines, REPO, show, sleep, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const SHIM = path.join(REPO, 'packages', 'native', 'bin', 'tsrun-shim')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-exe-grab-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

function sha256(p: string): string {
  return createHash('sha256').update(fs.readFileSync(p)).digest('hex')
}

/** A bind-mounted directory with the attacker and a `#!/proc/self/exe` script. */
function arena(name: string): string {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  fs.copyFileSync(attacker('exe-grab'), path.join(dir, 'exe-grab'))
  fs.chmodSync(path.join(dir, 'exe-grab'), 0o755)
  fs.writeFileSync(path.join(dir, 'selfexe'), '#!/proc/self/exe\n', { mode: 0o755 })
  return dir
}

function monitorPid(id: string): number {
  const st = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'shim.json'), 'utf8'))
  return st.monitorPid
}

interface Hunt {
  report: string[]
  /** What the attacker reached, kind -> paths. */
  reached: Record<string, string[]>
}

/**
 * Start the attacker as the container's command (behind `--init` when
 * asked), exec into the container meanwhile, kill the monitor, let the
 * attacker try its writes, and answer its report.
 */
async function hunt(name: string, extra: string[]): Promise<Hunt> {
  const dir = arena(name)
  const st = fs.statSync(SHIM)
  const before = sha256(SHIM)
  const r = await t.run(['run', '-d', '--name', name, '-v', `${dir}:/a`, ...extra, 'demo:1',
    '/a/exe-grab', '4', String(st.dev), String(st.ino), '/a/go', '/a/report'])
  expect(r.code, show(r)).toBe(0)
  const id = r.stdout.trim()
  await waitFor(() => fs.existsSync(path.join(dir, 'report')), 'the attacker to start')
  // The engine enters the container while the attacker scans.
  for (let i = 0; i < 6; i++) {
    expect((await t.run(['exec', name, 'true'])).code).toBe(0)
    expect((await t.run(['exec', '-t', name, 'true'])).code).toBe(0)
    // The kernel runs the exec'ing process's own binary for this script:
    // that must be a sealed copy, which then refuses these arguments.
    const self = await t.run(['exec', name, '/a/selfexe'])
    expect(self.code, show(self)).not.toBe(0)
  }
  await waitFor(() => fs.readFileSync(path.join(dir, 'report'), 'utf8').includes('SCANNED'), 'the scan to end', 30_000)
  process.kill(monitorPid(id), 'SIGKILL')
  await sleep(200)
  fs.writeFileSync(path.join(dir, 'go'), '')
  await waitFor(() => fs.readFileSync(path.join(dir, 'report'), 'utf8').includes('DONE'), 'the attacker to finish')
  const report = lines(fs.readFileSync(path.join(dir, 'report'), 'utf8'))
  expect(sha256(SHIM), 'the host binary changed').toBe(before)
  await t.run(['rm', '-f', name])
  const reached: Record<string, string[]> = {}
  for (const l of report) {
    const [kind, where] = l.split(' ')
    ;(reached[kind] ??= []).push(where)
  }
  return { report, reached }
}

function expectHeld(h: Hunt) {
  const report = h.report.join('\n')
  expect(h.reached.HOST ?? [], `reached the host binary:\n${report}`).toEqual([])
  expect(h.reached['WRITE-OK'] ?? [], `wrote a copy:\n${report}`).toEqual([])
  expect(Number(h.report.find((l) => l.startsWith('SCANNED'))?.split(' ')[1]), 'the attacker scanned').toBeGreaterThan(100)
  // What it did reach of ours was refused for writing, one line each.
  const sealed = h.reached.SEALED ?? []
  expect(h.reached['WRITE-REFUSED'] ?? []).toEqual(expect.arrayContaining(sealed))
}

describe('a container cannot reach the host runtime binary', () => {
  it('with --init: PID 1 is a sealed copy, and so is every exec the attacker catches', async () => {
    const h = await hunt('hunt-init', ['--init'])
    expectHeld(h)
    // The attacker does reach PID 1's binary: it is the sealed copy.
    expect(h.reached.SEALED, h.report.join('\n')).toContain('/proc/1/exe')
  })

  it('without --init, the attacker as PID 1', async () => {
    expectHeld(await hunt('hunt-plain', []))
  })

  it('with --cap-add SYS_ADMIN (map_files readable) and --init', async () => {
    const h = await hunt('hunt-admin', ['--cap-add', 'SYS_ADMIN', '--init'])
    expectHeld(h)
    expect(h.reached.SEALED, h.report.join('\n')).toContain('/proc/1/exe')
  })

  it('nothing of the host is mounted for --init, and the reaper cannot be written', async () => {
    const r = await t.run(['run', '--rm', '--init', 'demo:1', 'sh', '-c', 'grep -c tsrun-init /proc/mounts; readlink /proc/1/exe; echo x >> /proc/1/exe'])
    expect(lines(r.stdout)).toEqual(['0', '/memfd:tsrun-shim (deleted)'])
    expect(r.stderr).toMatch(/text file busy|operation not permitted/i)
  })
})
