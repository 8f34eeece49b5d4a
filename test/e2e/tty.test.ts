// run -it: a real terminal (driven through a pty by test/support/pty_drive.py), and -i without -t.
import { describe, expect, it } from 'vitest'
import { BIN, lines, REPO, show, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { describePty, pty as runInPty, type Step } from '../support/pty'

const { t } = useRoot()

const pty = (args: string[], steps: Step[], rows?: number, cols?: number, timeout?: number) => runInPty(t, args, steps, rows, cols, timeout)
const describeRes = describePty

// A prompt of busybox sh as root (`/ # `); the shell may also print `\e[6n` queries.
const PROMPT = '# '

describe('run -it sh', () => {
  it('is interactive: commands run, the window size is the terminal\'s, exit code passes through', async () => {
    const r = await pty(['run', '-it', '--rm', 'demo:1', 'sh'], [
      { expect: PROMPT },
      // `tty-$((40+2))` echoes as typed; only the shell's output contains tty-42
      { send: 'echo tty-$((40+2)); stty size; exit 3\r' },
      { expect: 'tty-42' },
      { expect: '30 100' },
    ])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.exitCode, describeRes(r)).toBe(3)
  })

  it('the terminal is a real tty inside (tty, stdin/stdout are the same pts)', async () => {
    const r = await pty(['run', '-it', '--rm', 'demo:1', 'sh'], [
      { expect: PROMPT },
      { send: 'tty; test -t 0 && test -t 1 && echo both-$((1+1)); exit\r' },
      { expect: '/dev/(pts/\\d+|console)' },
      { expect: 'both-2' },
    ])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.exitCode, describeRes(r)).toBe(0)
  })

  it('Ctrl-D at the prompt ends the shell with 0', async () => {
    const r = await pty(['run', '-it', '--rm', 'demo:1', 'sh'], [{ expect: PROMPT }, { send: '\x04' }])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.exitCode, describeRes(r)).toBe(0)
  })

  it('Ctrl-C interrupts a running command, the shell goes on', async () => {
    const r = await pty(['run', '-it', '--rm', 'demo:1', 'sh'], [
      { expect: PROMPT },
      { send: 'echo sta""rted; sleep 100\r' },
      { expect: 'started' },
      { sleep: 0.5 },
      { send: '\x03' },
      // if ^C did not interrupt sleep 100, this never shows within the timeout
      { send: 'echo rc=$?\r' },
      { expect: 'rc=130' },
      { send: 'exit 0\r' },
    ])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.exitCode, describeRes(r)).toBe(0)
  })

  it('a window resize reaches the container', async () => {
    const r = await pty(['run', '-it', '--rm', 'demo:1', 'sh'], [
      { expect: PROMPT },
      { send: 'stty size\r' },
      { expect: '30 100' },
      { resize: [41, 121] },
      { sleep: 0.5 },
      { send: 'stty size\r' },
      { expect: '41 121' },
      { send: 'exit\r' },
    ])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.exitCode, describeRes(r)).toBe(0)
  })

  it('a detached tty container logs everything as stdout', async () => {
    const id = (await t.ok(['run', '-d', '-t', 'demo:1', 'sh', '-c', 'echo on-out; echo on-err >&2; tty'])).stdout.trim()
    expect((await t.ok(['wait', id])).stdout).toBe('0\n')
    const logs = await t.ok(['logs', id])
    const out = lines(logs.stdout)
    expect(out).toContain('on-out')
    expect(out).toContain('on-err')
    expect(out.some((l) => /^\/dev\/(pts\/\d+|console)$/.test(l))).toBe(true)
    expect(logs.stderr).toBe('')
    await t.ok(['rm', id])
  })

  it('-t without -i gives the container a terminal', async () => {
    const r = await pty(['run', '-t', '--rm', 'demo:1', 'sh', '-c', 'tty; echo done-$((2+3))'], [{ expect: 'done-5' }])
    expect(r.ok, describeRes(r)).toBe(true)
    expect(r.output).toMatch(/\/dev\/(pts\/\d+|console)/)
    expect(r.exitCode).toBe(0)
  })
})

describe('stdin without a tty', () => {
  it('-i pipes stdin into the container', async () => {
    const r = await t.run(['run', '--rm', '-i', 'demo:1', 'sh', '-c', 'cat; echo end'], { input: 'hello\nworld\n' })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('hello\nworld\nend\n')
  })

  it('-i with a large input', async () => {
    const big = 'x'.repeat(1023) + '\n'
    const input = big.repeat(2048) // 2 MiB
    const r = await t.run(['run', '--rm', '-i', 'demo:1', 'wc', '-c'], { input })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout.trim()).toBe(String(input.length))
  })

  it('without -i the container\'s stdin is empty', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', 'cat; echo end'], { input: 'not-forwarded\n' })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('end\n')
  })

  it('without -t there is no tty', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'tty'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/not a tty/)
  })

  it('a large output is not truncated', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', 'seq 1 200000'])
    expect(r.code, show(r)).toBe(0)
    const ls = r.stdout.split('\n')
    expect(ls[0]).toBe('1')
    expect(ls[199999]).toBe('200000')
    expect(ls.length).toBe(200001)
  })
})
