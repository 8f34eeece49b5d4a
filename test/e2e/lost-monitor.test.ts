// A detached container whose monitor was killed (kill -9, OOM killer): when
// its PID 1 is gone too, it is exited with 255 (docs/runtime-contract.md),
// even while nothing has reaped the dead processes yet. Here the container
// runs under a subreaper that never reaps (test/support/subreaper.py), so
// the killed monitor and PID 1 stay zombies for the whole test, as under a
// host or container init that does not reap.
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BIN, REPO, SUPPORT, cgroupDirsFor, exec, lines, pidsWithCmdline, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const SHIM = path.join(REPO, 'packages', 'native', 'bin', 'tsrun-shim')

/** A `tsrun run -d` whose monitor and container are orphaned into a subreaper that keeps zombies. */
class UnreapedRun {
  private readonly child: ChildProcess
  private stdout = ''
  private stderr = ''

  constructor(args: string[]) {
    this.child = spawn('python3', [path.join(SUPPORT, 'subreaper.py'), BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...t.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d))
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d))
  }

  /** The container id `run -d` printed, once it has exited 0. */
  async started(): Promise<string> {
    await waitFor(() => /exit \d+/.test(this.stderr), 'tsrun run -d to finish under the subreaper')
    if (!this.stderr.includes('exit 0')) throw new Error(`run -d failed: ${this.stdout}\n${this.stderr}`)
    return this.stdout.trim()
  }

  /** Let the subreaper reap everything and exit. */
  async release(): Promise<void> {
    if (this.child.exitCode !== null) return
    this.child.stdin!.end()
    await new Promise((r) => this.child.once('exit', r))
  }
}

function stat(pid: number): string | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

function shimState(id: string): { pid: number; monitorPid: number } {
  return JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'shim.json'), 'utf8'))
}

async function killAndWaitZombie(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL')
  await waitFor(() => stat(pid) === 'Z', `pid ${pid} to be a zombie`)
}

let runs: UnreapedRun[] = []
afterEach(async () => {
  await t.removeAllContainers()
  for (const r of runs) await r.release()
  runs = []
})

function unreaped(args: string[]): UnreapedRun {
  const r = new UnreapedRun(args)
  runs.push(r)
  return r
}

describe('monitor and PID 1 both killed, nobody reaps them', () => {
  it('is exited (255) for ps, inspect and wait, and every command treats it as stopped', async () => {
    const id = await unreaped(['run', '-d', '--name', 'lost', 'demo:1', 'sh', '-c', 'echo up; exec sleep 1000']).started()
    await waitFor(async () => (await t.run(['logs', 'lost'])).stdout === 'up\n', 'the container to log')
    const { pid, monitorPid } = shimState(id)
    await killAndWaitZombie(monitorPid)
    await killAndWaitZombie(pid)
    // Both are zombies still: the pids exist, kill(pid, 0) succeeds.
    expect([stat(monitorPid), stat(pid)]).toEqual(['Z', 'Z'])

    const ps = await t.psJson()
    expect(ps.find((c) => c.Names === 'lost')?.State).toBe('exited')
    expect(lines((await t.ok(['ps', '-q'])).stdout)).toEqual([])
    const state = (await t.inspect('lost')).State
    expect(state).toMatchObject({ Status: 'exited', Running: false, ExitCode: 255 })

    const wait = await t.run(['wait', 'lost'], { timeout: 10_000 })
    expect(wait.code, show(wait)).toBe(0)
    expect(wait.stdout).toBe('255\n')
    const stop = await t.run(['stop', '-t', '30', 'lost'], { timeout: 10_000 })
    expect(stop.code, show(stop)).toBe(0)
    const logs = await t.run(['logs', '-f', 'lost'], { timeout: 10_000 })
    expect(logs.code, show(logs)).toBe(0)
    expect(logs.stdout).toBe('up\n')
    for (const args of [['exec', 'lost', 'true'], ['attach', 'lost'], ['kill', 'lost'], ['pause', 'lost']]) {
      const r = await t.run(args, { timeout: 10_000 })
      expect(r.code, `${args.join(' ')}\n${show(r)}`).toBe(125)
      expect(r.stderr).toMatch(/not running/)
    }
    // The shim itself refuses to exec into a dead PID 1 too, not only the engine.
    const dir = path.join(t.root, 'containers', id)
    const proc = path.join(dir, 'exec-test.json')
    fs.writeFileSync(proc, JSON.stringify({ args: ['true'], env: [], cwd: '/', terminal: false }))
    const direct = await exec(SHIM, ['exec', '--bundle', path.join(dir, 'bundle'), '--state-dir', dir, '--process', proc])
    fs.rmSync(proc)
    expect(direct.code, show(direct)).toBe(125)
    expect(direct.stderr).toMatch(/is not running/)

    // It can be started again, and removed.
    const start = await t.run(['start', 'lost'])
    expect(start.code, show(start)).toBe(0)
    expect((await t.inspect('lost')).State.Status).toBe('running')
    const rm = await t.run(['rm', '-f', 'lost'], { timeout: 20_000 })
    expect(rm.code, show(rm)).toBe(0)
    expect(cgroupDirsFor(id)).toEqual([])
    expect(pidsWithCmdline(id)).toEqual([])
  })

  it('rm -f of it removes it at once and leaves nothing', async () => {
    const id = await unreaped(['run', '-d', '--name', 'lost2', 'demo:1', 'sleep', '1000']).started()
    const { pid, monitorPid } = shimState(id)
    await killAndWaitZombie(monitorPid)
    await killAndWaitZombie(pid)
    const rm = await t.run(['rm', '-f', 'lost2'], { timeout: 10_000 })
    expect(rm.code, show(rm)).toBe(0)
    expect(fs.existsSync(path.join(t.root, 'containers', id))).toBe(false)
    expect(cgroupDirsFor(id)).toEqual([])
    expect((await t.psJson()).map((c) => c.Names)).not.toContain('lost2')
  })
})

describe('monitor killed, PID 1 left running', () => {
  it('runs on; stop kills PID 1 and returns once it is dead, though unreaped', async () => {
    const id = await unreaped(['run', '-d', '--name', 'orphan', 'demo:1', 'sleep', '1000']).started()
    const { pid, monitorPid } = shimState(id)
    await killAndWaitZombie(monitorPid)
    expect((await t.inspect('orphan')).State.Status).toBe('running')
    // sleep as PID 1 ignores SIGTERM: stop has to escalate to SIGKILL after -t.
    const stop = await t.run(['stop', '-t', '1', 'orphan'], { timeout: 15_000 })
    expect(stop.code, show(stop)).toBe(0)
    expect(stat(pid)).toBe('Z')
    expect((await t.inspect('orphan')).State).toMatchObject({ Status: 'exited', ExitCode: 255 })
    const rm = await t.run(['rm', 'orphan'])
    expect(rm.code, show(rm)).toBe(0)
    expect(cgroupDirsFor(id)).toEqual([])
  })
})
