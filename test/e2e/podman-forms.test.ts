// Issue 10, "Podman users too": podman's everyday forms that do not
// contradict Docker's, each through the real CLI. Names cite the podman
// (or Docker) behaviour they follow.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { lines, newRoot, show, STACK_TRACE, waitFor, type Result, type Tsrun } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { startRegistry, type Registry } from '../support/registry'

const { t } = useRoot()
afterEach(() => t.removeAllContainers(), 60_000)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-podman-forms-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

async function states(): Promise<Record<string, string>> {
  return Object.fromEntries((await t.psJson()).map((c) => [c.Names, c.State]))
}

function oneLine(r: Result, code: number, pattern: RegExp) {
  expect(r.code, show(r)).toBe(code)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
}

describe('--all on rm, start, stop, kill, pause, unpause (podman)', () => {
  beforeAll(async () => {
    await t.removeAllContainers()
  })

  it('stop -a stops the running ones, start --all starts the stopped ones', async () => {
    await t.ok(['run', '-d', '--name', 'a1', 'demo:1', 'sleep', '300'])
    await t.ok(['run', '-d', '--name', 'a2', 'demo:1', 'sleep', '300'])
    await t.ok(['create', '--name', 'a3', 'demo:1', 'sleep', '300'])
    const stop = await t.ok(['stop', '-t', '0', '-a'])
    expect(lines(stop.stdout)).toHaveLength(2)
    expect(await states()).toEqual({ a1: 'exited', a2: 'exited', a3: 'created' })
    const start = await t.ok(['start', '--all'])
    expect(lines(start.stdout)).toHaveLength(3)
    expect(await states()).toEqual({ a1: 'running', a2: 'running', a3: 'running' })
  })

  it('pause -a and unpause --all', async () => {
    await t.ok(['run', '-d', '--name', 'p1', 'demo:1', 'sleep', '300'])
    await t.ok(['run', '-d', '--name', 'p2', 'demo:1', 'sleep', '300'])
    await t.ok(['pause', '-a'])
    expect(await states()).toEqual({ p1: 'paused', p2: 'paused' })
    await t.ok(['unpause', '--all'])
    expect(await states()).toEqual({ p1: 'running', p2: 'running' })
  })

  it('kill --all, then rm -a removes every container', async () => {
    await t.ok(['run', '-d', '--name', 'k1', 'demo:1', 'sleep', '300'])
    await t.ok(['create', '--name', 'k2', 'demo:1', 'true'])
    await t.ok(['kill', '--all'])
    await waitFor(async () => (await states()).k1 === 'exited', 'k1 killed')
    const rm = await t.ok(['rm', '-a'])
    expect(lines(rm.stdout)).toHaveLength(2)
    expect(await states()).toEqual({})
  })

  it('rm -a without -f keeps a running container and fails, as podman', async () => {
    await t.ok(['run', '-d', '--name', 'busy', 'demo:1', 'sleep', '300'])
    await t.ok(['create', '--name', 'idle', 'demo:1', 'true'])
    const r = await t.run(['rm', '-a'])
    expect(r.code, show(r)).toBe(125)
    expect(await states()).toEqual({ busy: 'running' })
  })

  it('--all with names is podman\'s error; neither is the missing-argument error', async () => {
    await t.ok(['create', '--name', 'named', 'demo:1', 'true'])
    oneLine(await t.run(['rm', '--all', 'named']), 125, /^Error: when using --all, you may not pass any container names or ids/)
    const none = await t.run(['stop'])
    expect(none.code, show(none)).toBe(125)
    expect(lines(none.stderr)).toEqual(['Error: "tsrun stop" requires at least 1 argument; missing: CONTAINER (or --all)', 'Usage: tsrun stop [OPTIONS] CONTAINER [CONTAINER...]'])
    expect(await states()).toEqual({ named: 'created' })
  })

  it('start -a is still Docker\'s --attach', async () => {
    await t.ok(['create', '--name', 'att', 'demo:1', 'echo', 'attached'])
    const r = await t.ok(['start', '-a', 'att'])
    expect(r.stdout).toBe('attached\n')
  })
})

describe('rm -t/--time and --ignore (podman)', () => {
  it('rm -f -t 5 stops with the stop signal first: a TERM handler runs', async () => {
    await t.ok(['run', '-d', '--name', 'graceful', '-v', `${work}:/out`, 'demo:1', 'sh', '-c', "trap 'echo termed > /out/term; exit 0' TERM; while true; do sleep 0.1; done"])
    await waitFor(async () => (await states()).graceful === 'running', 'running')
    await new Promise((r) => setTimeout(r, 300))
    const r = await t.ok(['rm', '-f', '-t', '5', 'graceful'])
    expect(r.stdout).toBe('graceful\n')
    expect(fs.readFileSync(path.join(work, 'term'), 'utf8')).toBe('termed\n')
    expect(await states()).toEqual({})
  })

  it('rm --ignore: a missing container is no error; others are still removed', async () => {
    await t.ok(['create', '--name', 'real', 'demo:1', 'true'])
    const r = await t.run(['rm', '--ignore', 'ghost', 'real'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('real\n')
    const plain = await t.run(['rm', 'ghost'])
    oneLine(plain, 125, /^Error: No such container: ghost\n$/)
  })
})

describe('listings', () => {
  it('ps --external is accepted (tsrun has no external containers)', async () => {
    await t.ok(['create', '--name', 'ext', 'demo:1', 'true'])
    const a = await t.ok(['ps', '-a', '--external', '--format', '{{.Names}}'])
    expect(a.stdout).toBe('ext\n')
  })

  it('--noheading on ps, images, volume ls, history: the table without its header', async () => {
    await t.ok(['create', '--name', 'nh', 'demo:1', 'true'])
    await t.ok(['volume', 'create', 'nhvol'])
    const ps = await t.ok(['ps', '-a', '--noheading'])
    expect(lines(ps.stdout)).toHaveLength(1)
    expect(ps.stdout).toMatch(/nh\s*$/)
    expect(ps.stdout).not.toMatch(/CONTAINER ID/)
    const images = await t.ok(['images', '-n'])
    expect(images.stdout).not.toMatch(/REPOSITORY/)
    expect(images.stdout).toMatch(/^demo\s+1\s/m)
    expect(lines((await t.ok(['volume', 'ls', '--noheading'])).stdout)).toEqual([expect.stringMatching(/^local\s+nhvol$/)])
    expect((await t.ok(['history', '--noheading', 'demo:1'])).stdout).not.toMatch(/IMAGE/)
    const templ = await t.ok(['ps', '-a', '--noheading', '--format', 'table {{.Names}}\t{{.State}}'])
    expect(lines(templ.stdout)).toEqual([expect.stringMatching(/^nh\s+created$/)])
    await t.ok(['volume', 'rm', 'nhvol'])
  })
})

describe('exists: exit 0 or 1, silently (podman container/image/volume exists)', () => {
  it('container exists', async () => {
    await t.ok(['create', '--name', 'here', 'demo:1', 'true'])
    const yes = await t.run(['container', 'exists', 'here'])
    expect([yes.code, yes.stdout, yes.stderr]).toEqual([0, '', ''])
    const no = await t.run(['container', 'exists', 'nothere'])
    expect([no.code, no.stdout, no.stderr]).toEqual([1, '', ''])
  })

  it('image exists, by name and by id', async () => {
    const id = (await t.imagesJson()).find((i) => i.Repository === 'demo')!.ID
    for (const ref of ['demo:1', id]) {
      const r = await t.run(['image', 'exists', ref])
      expect([r.code, r.stdout, r.stderr], ref).toEqual([0, '', ''])
    }
    const no = await t.run(['image', 'exists', 'demo:2'])
    expect([no.code, no.stdout, no.stderr]).toEqual([1, '', ''])
    oneLine(await t.run(['image', 'exists', 'Bad:Ref']), 125, /invalid reference format/)
  })

  it('volume exists', async () => {
    await t.ok(['volume', 'create', 'exvol'])
    expect((await t.run(['volume', 'exists', 'exvol'])).code).toBe(0)
    const no = await t.run(['volume', 'exists', 'novol'])
    expect([no.code, no.stdout, no.stderr]).toEqual([1, '', ''])
    await t.ok(['volume', 'rm', 'exvol'])
  })
})

describe('untag (podman): names go, the image stays', () => {
  it('untag IMAGE NAME takes just that name off', async () => {
    await t.ok(['tag', 'demo:1', 'extra:1'])
    await t.ok(['tag', 'demo:1', 'extra:2'])
    const id = (await t.imagesJson()).find((i) => i.Repository === 'demo')!.ID
    await t.ok(['untag', 'demo:1', 'extra:1'])
    expect((await t.imageSummary()).filter((s) => s.endsWith(`@${id}`))).toEqual([`demo:1@${id}`, `extra:2@${id}`])
    oneLine(await t.run(['untag', 'demo:1', 'never:1']), 125, /is not tagged never:1/)
    await t.ok(['untag', id, 'extra:2'])
    expect((await t.imageSummary()).filter((s) => s.endsWith(`@${id}`))).toEqual([`demo:1@${id}`])
  })

  it('untag IMAGE takes every name off and leaves the image dangling, where rmi would delete it', async () => {
    const u = newRoot()
    try {
      const id = await u.importDemo('solo:1')
      await u.ok(['tag', 'solo:1', 'solo:2'])
      await u.ok(['untag', 'solo:1'])
      expect(await u.imageSummary()).toEqual([`<none>:<none>@${id.slice(7, 19)}`])
      expect((await u.run(['image', 'exists', id])).code).toBe(0)
    } finally {
      await u.destroy()
    }
  })
})

describe('events --stream=false (podman): the past events, then exit', () => {
  it('prints what happened and returns', async () => {
    await t.ok(['run', '--rm', '--name', 'ev', 'demo:1', 'true'])
    const r = await t.run(['events', '--stream=false', '--filter', 'container=ev', '--format', '{{.Action}}'], { timeout: 15_000 })
    expect(r.code, show(r)).toBe(0)
    expect(r.timedOut).toBe(false)
    expect(lines(r.stdout)).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']))
  })
})

describe('run --replace (podman)', () => {
  it('replaces the container of that name, running or not', async () => {
    const first = (await t.ok(['run', '-d', '--name', 'svc', 'demo:1', 'sleep', '300'])).stdout.trim()
    const second = (await t.ok(['run', '-d', '--replace', '--name', 'svc', 'demo:1', 'sleep', '300'])).stdout.trim()
    expect(second).not.toBe(first)
    expect((await t.psJson()).map((c) => c.ID)).toEqual([second.slice(0, 12)])
    const third = (await t.ok(['create', '--replace', '--name', 'svc', 'demo:1', 'true'])).stdout.trim()
    expect((await t.psJson()).map((c) => c.ID)).toEqual([third.slice(0, 12)])
  })

  it('without an existing one it is a plain run; without --name, an error', async () => {
    const r = await t.run(['run', '--rm', '--replace', '--name', 'fresh', 'demo:1', 'echo', 'ok'])
    expect(r.stdout, show(r)).toBe('ok\n')
    oneLine(await t.run(['run', '--rm', '--replace', 'demo:1', 'true']), 125, /--replace needs --name/)
  })

  it('a name that is only some other container\'s id prefix replaces nothing', async () => {
    const id = (await t.ok(['create', 'demo:1', 'true'])).stdout.trim()
    const prefix = id.slice(0, 8)
    await t.ok(['create', '--replace', '--name', prefix, 'demo:1', 'true'])
    expect((await t.psJson()).length).toBe(2)
  })
})

describe('images --sort and images REPOSITORY[:TAG]', () => {
  let s: Tsrun
  beforeAll(async () => {
    s = newRoot()
    await s.importDemo('zeta:1')
    await s.ok(['tag', 'zeta:1', 'alpha:2'])
    await s.ok(['tag', 'zeta:1', 'alpha:1'])
    await s.ok(['tag', 'zeta:1', 'mid:9'])
  }, 120_000)
  afterAll(() => s?.destroy(), 60_000)

  const order = async (...args: string[]) => lines((await s.ok(['images', ...args, '--format', '{{.Repository}}:{{.Tag}}'])).stdout)

  it('--sort repository and --sort tag (podman keys)', async () => {
    expect((await order('--sort', 'repository')).map((r) => r.split(':')[0])).toEqual(['alpha', 'alpha', 'mid', 'zeta'])
    const byTag = await order('--sort', 'tag')
    expect(byTag.map((r) => r.split(':')[1])).toEqual(['1', '1', '2', '9'])
  })

  it('--sort takes podman\'s keys only', async () => {
    oneLine(await s.run(['images', '--sort', 'name']), 125, /invalid argument "name" for "--sort" flag: use one of created, id, repository, size, tag/)
  })

  it('images REPO lists that repository, REPO:TAG only that tag (docker images [REPOSITORY[:TAG]])', async () => {
    expect((await order('alpha')).sort()).toEqual(['alpha:1', 'alpha:2'])
    expect(await order('alpha:2')).toEqual(['alpha:2'])
    expect(await order('docker.io/library/mid')).toEqual(['mid:9'])
    expect(await order('nothing')).toEqual([])
  })
})

describe('save -m (podman --multi-image-archive)', () => {
  it('writes every image into one docker-archive that load reads back', async () => {
    const s = newRoot()
    try {
      await s.importDemo('m1:1')
      await s.ok(['tag', 'm1:1', 'm2:1'])
      const file = path.join(work, 'multi.tar')
      await s.ok(['save', '-m', '-o', file, 'm1:1', 'm2:1'])
      const l = newRoot()
      try {
        const r = await l.ok(['load', '-i', file])
        expect(lines(r.stdout).sort()).toEqual(['Loaded image: m1:1', 'Loaded image: m2:1'])
      } finally {
        await l.destroy()
      }
    } finally {
      await s.destroy()
    }
  })
})

describe('cp --pause (podman)', () => {
  it('copies out of a running container, which is paused during the copy and running after', async () => {
    await t.ok(['run', '-d', '--name', 'cpp', 'demo:1', 'sh', '-c', 'echo content > /data; sleep 300'])
    await waitFor(async () => (await t.run(['exec', 'cpp', 'cat', '/data'])).stdout === 'content\n', 'file written')
    const dest = path.join(work, 'copied')
    await t.ok(['cp', '--pause', 'cpp:/data', dest])
    expect(fs.readFileSync(dest, 'utf8')).toBe('content\n')
    expect(await states()).toEqual({ cpp: 'running' })
    const ev = await t.ok(['events', '--stream=false', '--filter', 'container=cpp', '--format', '{{.Action}}'])
    expect(lines(ev.stdout)).toEqual(expect.arrayContaining(['pause', 'unpause']))
  })
})

describe('push --creds (podman)', () => {
  let reg: Registry
  let p: Tsrun
  beforeAll(async () => {
    reg = await startRegistry({ user: 'bob', password: 'pa:ss word' })
    p = newRoot()
    await p.importDemo(`${reg.host}/team/demo:1`)
  }, 120_000)
  afterAll(async () => {
    await p?.destroy()
    await reg?.stop()
  }, 60_000)

  it('pushes with the credentials given, saving none; a password may hold a colon', async () => {
    const denied = await p.run(['push', `${reg.host}/team/demo:1`])
    expect(denied.code, show(denied)).toBe(125)
    const r = await p.run(['push', '--creds', 'bob:pa:ss word', `${reg.host}/team/demo:1`], { timeout: 60_000 })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/)
    expect(fs.existsSync(path.join(p.root, 'auth.json'))).toBe(false)
  })

  it('wrong credentials fail in one line', async () => {
    const r = await p.run(['push', '--creds', 'bob:wrong', `${reg.host}/team/demo:1`], { timeout: 60_000 })
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
    oneLine(await p.run(['push', '--creds', ':x', `${reg.host}/team/demo:1`]), 125, /invalid --creds ":x": the user name is empty/)
  })
})

describe('error texts name the thing as Docker does', () => {
  it('No such container / image / volume / object across commands', async () => {
    const cases: [string[], string][] = [
      [['stop', 'ghost'], 'Error: No such container: ghost'],
      [['logs', 'ghost'], 'Error: No such container: ghost'],
      [['container', 'exists', 'ghost'], ''],
      [['rmi', 'ghost:1'], 'Error: No such image: ghost:1'],
      [['history', 'ghost:1'], 'Error: No such image: ghost:1'],
      [['image', 'inspect', 'ghost:1'], 'Error: No such image: ghost:1'],
      [['run', '--pull', 'never', 'ghost:1'], 'Error: No such image: ghost:1'],
      [['volume', 'inspect', 'ghost'], 'Error: No such volume: ghost'],
      [['volume', 'rm', 'ghost'], 'Error: No such volume: ghost'],
      [['inspect', 'ghost'], 'Error: No such object: ghost'],
    ]
    for (const [argv, text] of cases) {
      const r = await t.run(argv)
      expect(r.stderr.trim(), `${argv.join(' ')}\n${show(r)}`).toBe(text)
      expect(r.code).not.toBe(0)
    }
  })
})
