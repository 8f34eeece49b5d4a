// Issue 10's --pid host and --pid container:NAME, against the runtime's
// sealed-binary defence (docs/runtime-contract.md §1d, issue 17.2): a
// container that shares a PID namespace sees more processes (the host's
// with --pid host; with container:NAME, those of every container joined to
// it, their set-up and their execs included), and must still never reach
// the host's tsrun-shim through /proc/PID/exe or map_files. The attacker is
// test/support/attacker/exe-grab.c, as in escape-runtime-binary.test.ts;
// every other protection (capabilities, seccomp) stays, which is what
// keeps the host's processes out of its reach.
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
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-shared-pid-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const sha256 = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex')

function arena(name: string): string {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  fs.copyFileSync(attacker('exe-grab'), path.join(dir, 'exe-grab'))
  fs.chmodSync(path.join(dir, 'exe-grab'), 0o755)
  return dir
}

/**
 * Run the attacker as `name` (with `extra` flags) while `meanwhile` enters
 * the namespaces it shares; then kill its monitor, let it try its writes,
 * and answer what it reached, kind -> paths.
 */
async function hunt(name: string, extra: string[], meanwhile: () => Promise<void>): Promise<{ report: string[]; reached: Record<string, string[]> }> {
  const dir = arena(name)
  const st = fs.statSync(SHIM)
  const before = sha256(SHIM)
  const r = await t.run(['run', '-d', '--name', name, '-v', `${dir}:/a`, ...extra, 'demo:1', '/a/exe-grab', '4', String(st.dev), String(st.ino), '/a/go', '/a/report'])
  expect(r.code, show(r)).toBe(0)
  const id = r.stdout.trim()
  await waitFor(() => fs.existsSync(path.join(dir, 'report')), 'the attacker to start')
  await meanwhile()
  await waitFor(() => fs.readFileSync(path.join(dir, 'report'), 'utf8').includes('SCANNED'), 'the scan to end', 30_000)
  const monitor = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'shim.json'), 'utf8')).monitorPid
  process.kill(monitor, 'SIGKILL')
  await sleep(200)
  fs.writeFileSync(path.join(dir, 'go'), '')
  await waitFor(() => fs.readFileSync(path.join(dir, 'report'), 'utf8').includes('DONE'), 'the attacker to finish')
  expect(sha256(SHIM), 'the host binary changed').toBe(before)
  const report = lines(fs.readFileSync(path.join(dir, 'report'), 'utf8'))
  await t.run(['rm', '-f', name])
  const reached: Record<string, string[]> = {}
  for (const l of report) {
    const [kind, where] = l.split(' ')
    ;(reached[kind] ??= []).push(where)
  }
  return { report, reached }
}

function expectHeld(h: { report: string[]; reached: Record<string, string[]> }, minScanned: number) {
  const report = h.report.join('\n')
  expect(h.reached.HOST ?? [], `reached the host binary:\n${report}`).toEqual([])
  expect(h.reached['WRITE-OK'] ?? [], `wrote a copy:\n${report}`).toEqual([])
  expect(Number(h.report.find((l) => l.startsWith('SCANNED'))?.split(' ')[1]), 'the attacker scanned').toBeGreaterThan(minScanned)
  expect(h.reached['WRITE-REFUSED'] ?? []).toEqual(expect.arrayContaining(h.reached.SEALED ?? []))
}

/** Containers started into the namespace shared with `donor`, and commands run in them, while the attacker scans. */
async function joinersOf(donor: string, flag: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const j = `${donor}-j${i}`
    const r = await t.run(['run', '-d', '--name', j, flag, `container:${donor}`, '--init', 'demo:1', 'sleep', '30'])
    expect(r.code, show(r)).toBe(0)
    expect((await t.run(['exec', j, 'true'])).code).toBe(0)
    expect((await t.run(['exec', '-t', j, 'true'])).code).toBe(0)
    await t.run(['rm', '-f', j])
  }
}

describe('the host binary stays out of reach when a PID namespace is shared', () => {
  it('--pid host: the attacker sees every host process and reaches no tsrun-shim of the host', async () => {
    const h = await hunt('hunt-pidhost', ['--pid', 'host'], async () => {
      // Other containers start and are entered meanwhile, in plain sight.
      await t.ok(['run', '-d', '--name', 'bystander', 'demo:1', 'sleep', '30'])
      for (let i = 0; i < 4; i++) expect((await t.run(['exec', 'bystander', 'true'])).code).toBe(0)
      await t.run(['rm', '-f', 'bystander'])
    })
    // A host has hundreds of processes; a private namespace shows a handful.
    expectHeld(h, 100)
  })

  it('--pid container:NAME: an attacker in the donor watches joiners start (--init) and be entered', async () => {
    const h = await hunt('hunt-donor', [], () => joinersOf('hunt-donor', '--pid', 3))
    expectHeld(h, 10)
    // It did see the joiners' processes (their sealed inits among them).
    expect(h.reached.SEALED ?? [], h.report.join('\n')).not.toEqual([])
  })

  it('--pid container:NAME: an attacker in a joiner watches the donor being entered', async () => {
    await t.ok(['run', '-d', '--name', 'plain-donor', 'demo:1', 'sleep', '60'])
    const h = await hunt('hunt-joiner', ['--pid', 'container:plain-donor'], async () => {
      for (let i = 0; i < 6; i++) {
        expect((await t.run(['exec', 'plain-donor', 'true'])).code).toBe(0)
        expect((await t.run(['exec', '-t', 'plain-donor', 'true'])).code).toBe(0)
      }
    })
    expectHeld(h, 10)
    await t.ok(['rm', '-f', 'plain-donor'])
  })
})
