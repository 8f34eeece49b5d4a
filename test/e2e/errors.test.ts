// Bad input: one clear line on stderr, the right exit code, nothing half-made.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { busyboxRootfs, lines, show, STACK_TRACE, storeFiles, type Result } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
// a failing test must not leave containers that make the next one fail
afterEach(() => t.removeAllContainers(), 60_000)

/** One line, no stack trace, matching every pattern. */
function clearError(r: Result, ...patterns: (RegExp | string)[]) {
  expect(r.code, show(r)).not.toBe(0)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  for (const p of patterns) {
    if (typeof p === 'string') expect(r.stderr, show(r)).toContain(p)
    else expect(r.stderr, show(r)).toMatch(p)
  }
}

async function noContainers() {
  expect(lines((await t.ok(['ps', '-aq'])).stdout)).toEqual([])
  let dirs: string[] = []
  try {
    dirs = fs.readdirSync(path.join(t.root, 'containers'))
  } catch {
    /* fine */
  }
  expect(dirs).toEqual([])
}

// `--pull never`: the tests never reach a registry on the internet.
describe('unknown image', () => {
  it('run: 125, "no such image", nothing created', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', 'nosuchimage:1', 'true'])
    expect(r.code).toBe(125)
    clearError(r, /no such image/i, 'nosuchimage:1')
    await noContainers()
  })

  it('create: 125, nothing created', async () => {
    const r = await t.run(['create', '--pull', 'never', '--name', 'never', 'nosuchimage', 'true'])
    expect(r.code).toBe(125)
    clearError(r, /no such image/i, 'nosuchimage')
    await noContainers()
  })

  it('an unknown short id', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', 'deadbeef0000', 'true'])
    expect(r.code).toBe(125)
    clearError(r, /no such image/i)
  })

  it('with the default pull policy and an unreachable registry: 125 naming the image, nothing created', async () => {
    // port 1 on localhost: refused at once, no network needed
    const r = await t.run(['run', '--rm', 'localhost:1/nosuch:1', 'true'], { timeout: 60_000 })
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toContain('localhost:1/nosuch')
    expect(r.stderr).not.toMatch(STACK_TRACE)
    await noContainers()
  })
})

describe('bad reference syntax', () => {
  for (const ref of ['Demo:1', 'demo:', 'demo::1', ':1', 'de mo:1', 'demo:bad tag', 'demo@sha256:nothex']) {
    it(`run ${JSON.stringify(ref)}: 125 invalid reference format`, async () => {
      const r = await t.run(['run', '--rm', ref, 'true'])
      expect(r.code, show(r)).toBe(125)
      clearError(r, /invalid reference format/i)
      await noContainers()
    })
  }

  it('import with a bad reference: 125, no image, nothing stored', async () => {
    const before = storeFiles(t.root)
    const imagesBefore = await t.imageSummary()
    const r = await t.run(['import', busyboxRootfs(), 'Bad:Ref'])
    expect(r.code).toBe(125)
    clearError(r, /invalid reference format/i)
    expect(await t.imageSummary()).toEqual(imagesBefore)
    expect(storeFiles(t.root)).toEqual(before)
  })
})

describe('no command', () => {
  it('run of an imported image (no Cmd) without a command: 125', async () => {
    const r = await t.run(['run', '--rm', 'demo:1'])
    expect(r.code).toBe(125)
    clearError(r, /no command specified/i)
    await noContainers()
  })

  it('create without a command: 125', async () => {
    const r = await t.run(['create', 'demo:1'])
    expect(r.code).toBe(125)
    clearError(r, /no command specified/i)
    await noContainers()
  })
})

describe('env file', () => {
  it('missing: 125 naming the file, nothing created', async () => {
    const f = '/nonexistent/dir/app.env'
    const r = await t.run(['run', '--rm', '--env-file', f, 'demo:1', 'true'])
    expect(r.code).toBe(125)
    clearError(r, /env file/i, f)
    await noContainers()
  })

  it('a directory: 125', async () => {
    const r = await t.run(['run', '--rm', '--env-file', t.root, 'demo:1', 'true'])
    expect(r.code).toBe(125)
    clearError(r, t.root)
    await noContainers()
  })
})

describe('name already in use', () => {
  it('a second --name web fails 125 naming the holder', async () => {
    const first = await t.ok(['create', '--name', 'dup', 'demo:1', 'true'])
    const holder = first.stdout.trim()
    for (const cmd of ['create', 'run'] as const) {
      const r = await t.run([cmd, ...(cmd === 'run' ? ['-d'] : []), '--name', 'dup', 'demo:1', 'true'])
      expect(r.code).toBe(125)
      clearError(r, /already in use/i, 'dup', holder.slice(0, 12))
    }
    const ps = await t.psJson()
    expect(ps.filter((c) => c.Names === 'dup')).toHaveLength(1)
    expect(ps).toHaveLength(1)
    await t.ok(['rm', 'dup'])
    // the name is free again
    await t.ok(['create', '--name', 'dup', 'demo:1', 'true'])
    await t.ok(['rm', 'dup'])
  })

  it('bad names are refused', async () => {
    for (const name of ['has space', 'bad/slash', '-lead']) {
      const r = await t.run(['create', `--name=${name}`, 'demo:1', 'true'])
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr).not.toMatch(STACK_TRACE)
    }
    await noContainers()
  })
})

describe('no such container', () => {
  const cases: string[][] = [
    ['logs', 'ghost'],
    ['stop', 'ghost'],
    ['kill', 'ghost'],
    ['wait', 'ghost'],
    ['rm', 'ghost'],
    ['rm', '-f', 'ghost'],
    ['start', 'ghost'],
    ['inspect', 'ghost'],
  ]
  for (const args of cases) {
    it(`${args.join(' ')}: non-zero, "no such container: ghost"`, async () => {
      const r = await t.run(args)
      expect(r.code, show(r)).not.toBe(0)
      expect(r.code).not.toBe(null)
      expect(r.stderr).not.toMatch(STACK_TRACE)
      // inspect takes images too: Docker says "no such object" there
      expect(r.stderr).toMatch(args[0] === 'inspect' ? /no such (container|object)/i : /no such container/i)
      expect(r.stderr).toContain('ghost')
    })
  }

  it('one missing among several: the others are still handled, exit non-zero', async () => {
    await t.ok(['create', '--name', 'real1', 'demo:1', 'true'])
    const r = await t.run(['rm', 'real1', 'ghost'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stdout).toContain('real1')
    expect(r.stderr).toMatch(/no such container/i)
    expect(r.stderr).toContain('ghost')
    await noContainers()
  })
})

describe('bad flag values', () => {
  it('--network bogus: 125 (none and host exist)', async () => {
    const r = await t.run(['run', '--rm', '--network', 'bogus', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toContain('bogus')
    expect(r.stderr).not.toMatch(STACK_TRACE)
    await noContainers()
  })

  it('-e without a name: 125', async () => {
    const r = await t.run(['run', '--rm', '-e', '=value', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })

  it('-w relative: 125', async () => {
    const r = await t.run(['run', '--rm', '-w', 'relative/dir', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })

  it('stop -t not a number: an error, the container untouched', async () => {
    await t.ok(['run', '-d', '--name', 'tflag', 'demo:1', 'sleep', '1000'])
    expect((await t.inspect('tflag')).State.Status).toBe('running')
    const r = await t.run(['stop', '-t', 'soon', 'tflag'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    expect((await t.inspect('tflag')).State.Status).toBe('running')
    const k = await t.run(['kill', '-s', 'SIGNOPE', 'tflag'])
    expect(k.code, show(k)).not.toBe(0)
    expect(k.stderr).toMatch(/SIGNOPE|signal/i)
    expect(k.stderr).not.toMatch(STACK_TRACE)
    expect((await t.inspect('tflag')).State.Status).toBe('running')
    await t.ok(['rm', '-f', 'tflag'])
  })

  it('logs --tail not a number: an error', async () => {
    await t.ok(['create', '--name', 'tail', 'demo:1', 'true'])
    const r = await t.run(['logs', '--tail', 'lots', 'tail'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    await t.ok(['rm', 'tail'])
  })

  it('an unknown flag: an error, no stack trace', async () => {
    const r = await t.run(['run', '--rm', '--bogus-flag', 'demo:1', 'true'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toContain('bogus-flag')
    expect(r.stderr).not.toMatch(STACK_TRACE)
    await noContainers()
  })

  it('an unknown command: an error', async () => {
    const r = await t.run(['frobnicate'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/frobnicate/)
    expect(r.stderr).not.toMatch(STACK_TRACE)
  })
})

describe('the store is intact after all the errors', () => {
  it('runs a container', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'echo', 'fine'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('fine\n')
    await noContainers()
  })
})
