// Issue 10: Ctrl-P Ctrl-Q detaches from `run -it` as from `attach`, the
// container running on (Docker's "detach from a container" behaviour), and
// --detach-keys in Docker's format on run, start -a, attach and exec. Each
// case runs tsrun in a real pseudo-terminal.
import { afterEach, describe, expect, it } from 'vitest'
import { lines, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { describePty, pty } from '../support/pty'

const { t } = useRoot()
afterEach(() => t.removeAllContainers(), 60_000)

const CTRL_P_CTRL_Q = '\x10\x11'

async function status(name: string): Promise<string | undefined> {
  return (await t.psJson()).find((c) => c.Names === name)?.State
}

describe('run -it: Ctrl-P Ctrl-Q detaches, the container runs on (as Docker)', () => {
  it('detaches with exit 0; the shell is still there for tsrun attach', async () => {
    const r = await pty(t, ['run', '-it', '--name', 'det', 'demo:1', 'sh'], [
      { expect: '# ' },
      { send: 'echo first-$((20+1))\r' },
      { expect: 'first-21' },
      { send: CTRL_P_CTRL_Q },
    ])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect(await status('det')).toBe('running')
    // The monitor now serves the attach socket: the same shell answers.
    const again = await pty(t, ['attach', 'det'], [{ sleep: 0.5 }, { send: 'echo again-$((40+2))\r' }, { expect: 'again-42' }, { send: CTRL_P_CTRL_Q }])
    expect(again.exitCode, describePty(again)).toBe(0)
    expect(await status('det')).toBe('running')
    // And it still ends with the shell, under its monitor.
    await t.ok(['stop', '-t', '1', 'det'])
    expect(await status('det')).toBe('exited')
  }, 60_000)

  it('a lone Ctrl-P reaches the container once the next key is not Ctrl-Q', async () => {
    const r = await pty(t, ['run', '-it', '--rm', 'demo:1', 'sh', '-c', 'stty raw -echo; head -c 2 | od -An -c; exit 3'], [{ sleep: 1 }, { send: '\x10x' }, { expect: '020\\s+x' }])
    expect(r.exitCode, describePty(r)).toBe(3)
  }, 60_000)

  it('run -it --rm, detached: the monitor removes the container when it exits', async () => {
    const r = await pty(t, ['run', '-it', '--rm', '--name', 'gone-later', 'demo:1', 'sh'], [{ expect: '# ' }, { send: CTRL_P_CTRL_Q }])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect(await status('gone-later')).toBe('running')
    await t.ok(['kill', 'gone-later'])
    await waitFor(async () => (await status('gone-later')) === undefined, 'the --rm container removed by its monitor')
  }, 60_000)

  it('--detach-keys ctrl-x,q: Ctrl-P Ctrl-Q then reach the container, Ctrl-X q detaches', async () => {
    const r = await pty(t, ['run', '-it', '--detach-keys', 'ctrl-x,q', '--name', 'custom', 'demo:1', 'sh'], [
      { expect: '# ' },
      { send: CTRL_P_CTRL_Q },
      { send: 'echo still-$((1+1))\r' },
      { expect: 'still-2' },
      { send: '\x18q' },
    ])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect(await status('custom')).toBe('running')
  }, 60_000)

  it("a bad --detach-keys is refused before anything is made (Docker's format: ctrl-<value> or one character)", async () => {
    for (const keys of ['ctrl-', 'ctrl-1', 'alt-x', 'ctrl-p,,ctrl-q']) {
      const r = await t.run(['run', '-it', '--detach-keys', keys, '--name', 'never', 'demo:1', 'sh'])
      expect(r.code, show(r)).toBe(125)
      expect(lines(r.stderr)).toHaveLength(1)
      expect(r.stderr).toMatch(/^Error: invalid --detach-keys/)
    }
    expect(await status('never')).toBeUndefined()
  })
})

describe('--detach-keys on start -a, attach and exec', () => {
  it('start -a of an -it container detaches likewise', async () => {
    await t.ok(['create', '-it', '--name', 'started', 'demo:1', 'sh'])
    const r = await pty(t, ['start', '-a', '--detach-keys', 'ctrl-k', 'started'], [{ expect: '# ' }, { send: 'echo s-$((3*3))\r' }, { expect: 's-9' }, { send: '\x0b' }])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect(await status('started')).toBe('running')
  }, 60_000)

  it('attach --detach-keys', async () => {
    await t.ok(['run', '-d', '-it', '--name', 'att', 'demo:1', 'sh'])
    const r = await pty(t, ['attach', '--detach-keys', 'ctrl-a,d', 'att'], [{ sleep: 0.5 }, { send: 'echo a-$((2*4))\r' }, { expect: 'a-8' }, { send: '\x01d' }])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect(await status('att')).toBe('running')
  }, 60_000)

  it('exec -it: the detached process goes on in the container', async () => {
    await t.ok(['run', '-d', '--name', 'host', 'demo:1', 'sleep', '300'])
    const r = await pty(t, ['exec', '-it', 'host', 'sh'], [{ expect: '# ' }, { send: 'sleep 1000 &\r' }, { send: 'echo e-$((5+5))\r' }, { expect: 'e-10' }, { send: CTRL_P_CTRL_Q }])
    expect(r.exitCode, describePty(r)).toBe(0)
    // The shell the exec started still runs (with its sleep), though nobody is attached.
    const ps = await t.ok(['exec', 'host', 'ps', '-o', 'args'])
    expect(ps.stdout).toMatch(/^sh$/m)
    expect(ps.stdout).toMatch(/sleep 1000/)
  }, 60_000)
})
