// Exit codes as Docker: the container's own, 125 engine, 126 cannot invoke, 127 not found, 137 SIGKILL.
import { describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('the container exit code is the run exit code', () => {
  for (const code of [0, 1, 3, 42, 255]) {
    it(`exit ${code}`, async () => {
      const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', `exit ${code}`])
      expect(r.code, show(r)).toBe(code)
      expect(r.stderr).toBe('')
    })
  }

  it('false exits 1, true exits 0', async () => {
    expect((await t.run(['run', '--rm', 'demo:1', 'false'])).code).toBe(1)
    expect((await t.run(['run', '--rm', 'demo:1', 'true'])).code).toBe(0)
  })

  it('--rm with a non-zero code still removes the container', async () => {
    const r = await t.run(['run', '--rm', '--name', 'rm5', 'demo:1', 'sh', '-c', 'exit 5'])
    expect(r.code, show(r)).toBe(5)
    expect((await t.psJson()).some((c) => c.Names === 'rm5')).toBe(false)
  })
})

describe('126 and 127', () => {
  it('127: a command not in PATH, naming it', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'nope-not-here'])
    expect(r.code, show(r)).toBe(127)
    expect(r.stderr).toContain('nope-not-here')
    expect(r.stderr).toMatch(/not found/i)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    expect(lines(r.stderr)).toHaveLength(1)
  })

  it('127: an absolute path that does not exist', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', '/no/such/binary'])
    expect(r.code, show(r)).toBe(127)
    expect(r.stderr).toContain('/no/such/binary')
  })

  it('126: a directory', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', '/etc'])
    expect(r.code, show(r)).toBe(126)
    expect(r.stderr).toContain('/etc')
    expect(lines(r.stderr)).toHaveLength(1)
  })

  it('126: a file without execute permission', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', '/etc/passwd'])
    expect(r.code, show(r)).toBe(126)
    expect(r.stderr).toContain('/etc/passwd')
  })

  it('127 from the shell inside is just the container code', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', 'nope-either'])
    expect(r.code, show(r)).toBe(127)
  })

  it('-d with a missing command fails at once with 127 and the container is not running', async () => {
    const r = await t.run(['run', '-d', '--name', 'dnope', 'demo:1', 'nope-detached'])
    expect(r.code, show(r)).toBe(127)
    expect(r.stderr).toContain('nope-detached')
    const ps = await t.psJson()
    const c = ps.find((x) => x.Names === 'dnope')
    if (c) expect(c.State).not.toBe('running')
    await t.run(['rm', '-f', 'dnope'])
  })

  it('--rm with a missing command leaves no container', async () => {
    const r = await t.run(['run', '--rm', '--name', 'rmnope', 'demo:1', 'nope'])
    expect(r.code, show(r)).toBe(127)
    expect((await t.psJson()).some((c) => c.Names === 'rmnope')).toBe(false)
  })
})

describe('125: engine errors', () => {
  it('unknown image', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', 'nosuch:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/no such image/i)
    expect(r.stderr).toContain('nosuch:1')
  })

  it('unknown isolation / storage driver', async () => {
    const a = await t.run(['run', '--rm', '--isolation', 'bogus', 'demo:1', 'true'])
    expect(a.code, show(a)).toBe(125)
    const b = await t.run(['run', '--rm', '--storage-driver', 'bogus', 'demo:1', 'true'])
    expect(b.code, show(b)).toBe(125)
  })
})

describe('137: killed', () => {
  it('a foreground run killed from another tsrun exits 137', async () => {
    const child = t.spawn(['run', '--name', 'fgkill', 'demo:1', 'sleep', '1000'])
    let out = ''
    child.stdout!.on('data', (d) => (out += d))
    child.stderr!.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)))
    try {
      await waitFor(async () => (await t.psJson(false)).some((c) => c.Names === 'fgkill'), 'fgkill running')
      const k = await t.run(['kill', 'fgkill'])
      expect(k.code, show(k)).toBe(0)
      const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('still running'), 20_000))])
      expect(code, out).toBe(137)
      expect((await t.ok(['wait', 'fgkill'])).stdout).toBe('137\n')
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a detached container killed reports 137 in inspect and ps', async () => {
    await t.ok(['run', '-d', '--name', 'dkill', 'demo:1', 'sleep', '1000'])
    await t.ok(['kill', 'dkill'])
    expect((await t.ok(['wait', 'dkill'])).stdout).toBe('137\n')
    expect((await t.inspect('dkill')).State.ExitCode).toBe(137)
    expect((await t.psJson()).find((c) => c.Names === 'dkill')?.Status).toMatch(/^Exited \(137\)/)
  })

  it('SIGINT to a foreground run is forwarded to the container', async () => {
    const child = t.spawn(['run', '--rm', '--name', 'fgint', 'demo:1', 'sh', '-c', 'trap "echo got-int; exit 9" INT; echo ready; while true; do sleep 0.2; done'])
    let stdout = ''
    child.stdout!.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)))
    try {
      await waitFor(() => stdout.includes('ready'), 'ready on stdout')
      child.kill('SIGINT')
      const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('still running'), 20_000))])
      expect(code, stdout).toBe(9)
      expect(stdout).toContain('got-int')
    } finally {
      child.kill('SIGKILL')
    }
  })
})
