// rename (record rewritten atomically, name reservations moved) and attach.
import { describe, expect, it } from 'vitest'
import { lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { describePty, pty } from '../support/pty'

const { t } = useRoot()

describe('rename', () => {
  it('renames a running container; the old name is free, the new one is taken', async () => {
    await t.ok(['run', '-d', '--name', 'old', 'demo:1', 'sleep', '60'])
    const id = (await t.inspect('old')).Id
    await t.ok(['rename', 'old', 'new'])
    const i = await t.inspect('new')
    expect(i.Id).toBe(id)
    expect(i.Name).toBe('/new')
    expect(i.State.Running).toBe(true)
    // docker/cli's inspect exits 1 for a name that is nothing.
    expect((await t.run(['inspect', 'old'])).code).toBe(1)
    await t.ok(['create', '--name', 'old', 'demo:1', 'true'])
    await t.ok(['stop', '-t', '1', 'new'])
    expect((await t.psJson()).map((c) => c.Names).sort()).toEqual(['new', 'old'])
  })

  it('a name in use or an invalid one is refused, nothing changes', async () => {
    await t.ok(['create', '--name', 'a1', 'demo:1', 'true'])
    await t.ok(['create', '--name', 'b1', 'demo:1', 'true'])
    const taken = await t.run(['rename', 'a1', 'b1'])
    expect(taken.code, show(taken)).toBe(125)
    expect(lines(taken.stderr)).toHaveLength(1)
    expect(taken.stderr).toMatch(/"b1" is already in use/)
    const invalid = await t.run(['rename', 'a1', 'bad name!'])
    expect(invalid.code, show(invalid)).toBe(125)
    expect(invalid.stderr).toMatch(/invalid container name/)
    expect((await t.inspect('a1')).Name).toBe('/a1')
    expect((await t.inspect('b1')).Name).toBe('/b1')
  })
})

describe('attach', () => {
  it("streams new output and exits with the container's code", async () => {
    await t.ok(['run', '-d', '--name', 'att', 'demo:1', 'sh', '-c', 'echo before; sleep 2; echo after; echo err >&2; exit 4'])
    const r = await t.run(['attach', 'att'])
    expect(r.code, show(r)).toBe(4)
    expect(r.stdout).toBe('after\n')
    expect(r.stderr).toBe('err\n')
  })

  it('sends stdin to a container started with -i; stdout and stderr stay apart', async () => {
    await t.ok(['run', '-d', '-i', '--name', 'reader', 'demo:1', 'sh', '-c', 'while read l; do echo "got $l"; echo "err $l" >&2; [ "$l" = quit ] && exit 5; done'])
    const r = await t.run(['attach', 'reader'], { input: 'one\ntwo\nquit\n' })
    expect(r.code, show(r)).toBe(5)
    expect(r.stdout).toBe('got one\ngot two\ngot quit\n')
    expect(r.stderr).toBe('err one\nerr two\nerr quit\n')
  })

  it('passes a signal on to the container (sig-proxy)', async () => {
    await t.ok(['run', '-d', '--name', 'trapper', 'demo:1', 'sh', '-c', 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.2; done'])
    const child = t.spawn(['attach', 'trapper'])
    let stdout = ''
    child.stdout!.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    await new Promise((r) => setTimeout(r, 1500))
    child.kill('SIGTERM')
    expect(await exited).toBe(7)
    expect(stdout).toContain('got-term')
  })

  it('with a TTY: an interactive shell, and Ctrl-P Ctrl-Q detaches leaving it running', async () => {
    await t.ok(['run', '-d', '-i', '-t', '--name', 'shell', 'demo:1', 'sh'])
    const r = await pty(t, ['attach', 'shell'], [{ sleep: 1 }, { send: 'echo attached-$((40+2))\r' }, { expect: 'attached-42' }, { send: '\x10\x11' }])
    expect(r.exitCode, describePty(r)).toBe(0)
    expect((await t.inspect('shell')).State.Status).toBe('running')
    await t.ok(['rm', '-f', 'shell'])
  })

  it('a stopped container cannot be attached to', async () => {
    const r = await t.run(['attach', 'att'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/not running/)
  })
})
