// Issue 9: podman drives tsrun-runtime as it drives runc: run, exec (with a
// TTY), logs, pause/unpause, limits, stop, kill, rm and exit codes, the
// same checks for both runtimes in one run.
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Podman } from '../support/registry'
import { busyboxRootfs, lines, REPO, show, sleep, waitFor } from '../support/tsrun'

const TSRUN_RUNTIME = path.join(REPO, 'packages', 'native', 'bin', 'tsrun-runtime')
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024']

describe.each([['runc'], ['tsrun-runtime']])('podman --runtime %s', (name) => {
  const podman = new Podman(name === 'runc' ? 'runc' : TSRUN_RUNTIME)
  beforeAll(async () => {
    const r = await podman.run(['import', busyboxRootfs(), 'localhost/bb:1'])
    expect(r.code, show(r)).toBe(0)
  }, 120_000)
  afterAll(() => podman.destroy(), 120_000)

  it('run: output, exit codes, 127 for a missing command', async () => {
    const r = await podman.run(['run', '--rm', ...LIMITS, 'localhost/bb:1', 'sh', '-c', 'echo hello; hostname; exit 3'])
    expect(r.code, show(r)).toBe(3)
    expect(lines(r.stdout)[0]).toBe('hello')
    const missing = await podman.run(['run', '--rm', ...LIMITS, 'localhost/bb:1', 'nope'])
    expect(missing.code, show(missing)).toBe(127)
    expect(missing.stderr).toMatch(/executable file not found/)
    expect(missing.stderr).not.toMatch(/Removing container .* failed/)
  })

  it('run -d, exec (plain and -t), logs, pause/unpause, a memory limit, stop, rm', async () => {
    const c = `pm-${name.replace(/\W/g, '')}`
    const d = await podman.run(['run', '-d', ...LIMITS, '--name', c, '-m', '64m', 'localhost/bb:1', 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])
    expect(d.code, show(d)).toBe(0)
    const e = await podman.run(['exec', c, 'sh', '-c', 'echo in-exec; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'])
    expect(e.code, show(e)).toBe(0)
    expect(lines(e.stdout)).toEqual(['in-exec', String(64 << 20)])
    const t = await podman.run(['exec', '-t', c, 'tty'])
    expect(t.stdout.trim(), show(t)).toMatch(/^\/dev\/pts\/\d+$/)
    await waitFor(async () => (await podman.run(['logs', c])).stdout.includes('tick'), 'logs')
    expect((await podman.run(['pause', c])).code).toBe(0)
    expect((await podman.run(['inspect', '-f', '{{.State.Status}}', c])).stdout.trim()).toBe('paused')
    expect((await podman.run(['unpause', c])).code).toBe(0)
    expect((await podman.run(['inspect', '-f', '{{.State.Status}}', c])).stdout.trim()).toBe('running')
    const stop = await podman.run(['stop', '-t', '1', c])
    expect(stop.code, show(stop)).toBe(0)
    expect((await podman.run(['inspect', '-f', '{{.State.ExitCode}}', c])).stdout.trim()).toBe('137')
    const rm = await podman.run(['rm', c])
    expect(rm.code, show(rm)).toBe(0)
  })

  it('kill -s: the container sees the signal', async () => {
    const c = `pk-${name.replace(/\W/g, '')}`
    expect((await podman.run(['run', '-d', ...LIMITS, '--name', c, 'localhost/bb:1', 'sh', '-c', "trap 'exit 42' USR1; while true; do sleep 0.1; done"])).code).toBe(0)
    await sleep(300)
    expect((await podman.run(['kill', '-s', 'USR1', c])).code).toBe(0)
    await waitFor(async () => (await podman.run(['inspect', '-f', '{{.State.Status}}', c])).stdout.trim() === 'exited', 'the container to exit')
    expect((await podman.run(['inspect', '-f', '{{.State.ExitCode}}', c])).stdout.trim()).toBe('42')
    expect((await podman.run(['rm', '-f', c])).code).toBe(0)
  })
})
