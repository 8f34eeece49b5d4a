// Isolation backends that are OCI runtimes (plugins/isolation-oci): tsrun's
// monitor drives Debian's runc, crun and tsrun's own tsrun-runtime through
// runc's command line. The same cases for each; after each case nothing is
// left: no mount under the state root, no cgroup, no process, and the
// runtime's own `list` is empty.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cgroupDirsFor, exec, lines, mountsUnder, pidsWithCmdline, REPO, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { describePty, pty } from '../support/pty'

const { t } = useRoot()

const TSRUN_RUNTIME = path.join(REPO, 'packages', 'native', 'bin', 'tsrun-runtime')

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const f = path.join(dir, name)
    try {
      fs.accessSync(f, fs.constants.X_OK)
      return f
    } catch {
      /* next */
    }
  }
  return undefined
}

interface Backend {
  label: string
  /** run/create flags choosing it. */
  flags: string[]
  binary?: string
  /** Its state root under the run root (plugins/isolation-oci). */
  rootName: string
}

const BACKENDS: Backend[] = [
  { label: 'runc', flags: ['--isolation', 'runc'], binary: which('runc'), rootName: 'runc' },
  { label: 'tsrun-runtime by path', flags: ['--runtime', TSRUN_RUNTIME], binary: TSRUN_RUNTIME, rootName: `path${TSRUN_RUNTIME.replace(/[^A-Za-z0-9._-]/g, '_')}` },
  { label: 'crun', flags: ['--isolation', 'crun'], binary: which('crun'), rootName: 'crun' },
]

/** `/sys/fs/cgroup/<controller>/tsrun/<id>`: where every runtime makes the container's cgroup. */
const cgroupFile = (controller: string, id: string, file: string) => path.join('/sys/fs/cgroup', controller, 'tsrun', id, file)

for (const b of BACKENDS) {
  if (!b.binary || !fs.existsSync(b.binary)) {
    // Skipped with its reason in the name and on the output (.ci/run installs runc, and crun comes with podman).
    const reason = `${b.binary ?? b.label} is not installed on this host`
    describe.skip(`isolation ${b.label} (skipped: ${reason})`, () => {
      it(`needs ${b.binary ?? b.label}`, () => expect(fs.existsSync(b.binary ?? '')).toBe(true))
    })
    console.log(`isolation-oci: skipping ${b.label}: ${reason}`)
    continue
  }
  const runtimeRoot = () => path.join(t.root, 'run', 'runtimes', b.rootName)
  const made: string[] = []
  /** `run` with this backend; records the container for the leak check. */
  const run = async (args: string[], opts: { input?: string } = {}) => {
    const r = await t.run(['run', ...b.flags, ...args], { ...opts, timeout: 40_000 })
    return r
  }
  const runD = async (args: string[]) => {
    const r = await run(['-d', ...args])
    expect(r.code, show(r)).toBe(0)
    const id = r.stdout.trim()
    made.push(id)
    return id
  }

  describe(`isolation ${b.label}`, () => {
    afterEach(async () => {
      const left = lines((await t.ok(['ps', '-aq', '--no-trunc'])).stdout)
      const ids = [...new Set([...made, ...left])]
      made.length = 0
      if (left.length) await t.ok(['rm', '-f', ...left], { timeout: 60_000 })
      expect(mountsUnder(t.root)).toEqual([])
      expect(pidsWithCmdline(t.root)).toEqual([])
      for (const id of ids) expect(cgroupDirsFor(id)).toEqual([])
      const list = await exec(b.binary!, ['--root', runtimeRoot(), 'list', '--quiet'])
      expect(list.code, show(list)).toBe(0)
      expect(list.stdout.trim()).toBe('')
    }, 90_000)

    it('run --rm: output and exit codes pass through; a missing command is 127 with one line', async () => {
      const hello = await run(['--rm', 'demo:1', 'echo', 'hello'])
      expect(hello.code, show(hello)).toBe(0)
      expect(hello.stdout).toBe('hello\n')
      const three = await run(['--rm', 'demo:1', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
      expect(three.code, show(three)).toBe(3)
      expect(three.stdout).toBe('out\n')
      expect(three.stderr).toBe('err\n')
      const nope = await run(['--rm', 'demo:1', 'no-such-command'])
      expect(nope.code, show(nope)).toBe(127)
      expect(lines(nope.stderr)).toHaveLength(1)
      expect(nope.stderr).toContain('no-such-command')
      // --user names resolve in the image's /etc/passwd before the runtime sees the spec.
      const user = await run(['--rm', '-u', 'nobody', '--group-add', 'root', 'demo:1', 'id'])
      expect(user.code, show(user)).toBe(0)
      expect(user.stdout).toMatch(/^uid=65534\(nobody\) gid=65534\(nogroup\) groups=.*\b0\(root\)/)
      // A name the image does not know is refused, never dropped.
      const group = await run(['--rm', '--group-add', 'no-such-group', 'demo:1', 'id'])
      expect(group.code, show(group)).toBe(125)
      expect(lines(group.stderr)).toEqual([expect.stringContaining('unable to find group no-such-group')])
    }, 60_000)

    it('-d, logs, stop, start, kill and rm', async () => {
      const id = await runD(['demo:1', 'sh', '-c', "trap 'echo bye; exit 0' TERM; while true; do echo tick; sleep 0.2; done"])
      await waitFor(async () => (await t.ok(['logs', id])).stdout.includes('tick'), 'the first tick in the log')
      expect((await t.inspect(id)).State.Status).toBe('running')
      // What the runtime was given needs nothing of tsrun's.
      const spec = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'runtime-bundle', 'config.json'), 'utf8'))
      expect(Object.keys(spec.annotations ?? {}).filter((k) => k.startsWith('io.tsrun.'))).toEqual([])
      expect(JSON.stringify(spec.mounts)).not.toContain('io.tsrun.')
      expect(spec.root.path).toBe(path.join(t.root, 'containers', id, 'rootfs'))
      expect(spec.linux.cgroupsPath).toBe(`/tsrun/${id}`)
      await t.ok(['stop', '-t', '5', id])
      const stopped = (await t.inspect(id)).State
      expect(stopped.Status).toBe('exited')
      expect(stopped.ExitCode).toBe(0)
      expect((await t.ok(['logs', id])).stdout).toContain('bye')
      await t.ok(['start', id])
      expect((await t.inspect(id)).State.Status).toBe('running')
      await t.ok(['kill', id])
      expect((await t.ok(['wait', id])).stdout).toBe('137\n')
      await t.ok(['rm', id])
      expect(await t.psJson()).toEqual([])
    }, 60_000)

    it('run -d --rm: the monitor\'s exit command removes it (from the host\'s mount namespace)', async () => {
      const r = await run(['-d', '--rm', 'demo:1', 'sh', '-c', 'echo bye'])
      expect(r.code, show(r)).toBe(0)
      made.push(r.stdout.trim())
      await waitFor(async () => (await t.psJson()).length === 0, 'the container gone', 20_000)
      expect(fs.existsSync(path.join(t.root, 'containers', r.stdout.trim()))).toBe(false)
    }, 60_000)

    it('exec: stdio, exit code, user, stdin, -d, and a missing command', async () => {
      const id = await runD(['demo:1', 'sleep', '1000'])
      const e = await t.run(['exec', id, 'sh', '-c', 'echo out; echo err >&2; exit 7'])
      expect(e.code, show(e)).toBe(7)
      expect(e.stdout).toBe('out\n')
      expect(e.stderr).toBe('err\n')
      const u = await t.ok(['exec', '-u', 'nobody', id, 'id'])
      expect(u.stdout).toMatch(/^uid=65534\(nobody\) gid=65534\(nogroup\)/)
      const i = await t.run(['exec', '-i', id, 'cat'], { input: 'through stdin\n' })
      expect(i.stdout, show(i)).toBe('through stdin\n')
      const nope = await t.run(['exec', id, 'no-such-command'])
      expect(nope.code, show(nope)).toBe(127)
      expect(lines(nope.stderr)).toHaveLength(1)
      await t.ok(['exec', '-d', id, 'sleep', '777'])
      const top = await t.ok(['top', id])
      expect(top.stdout).toContain('sleep 777')
    }, 60_000)

    it('exec -it: a terminal from the runtime, through the console socket', async () => {
      const id = await runD(['demo:1', 'sleep', '1000'])
      const r = await pty(t, ['exec', '-it', id, 'sh'], [{ expect: '# ' }, { send: 'tty; echo x-$((40+2)); exit 4\r' }, { expect: '/dev/pts/\\d+' }, { expect: 'x-42' }])
      expect(r.ok, describePty(r)).toBe(true)
      expect(r.exitCode, describePty(r)).toBe(4)
    }, 60_000)

    it('run -it: the terminal, its size, and the exit code', async () => {
      const r = await pty(t, ['run', ...b.flags, '-it', '--rm', 'demo:1', 'sh'], [
        { expect: '# ' },
        { send: 'test -t 0 && echo tty-$((40+2)); stty size; exit 3\r' },
        { expect: 'tty-42' },
        { expect: '30 100' },
      ])
      expect(r.ok, describePty(r)).toBe(true)
      expect(r.exitCode, describePty(r)).toBe(3)
    }, 60_000)

    it('--memory and --pids-limit are in the cgroup the runtime made, and enforced', async () => {
      const id = await runD(['--memory', '64m', '--pids-limit', '33', 'demo:1', 'sleep', '1000'])
      expect(fs.readFileSync(cgroupFile('memory', id, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 << 20))
      expect(fs.readFileSync(cgroupFile('pids', id, 'pids.max'), 'utf8').trim()).toBe('33')
      const stats = await t.ok(['stats', '--no-stream', '--format', '{{.MemUsage}}', id])
      expect(stats.stdout).toContain('64MiB')
      await t.ok(['update', '--memory', '96m', id])
      expect(fs.readFileSync(cgroupFile('memory', id, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(96 << 20))

      const hog = await runD(['--memory', '16m', 'demo:1', 'sh', '-c', 'x=a; while true; do x=$x$x; done'])
      expect((await t.ok(['wait', hog], { timeout: 60_000 })).stdout).toBe('137\n')
      expect((await t.inspect(hog)).State.OOMKilled).toBe(true)

      // Room for runc's own init while it sets up (a Go program: its threads are tasks the pids controller counts), then sh forks past it.
      const forks = await run(['--rm', '--pids-limit', '12', 'demo:1', 'sh', '-c', 'for i in $(seq 24); do sleep 3 & done; wait'])
      expect(forks.stderr, show(forks)).toMatch(/can't fork/)
    }, 90_000)

    it('pause and unpause freeze the runtime\'s cgroup', async () => {
      const id = await runD(['demo:1', 'sleep', '1000'])
      await t.ok(['pause', id])
      expect((await t.inspect(id)).State.Status).toBe('paused')
      expect(fs.readFileSync(cgroupFile('freezer', id, 'freezer.state'), 'utf8').trim()).toBe('FROZEN')
      const refused = await t.run(['exec', id, 'true'])
      expect(refused.code).toBe(125)
      await t.ok(['unpause', id])
      expect((await t.inspect(id)).State.Status).toBe('running')
      expect((await t.ok(['exec', id, 'echo', 'thawed'])).stdout).toBe('thawed\n')
    }, 60_000)

    it('--init: the reaper is PID 1, from a private copy bound read-only', async () => {
      const r = await run(['--rm', '--init', 'demo:1', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; grep tsrun-init /proc/self/mountinfo | grep -c " ro,"'])
      expect(r.code, show(r)).toBe(0)
      expect(lines(r.stdout)).toEqual([expect.stringMatching(/^\/sbin\/tsrun-init -- sh -c/), '1'])
    }, 60_000)

    it('a monitor killed with SIGKILL leaves nothing that rm does not take back', async () => {
      const id = await runD(['demo:1', 'sleep', '1000'])
      const state = JSON.parse(fs.readFileSync(path.join(t.root, 'containers', id, 'shim.json'), 'utf8'))
      process.kill(state.monitorPid, 'SIGKILL')
      await waitFor(() => !fs.existsSync(`/proc/${state.monitorPid}/stat`) || fs.readFileSync(`/proc/${state.monitorPid}/stat`, 'utf8').split(') ')[1].startsWith('Z'), 'the monitor gone')
      // The container runs on (its init is not the monitor's to take down) ...
      expect((await t.inspect(id)).State.Status).toBe('running')
      // ... and rm -f kills it and has the runtime delete its state (afterEach checks the rest).
      await t.ok(['rm', '-f', id])
    }, 60_000)

    it('--ipc container:NAME and --uts host: what no spec can say is settled by the monitor', async () => {
      const donor = await runD(['--ipc', 'shareable', 'demo:1', 'sleep', '1000'])
      await t.ok(['exec', donor, 'sh', '-c', 'echo from-donor > /dev/shm/note'])
      const joiner = await run(['--rm', '--ipc', `container:${donor}`, 'demo:1', 'sh', '-c', 'cat /dev/shm/note; echo from-joiner > /dev/shm/back'])
      expect(joiner.code, show(joiner)).toBe(0)
      expect(joiner.stdout).toBe('from-donor\n')
      expect((await t.ok(['exec', donor, 'cat', '/dev/shm/back'])).stdout).toBe('from-joiner\n')
      const uts = await run(['--rm', '--uts', 'host', 'demo:1', 'hostname'])
      expect(uts.code, show(uts)).toBe(0)
      expect(uts.stdout.trim()).toBe(os.hostname())
    }, 60_000)

    it('a restart policy starts it again through the runtime', async () => {
      const id = await runD(['--restart', 'on-failure:2', 'demo:1', 'sh', '-c', 'echo run; exit 3'])
      await waitFor(async () => {
        const s = await t.inspect(id)
        return s.RestartCount === 2 && s.State.Status === 'exited'
      }, 'two restarts, then exited', 30_000)
      expect((await t.inspect(id)).State.ExitCode).toBe(3)
      expect(lines((await t.ok(['logs', id])).stdout)).toEqual(['run', 'run', 'run'])
    }, 60_000)
  })
}

describe('OCI runtimes: choice and bad input', () => {
  let failing = ''
  beforeAll(() => {
    // A "runtime" that refuses every create, as a broken one would.
    failing = path.join(t.root, 'refusing-runtime')
    fs.writeFileSync(failing, '#!/bin/sh\ncase "$*" in *" create "*) echo "refusing-runtime: cannot create this container" >&2; exit 3;; esac\nexit 0\n', { mode: 0o755 })
  })

  afterEach(async () => {
    expect(await t.psJson()).toEqual([])
    expect(mountsUnder(t.root)).toEqual([])
    expect(pidsWithCmdline(t.root)).toEqual([])
  })

  it('info lists the runtimes found on PATH and the family of paths', async () => {
    const info = await t.ok(['info', '--format', '{{json .Backends.isolation}}'])
    const names = JSON.parse(info.stdout) as string[]
    expect(names).toContain('native')
    if (which('runc')) expect(names).toContain('runc')
    if (which('crun')) expect(names).toContain('crun')
    expect(names).toContain('/PATH/TO/OCI-RUNTIME')
  })

  it('--runtime /nonexistent: one line, 125, nothing made', async () => {
    const r = await t.run(['run', '--rm', '--runtime', '/nonexistent', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toContain('/nonexistent')
  })

  it('an unknown isolation name: one line, 125', async () => {
    const r = await t.run(['run', '--rm', '--isolation', 'no-such-runtime', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toContain('no-such-runtime')
  })

  it('--runtime and --isolation naming different backends: one line, 125', async () => {
    const r = await t.run(['run', '--rm', '--runtime', 'runc', '--isolation', 'native', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
  })

  it('a container whose runtime binary went away can still be removed, leaving nothing', async () => {
    const runc = which('runc')
    if (!runc) return console.log('isolation-oci: skipping the vanished-runtime case: runc is not installed')
    const copy = path.join(t.root, 'runc-copy')
    fs.copyFileSync(runc, copy)
    fs.chmodSync(copy, 0o755)
    const id = (await t.ok(['run', '-d', '--runtime', copy, 'demo:1', 'sleep', '1000'])).stdout.trim()
    fs.rmSync(copy)
    await t.ok(['rm', '-f', id])
    expect(cgroupDirsFor(id)).toEqual([])
    const stateRoot = path.join(t.root, 'run', 'runtimes', `path${copy.replace(/[^A-Za-z0-9._-]/g, '_')}`)
    expect(fs.existsSync(path.join(stateRoot, id))).toBe(false)
  })

  it('a runtime that fails create: its line, 125, nothing left behind', async () => {
    const r = await t.run(['run', '--rm', '--runtime', failing, 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([expect.stringContaining('refusing-runtime: cannot create this container')])
    const d = await t.run(['run', '-d', '--runtime', failing, 'demo:1', 'true'])
    expect(d.code, show(d)).toBe(125)
    expect(d.stderr).toContain('refusing-runtime: cannot create this container')
    // Docker keeps a container whose start failed; rm takes it, and its rootfs, away.
    const left = lines((await t.ok(['ps', '-aq', '--no-trunc'])).stdout)
    if (left.length) await t.ok(['rm', '-f', ...left])
  })
})
