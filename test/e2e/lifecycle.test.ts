// run / ps / logs / stop / kill / wait / rm / inspect / create / start
import { describe, expect, it } from 'vitest'
import { HEX64, lines, parseTable, processAlive, pidStartTime, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

const LOOP = ['sh', '-c', 'while true; do date; sleep 1; done']

async function state(name: string): Promise<string> {
  const r = await t.run(['inspect', '--format', '{{.State.Status}}', name])
  return r.stdout.trim()
}

describe('run in the foreground', () => {
  it('prints the output and leaves nothing with --rm', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'echo', 'hello'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('hello\n')
    expect(r.stderr).toBe('')
    const ps = await t.ok(['ps', '-a', '-q'])
    expect(lines(ps.stdout)).toEqual([])
  })

  it('keeps stdout and stderr apart', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', 'echo to-out; echo to-err >&2'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('to-out\n')
    expect(r.stderr).toBe('to-err\n')
  })

  it('passes arguments through untouched', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'sh', '-c', 'for a in "$@"; do echo "[$a]"; done', 'x', 'a b', '', '$HOME', '--rm', '-d'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('[a b]\n[]\n[$HOME]\n[--rm]\n[-d]\n')
  })

  it('without --rm the container stays, Exited (N)', async () => {
    const r = await t.run(['run', '--name', 'stays', 'demo:1', 'sh', '-c', 'echo bye; exit 3'])
    expect(r.code, show(r)).toBe(3)
    const ps = await t.ok(['ps', '-a'])
    const row = parseTable(ps.stdout).rows.find((x) => x.NAMES === 'stays')
    expect(row, ps.stdout).toBeDefined()
    expect(row!.STATUS).toMatch(/^Exited \(3\) .*ago$/)
    expect(row!.IMAGE).toBe('demo:1')
    // not in plain ps (running only)
    const running = await t.ok(['ps'])
    expect(parseTable(running.stdout).rows.some((x) => x.NAMES === 'stays')).toBe(false)
    // logs of a finished container
    const logs = await t.run(['logs', 'stays'])
    expect(logs.code, show(logs)).toBe(0)
    expect(logs.stdout).toBe('bye\n')
    const rm = await t.run(['rm', 'stays'])
    expect(rm.code, show(rm)).toBe(0)
    expect(rm.stdout.trim()).toBe('stays')
    expect((await t.psJson()).some((c) => c.Names === 'stays')).toBe(false)
  })
})

describe('a detached container (web)', () => {
  let id = ''

  it('run -d prints the full id and the container runs', async () => {
    const r = await t.run(['run', '-d', '--name', 'web', 'demo:1', ...LOOP])
    expect(r.code, show(r)).toBe(0)
    id = r.stdout.trim()
    expect(id).toMatch(HEX64)
    expect(await state('web')).toBe('running')
  })

  it('ps shows it Up, with a 12-char id, the image, command and name', async () => {
    const r = await t.ok(['ps'])
    const { header, rows } = parseTable(r.stdout)
    expect(header).toEqual(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'])
    const row = rows.find((x) => x.NAMES === 'web')
    expect(row, r.stdout).toBeDefined()
    expect(row!['CONTAINER ID']).toBe(id.slice(0, 12))
    expect(row!.IMAGE).toBe('demo:1')
    expect(row!.COMMAND).toMatch(/sh -c/)
    expect(row!.STATUS).toMatch(/^Up /)
  })

  it('ps -q, --no-trunc and --format json', async () => {
    const q = await t.ok(['ps', '-q'])
    expect(lines(q.stdout)).toContain(id.slice(0, 12))
    const nt = await t.ok(['ps', '-q', '--no-trunc'])
    expect(lines(nt.stdout)).toContain(id)
    const full = await t.ok(['ps', '--no-trunc'])
    expect(full.stdout).toContain(id)

    const js = await t.psJson(false)
    const web = js.find((c) => c.Names === 'web')
    expect(web).toBeDefined()
    for (const k of ['ID', 'Image', 'Command', 'CreatedAt', 'Status', 'State', 'Names']) expect(web).toHaveProperty(k)
    expect(id.startsWith(web.ID)).toBe(true)
    expect(web.State).toBe('running')
    expect(web.Image).toBe('demo:1')
    expect(web.Status).toMatch(/^Up /)
  })

  it('logs, logs --tail', async () => {
    await waitFor(async () => lines((await t.ok(['logs', 'web'])).stdout).length >= 3, 'three log lines')
    const all = await t.ok(['logs', 'web'])
    const ls = lines(all.stdout)
    expect(ls.length).toBeGreaterThanOrEqual(3)
    // busybox `date` output: "Sat Nov 28 04:07:10 UTC 2026"
    for (const l of ls) expect(l).toMatch(/\d\d:\d\d:\d\d/)
    const tail = await t.ok(['logs', '--tail', '1', 'web'])
    expect(lines(tail.stdout)).toHaveLength(1)
    const tail2 = await t.ok(['logs', '--tail', '2', 'web'])
    expect(lines(tail2.stdout)).toHaveLength(2)
  })

  it('inspect shows Docker-shaped JSON', async () => {
    const r = await t.ok(['inspect', 'web'])
    const arr = JSON.parse(r.stdout)
    expect(Array.isArray(arr)).toBe(true)
    expect(arr).toHaveLength(1)
    const c = arr[0]
    expect(c.Id).toBe(id)
    expect(c.Name).toBe('/web')
    expect(c.State.Status).toBe('running')
    expect(c.State.Running).toBe(true)
    expect(c.State.Pid).toBeGreaterThan(0)
    // the pid is a real host process
    expect(pidStartTime(c.State.Pid)).toBeDefined()
    expect(c.State.StartedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(c.Config.Cmd).toEqual(LOOP)
    expect(c.Config.Image).toBe('demo:1')
    expect(c.Config.Hostname).toBe(id.slice(0, 12))
    expect(c.Config.Env).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    expect(c.HostConfig.NetworkMode).toBe('none')
    expect(c.HostConfig.AutoRemove).toBe(false)
    expect(c.GraphDriver.Name).toBe('overlay')
  })

  it('inspect --format and by id / prefix', async () => {
    const s = await t.ok(['inspect', '--format', '{{.State.Status}}', 'web'])
    expect(s.stdout).toBe('running\n')
    const j = await t.ok(['inspect', '--format', '{{json .Config}}', 'web'])
    const cfg = JSON.parse(j.stdout)
    expect(cfg.Cmd).toEqual(LOOP)
    for (const ref of [id, id.slice(0, 12), id.slice(0, 20)]) {
      const r = await t.ok(['inspect', '--format', '{{.Name}}', ref])
      expect(r.stdout.trim()).toBe('/web')
    }
  })

  it('rm without -f refuses a running container', async () => {
    const r = await t.run(['rm', 'web'])
    expect(r.code, show(r)).not.toBe(0)
    expect(r.stderr).toMatch(/web|[0-9a-f]{12}/)
    expect(r.stderr).toMatch(/-f|force|stop/i)
    expect(await state('web')).toBe('running')
  })

  it('stop -t 2: a PID 1 shell ignores TERM, so it is killed after the grace time (137)', async () => {
    const r = await t.run(['stop', '-t', '2', 'web'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout.trim()).toBe('web')
    const c = await t.inspect('web')
    expect(c.State.Status).toBe('exited')
    expect(c.State.Running).toBe(false)
    expect(c.State.ExitCode).toBe(137)
    expect(c.State.FinishedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    const w = await t.ok(['wait', 'web'])
    expect(w.stdout).toBe('137\n')
    const ps = await t.ok(['ps', '-a'])
    expect(parseTable(ps.stdout).rows.find((x) => x.NAMES === 'web')?.STATUS).toMatch(/^Exited \(137\)/)
  })

  it('rm removes it (prints the name)', async () => {
    const r = await t.run(['rm', 'web'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout.trim()).toBe('web')
    const i = await t.run(['inspect', 'web'])
    expect(i.code).not.toBe(0)
    expect(i.stderr).toMatch(/no such (container|object)/i)
    const l = await t.run(['logs', 'web'])
    expect(l.code).not.toBe(0)
    expect(l.stderr).toMatch(/no such container/i)
  })
})

describe('stop, kill, wait', () => {
  it('stop delivers SIGTERM first: a trapping PID 1 exits with its own code', async () => {
    const r = await t.run(['run', '-d', '--name', 'trapper', 'demo:1', 'sh', '-c', 'trap "echo got-term; exit 7" TERM; echo ready; while true; do sleep 0.2; done'])
    expect(r.code, show(r)).toBe(0)
    await waitFor(async () => (await t.ok(['logs', 'trapper'])).stdout.includes('ready'), 'trapper ready')
    const s = await t.run(['stop', '-t', '30', 'trapper'])
    expect(s.code, show(s)).toBe(0)
    expect(s.stdout.trim()).toBe('trapper')
    const w = await t.ok(['wait', 'trapper'])
    expect(w.stdout).toBe('7\n')
    expect((await t.ok(['logs', 'trapper'])).stdout).toContain('got-term')
  })

  it('kill defaults to SIGKILL (137) and prints the name', async () => {
    await t.ok(['run', '-d', '--name', 'victim', 'demo:1', 'sleep', '1000'])
    const c = await t.inspect('victim')
    const pid = c.State.Pid
    const st = pidStartTime(pid)
    const k = await t.run(['kill', 'victim'])
    expect(k.code, show(k)).toBe(0)
    expect(k.stdout.trim()).toBe('victim')
    const w = await t.ok(['wait', 'victim'])
    expect(w.stdout).toBe('137\n')
    expect(processAlive(pid, st)).toBe(false)
  })

  it('kill -s TERM sends that signal', async () => {
    await t.ok(['run', '-d', '--name', 'termme', 'demo:1', 'sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.2; done'])
    await waitFor(async () => (await t.ok(['logs', 'termme'])).stdout.includes('ready'), 'termme ready')
    const k = await t.run(['kill', '-s', 'TERM', 'termme'])
    expect(k.code, show(k)).toBe(0)
    expect(k.stdout.trim()).toBe('termme')
    expect((await t.ok(['wait', 'termme'])).stdout).toBe('42\n')
  })

  it('kill -s accepts SIGUSR1 / numbers', async () => {
    await t.ok(['run', '-d', '--name', 'usr1', 'demo:1', 'sh', '-c', 'trap "exit 11" USR1; trap "exit 12" HUP; echo ready; while true; do sleep 0.2; done'])
    await waitFor(async () => (await t.ok(['logs', 'usr1'])).stdout.includes('ready'), 'usr1 ready')
    expect((await t.run(['kill', '-s', 'SIGUSR1', 'usr1'])).code).toBe(0)
    expect((await t.ok(['wait', 'usr1'])).stdout).toBe('11\n')
    await t.ok(['run', '-d', '--name', 'hup', 'demo:1', 'sh', '-c', 'trap "exit 12" HUP; echo ready; while true; do sleep 0.2; done'])
    await waitFor(async () => (await t.ok(['logs', 'hup'])).stdout.includes('ready'), 'hup ready')
    expect((await t.run(['kill', '-s', '1', 'hup'])).code).toBe(0)
    expect((await t.ok(['wait', 'hup'])).stdout).toBe('12\n')
  })

  it('wait blocks until the container exits and prints each code in order', async () => {
    await t.ok(['run', '-d', '--name', 'w1', 'demo:1', 'sh', '-c', 'sleep 2; exit 3'])
    await t.ok(['run', '-d', '--name', 'w2', 'demo:1', 'sh', '-c', 'exit 4'])
    const w = await t.run(['wait', 'w1', 'w2'])
    expect(w.code, show(w)).toBe(0)
    expect(w.stdout).toBe('3\n4\n')
    expect(await state('w1')).toBe('exited')
  })

  it('stop and kill take several names; rm -f removes running ones', async () => {
    await t.ok(['run', '-d', '--name', 'm1', 'demo:1', 'sleep', '1000'])
    await t.ok(['run', '-d', '--name', 'm2', 'demo:1', 'sleep', '1000'])
    await t.ok(['run', '-d', '--name', 'm3', 'demo:1', 'sleep', '1000'])
    const k = await t.run(['kill', 'm1', 'm2'])
    expect(k.code, show(k)).toBe(0)
    expect(lines(k.stdout)).toEqual(['m1', 'm2'])
    const rm = await t.run(['rm', '-f', 'm1', 'm2', 'm3'])
    expect(rm.code, show(rm)).toBe(0)
    expect(lines(rm.stdout)).toEqual(['m1', 'm2', 'm3'])
    const names = (await t.psJson()).map((c) => c.Names)
    for (const n of ['m1', 'm2', 'm3']) expect(names).not.toContain(n)
  })

  it('stop on an already exited container is fine', async () => {
    await t.ok(['run', '--name', 'done1', 'demo:1', 'true'])
    const s = await t.run(['stop', 'done1'])
    expect(s.code, show(s)).toBe(0)
    expect((await t.ok(['wait', 'done1'])).stdout).toBe('0\n')
  })
})

describe('logs -f', () => {
  it('follows until the container exits, then returns 0', async () => {
    await t.ok(['run', '-d', '--name', 'follow', 'demo:1', 'sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 1; done; echo oops >&2'])
    const r = await t.run(['logs', '-f', 'follow'], { timeout: 30_000 })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('line1\nline2\nline3\n')
    expect(r.stderr).toBe('oops\n')
    expect(await state('follow')).toBe('exited')
  })

  it('on an exited container prints everything and returns', async () => {
    const r = await t.run(['logs', '-f', 'follow'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('line1\nline2\nline3\n')
  })

  it('--tail with -f', async () => {
    const r = await t.run(['logs', '-f', '--tail', '1', 'follow'])
    expect(r.code, show(r)).toBe(0)
    // the last entry overall is the stderr line
    expect(r.stdout + r.stderr).toBe('oops\n')
  })

  it('logs separates the streams of a finished container', async () => {
    const r = await t.run(['logs', 'follow'])
    expect(r.stdout).toBe('line1\nline2\nline3\n')
    expect(r.stderr).toBe('oops\n')
  })
})

describe('create and start', () => {
  it('create makes a Created container; start runs it', async () => {
    const c = await t.run(['create', '--name', 'c1', 'demo:1', 'echo', 'created-out'])
    expect(c.code, show(c)).toBe(0)
    const id = c.stdout.trim()
    expect(id).toMatch(HEX64)

    const ps = await t.ok(['ps', '-a'])
    const row = parseTable(ps.stdout).rows.find((x) => x.NAMES === 'c1')
    expect(row?.STATUS, ps.stdout).toBe('Created')
    expect((await t.psJson()).find((x) => x.Names === 'c1')?.State).toBe('created')
    expect(await state('c1')).toBe('created')
    // not running: plain ps does not show it
    expect(parseTable((await t.ok(['ps'])).stdout).rows.some((x) => x.NAMES === 'c1')).toBe(false)

    const s = await t.run(['start', 'c1'])
    expect(s.code, show(s)).toBe(0)
    expect(s.stdout.trim()).toBe('c1')
    expect((await t.ok(['wait', 'c1'])).stdout).toBe('0\n')
    expect((await t.ok(['logs', 'c1'])).stdout).toBe('created-out\n')
  })

  it('start by id prints the id given', async () => {
    const c = await t.ok(['create', 'demo:1', 'true'])
    const short = c.stdout.trim().slice(0, 12)
    const s = await t.run(['start', short])
    expect(s.code, show(s)).toBe(0)
    expect(s.stdout.trim()).toBe(short)
    expect((await t.ok(['wait', short])).stdout).toBe('0\n')
  })

  it('start -a streams the output and exits with the container code', async () => {
    await t.ok(['create', '--name', 'c2', 'demo:1', 'sh', '-c', 'echo x; echo y >&2; exit 4'])
    const s = await t.run(['start', '-a', 'c2'])
    expect(s.code, show(s)).toBe(4)
    expect(s.stdout).toBe('x\n')
    expect(s.stderr).toBe('y\n')
    expect(await state('c2')).toBe('exited')
  })

  it('create --rm: the container is removed once it exits', async () => {
    await t.ok(['create', '--rm', '--name', 'c3', 'demo:1', 'echo', 'bye'])
    expect((await t.inspect('c3')).HostConfig.AutoRemove).toBe(true)
    const s = await t.run(['start', '-a', 'c3'])
    expect(s.code, show(s)).toBe(0)
    expect(s.stdout).toBe('bye\n')
    await waitFor(async () => !(await t.psJson()).some((c) => c.Names === 'c3'), 'c3 to be removed')
  })

  it('rm of a created container needs no -f', async () => {
    await t.ok(['create', '--name', 'c4', 'demo:1', 'true'])
    const r = await t.run(['rm', 'c4'])
    expect(r.code, show(r)).toBe(0)
    expect((await t.psJson()).some((c) => c.Names === 'c4')).toBe(false)
  })
})

describe('run -d --rm', () => {
  it('the container removes itself when it exits', async () => {
    const r = await t.run(['run', '-d', '--rm', '--name', 'selfrm', 'demo:1', 'sh', '-c', 'sleep 1'])
    expect(r.code, show(r)).toBe(0)
    expect((await t.inspect('selfrm')).HostConfig.AutoRemove).toBe(true)
    await waitFor(async () => !(await t.psJson()).some((c) => c.Names === 'selfrm'), 'selfrm to be removed')
  })
})

describe('names and ids', () => {
  it('generated names are unique and usable', async () => {
    const a = (await t.ok(['run', '-d', 'demo:1', 'sleep', '1000'])).stdout.trim()
    const b = (await t.ok(['run', '-d', 'demo:1', 'sleep', '1000'])).stdout.trim()
    const ps = await t.psJson()
    const na = ps.find((c) => a.startsWith(c.ID))?.Names
    const nb = ps.find((c) => b.startsWith(c.ID))?.Names
    expect(na).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)
    expect(nb).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)
    expect(na).not.toBe(nb)
    const k = await t.run(['rm', '-f', na!, b.slice(0, 12)])
    expect(k.code, show(k)).toBe(0)
    expect(lines(k.stdout)).toEqual([na, b.slice(0, 12)])
  })

  it('a unique id prefix works where a name does', async () => {
    const id = (await t.ok(['run', '-d', '--name', 'pref', 'demo:1', 'sleep', '1000'])).stdout.trim()
    // find the shortest prefix that is unique among this root's containers
    const all = (await t.ok(['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n')
    let n = 1
    while (all.filter((x) => x.startsWith(id.slice(0, n))).length > 1) n++
    const prefix = id.slice(0, Math.max(n, 4))
    expect((await t.ok(['inspect', '--format', '{{.Name}}', prefix])).stdout.trim()).toBe('/pref')
    const k = await t.run(['kill', prefix])
    expect(k.code, show(k)).toBe(0)
    expect((await t.ok(['wait', id])).stdout).toBe('137\n')
    expect((await t.run(['rm', id])).code).toBe(0)
  })
})
