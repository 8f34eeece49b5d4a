// Issue 10: `--log-driver json-file|k8s-file|none|journald` and the `logs`
// that goes with each: Docker's json-file (the default), podman's k8s-file
// (podman-run(1): "k8s-file" writes the Kubernetes log format), Docker's
// none ("docker logs" then fails: "configured logging driver does not
// support reading") and journald (Docker's journald driver: one entry per
// line with CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME, CONTAINER_TAG,
// SYSLOG_IDENTIFIER, IMAGE_NAME; read back by `logs`). journald only where
// the host runs one: this machine kind does not, so the journald cases run
// the real systemd-journald in a private mount namespace, and tsrun inside
// it through nsenter.
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, exec, lines, show, waitFor, type RunOpts } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const logFile = (id: string) => path.join(t.root, 'containers', id, 'container.log')
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/

describe('json-file (the default) and k8s-file', () => {
  it('the default is json-file, as Docker\'s: inspect says so and the log is its JSON lines', async () => {
    await t.ok(['run', '--name', 'jf', 'demo:1', 'echo', 'hi'])
    const i = await t.inspect('jf')
    expect(i.HostConfig.LogConfig.Type).toBe('json-file')
    expect(i.LogPath).toBe(logFile(i.Id))
    expect(JSON.parse(fs.readFileSync(i.LogPath, 'utf8'))).toMatchObject({ log: 'hi\n', stream: 'stdout' })
  })

  it('podman run --log-driver k8s-file: TIME STREAM F|P TEXT lines, P for a line without its newline', async () => {
    await t.ok(['run', '--name', 'k8', '--log-driver', 'k8s-file', 'demo:1', 'sh', '-c', 'echo one; echo two >&2; printf three'])
    const i = await t.inspect('k8')
    expect(i.HostConfig.LogConfig.Type).toBe('k8s-file')
    const file = lines(fs.readFileSync(i.LogPath, 'utf8')).map((l) => l.split(' '))
    // Each stream in its order (the two pipes are read as data comes, so not across them).
    expect(file.map((f) => f.slice(1)).filter((f) => f[0] === 'stdout')).toEqual([['stdout', 'F', 'one'], ['stdout', 'P', 'three']])
    expect(file.map((f) => f.slice(1)).filter((f) => f[0] === 'stderr')).toEqual([['stderr', 'F', 'two']])
    for (const f of file) expect(f[0]).toMatch(TIME)
  })

  it('tsrun logs reads k8s-file as json-file: streams apart, --tail, --timestamps, --since', async () => {
    const all = await t.ok(['logs', 'k8'])
    expect([all.stdout, all.stderr]).toEqual(['one\nthree', 'two\n'])
    await t.ok(['run', '--name', 'k8one', '--log-driver', 'k8s-file', 'demo:1', 'sh', '-c', 'echo a; echo b; printf c'])
    expect((await t.ok(['logs', '--tail', '2', 'k8one'])).stdout).toBe('b\nc')
    const stamped = await t.ok(['logs', '-t', 'k8'])
    expect(stamped.stderr).toMatch(/^\d{4}-\S+Z two\n$/)
    expect((await t.ok(['logs', '--since', '1h', 'k8'])).stdout).toBe('one\nthree')
    expect((await t.ok(['logs', '--since', String(Date.now() / 1000 + 60), 'k8'])).stdout).toBe('')
  })

  it('k8s-file rotates with --log-opt max-size/max-file, and logs -f follows it to the end', async () => {
    await t.ok(['run', '-d', '--name', 'k8rot', '--log-driver', 'k8s-file', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'demo:1', 'sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done; sleep 1'])
    const r = await t.run(['logs', '-f', 'k8rot'])
    expect(r.code, show(r)).toBe(0)
    const got = lines(r.stdout)
    // Rotation kept the newest lines, in order, up to the last.
    expect(got[got.length - 1]).toBe('line-199')
    expect(got).toEqual(got.map((_, i) => `line-${200 - got.length + i}`))
    const id = (await t.inspect('k8rot')).Id
    expect(fs.existsSync(`${logFile(id)}.2`) && !fs.existsSync(`${logFile(id)}.3`)).toBe(true)
  })
})

describe('none', () => {
  it('docker run --log-driver none: no log file at all, LogPath empty; the output still reaches a foreground run', async () => {
    const r = await t.run(['run', '--name', 'quiet', '--log-driver', 'none', 'demo:1', 'echo', 'seen'])
    expect(r.stdout).toBe('seen\n')
    const i = await t.inspect('quiet')
    expect(i.LogPath).toBe('')
    expect(i.HostConfig.LogConfig).toEqual({ Type: 'none', Config: {} })
    expect(fs.existsSync(logFile(i.Id))).toBe(false)
  })

  it('docker logs of it says Docker\'s error, 125', async () => {
    const r = await t.run(['logs', 'quiet'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: configured logging driver does not support reading'])
  })

  it('attach still streams it (the attach socket is not the log)', async () => {
    await t.ok(['run', '-d', '--name', 'quiet2', '--log-driver', 'none', 'demo:1', 'sh', '-c', 'sleep 1; echo attached-out'])
    const r = await t.run(['attach', 'quiet2'])
    expect(r.stdout).toBe('attached-out\n')
  })
})

describe('bad drivers and options', () => {
  it.each([
    [['--log-driver', 'syslog'], 'Error: --log-driver "syslog": unknown log driver; use json-file, k8s-file, none, journald'],
    [['--log-driver', 'none', '--log-opt', 'max-size=1m'], 'Error: unknown --log-opt "max-size" for the none log driver: it takes no options'],
    [['--log-driver', 'k8s-file', '--log-opt', 'tag=x'], 'Error: unknown --log-opt "tag" for the k8s-file log: use max-size or max-file'],
  ])('%j is one line, 125, and no container', async (flags, message) => {
    const before = (await t.psJson()).length
    const r = await t.run(['create', ...flags, 'demo:1', 'true'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual([message])
    expect((await t.psJson()).length).toBe(before)
  })

  it('journald on a host without one is refused at create, naming what is missing', async () => {
    const r = await t.run(['create', '--log-driver', 'journald', 'demo:1', 'true'])
    if (fs.existsSync('/run/systemd/journal/socket')) {
      console.warn('this host runs journald: the refusal is not what happens here')
      expect(r.code, show(r)).toBe(0)
      return
    }
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: --log-driver journald: no journald on this host (/run/systemd/journal/socket is missing); use json-file (the default) or k8s-file'])
  })
})

describe('journald, with a real journald in a private mount namespace', () => {
  const JOURNALD = '/lib/systemd/systemd-journald'
  const have = fs.existsSync(JOURNALD)
  if (!have) console.warn(`skipping the journald cases: ${JOURNALD} is not installed`)
  let holder: ChildProcess | undefined
  let nsPid = 0

  /** tsrun (or any command) in the namespace where journald runs. */
  const inNs = (cmd: string, args: string[], opts: RunOpts = {}) => exec('nsenter', ['-t', String(nsPid), '-m', cmd, ...args], { ...opts, env: { ...t.env, ...opts.env } })
  const tsrun = (args: string[]) => inNs(BIN, args)

  beforeAll(async () => {
    if (!have) return
    // A shell in its own mount namespace: tmpfs over where journald keeps its sockets and files, journald, then wait.
    const script = [
      'set -e',
      'mount --make-rprivate /',
      'mkdir -p /run/systemd /run/log',
      'for d in /run/systemd /run/log /var/log/journal; do mount -t tmpfs tmpfs $d; done',
      `${JOURNALD} &`,
      'while [ ! -S /run/systemd/journal/socket ]; do sleep 0.05; done',
      'echo ready',
      'wait',
    ].join('\n')
    holder = spawn('unshare', ['-m', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve())
      holder!.on('exit', (c) => reject(new Error(`journald's namespace ended: ${c}`)))
    })
    nsPid = holder.pid!
  }, 60_000)

  afterAll(async () => {
    if (!holder) return
    // Containers started in there first, then journald and its shell.
    const ids = await tsrun(['ps', '-aq'])
    if (ids.code === 0 && ids.stdout.trim()) await tsrun(['rm', '-f', ...lines(ids.stdout)])
    // journald is the shell's child: both by their pids.
    const children = fs.readFileSync(`/proc/${nsPid}/task/${nsPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    for (const c of children) process.kill(Number(c), 'SIGKILL')
    holder.kill('SIGKILL')
  })

  it.skipIf(!have)('docker run --log-driver journald: one entry per line with Docker\'s fields; LogPath empty; info lists the driver', async () => {
    const r = await tsrun(['run', '--name', 'jd', '--log-driver', 'journald', 'demo:1', 'sh', '-c', 'echo one; echo two >&2; printf three'])
    expect(r.code, show(r)).toBe(0)
    const id = (await tsrun(['inspect', '-f', '{{.Id}}', 'jd'])).stdout.trim()
    expect((await tsrun(['inspect', '-f', '{{.LogPath}}|{{.HostConfig.LogConfig.Type}}', 'jd'])).stdout).toBe('|journald\n')
    await inNs('journalctl', ['--sync'])
    const entries = await waitFor(async () => {
      const j = await inNs('journalctl', ['-o', 'json', '--no-pager', `CONTAINER_ID_FULL=${id}`])
      const got = lines(j.stdout).map((l) => JSON.parse(l))
      return got.length === 3 ? got : undefined
    }, 'the three entries in the journal')
    const shown = entries.map((e) => [e.MESSAGE, e.PRIORITY, e.CONTAINER_PARTIAL_MESSAGE])
    expect(shown.filter((e) => e[1] === '6')).toEqual([['one', '6', undefined], ['three', '6', 'true']])
    expect(shown.filter((e) => e[1] === '3')).toEqual([['two', '3', undefined]])
    expect(entries[0]).toMatchObject({ CONTAINER_ID: id.slice(0, 12), CONTAINER_ID_FULL: id, CONTAINER_NAME: 'jd', CONTAINER_TAG: id.slice(0, 12), SYSLOG_IDENTIFIER: id.slice(0, 12), IMAGE_NAME: 'demo:1' })
    expect(JSON.parse((await tsrun(['info', '--format', '{{json .Plugins.Log}}'])).stdout)).toContain('journald')
  })

  it.skipIf(!have)('tsrun logs reads the journal: streams apart, --tail, and -f until the container stops', async () => {
    const all = await tsrun(['logs', 'jd'])
    expect(all.code, show(all)).toBe(0)
    expect([all.stdout, all.stderr]).toEqual(['one\nthree', 'two\n'])
    await tsrun(['run', '--name', 'jdone', '--log-driver', 'journald', 'demo:1', 'sh', '-c', 'echo a; echo b; echo c'])
    await waitFor(async () => (await tsrun(['logs', 'jdone'])).stdout === 'a\nb\nc\n', 'the journal to have all of jdone')
    expect((await tsrun(['logs', '--tail', '2', 'jdone'])).stdout).toBe('b\nc\n')
    await tsrun(['run', '-d', '--name', 'jdf', '--log-driver', 'journald', 'demo:1', 'sh', '-c', 'for i in 1 2 3; do echo tick-$i; sleep 0.3; done'])
    const f = await tsrun(['logs', '-f', 'jdf'])
    expect(f.code, show(f)).toBe(0)
    expect(lines(f.stdout)).toEqual(['tick-1', 'tick-2', 'tick-3'])
  })
})
