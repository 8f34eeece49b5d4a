// exec: all of the container's namespaces and its cgroup, its env/user/cwd
// unless overridden, the command's exit code, -d, -it, and the errors.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { cgroupDirsFor, lines, rand, show, SUPPORT, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** Run pty_drive.py with a spec; resolves with its JSON verdict. */
function drive(spec: object): Promise<{ ok: boolean; exitCode: number | null; output: string; failed: string | null }> {
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [path.join(SUPPORT, 'pty_drive.py'), '-'], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && !stdout) return reject(new Error(`pty_drive failed: ${String(err)}\n${stderr}`))
      resolve(JSON.parse(stdout))
    })
    child.stdin!.end(JSON.stringify(spec))
  })
}

describe('exec into web', () => {
  let id = ''

  it('starts web', async () => {
    const r = await t.run(['run', '-d', '--name', 'web', '--hostname', 'webhost', '-e', 'FROM_RUN=yes', '-w', '/srv', 'demo:1', 'sh', '-c', 'while true; do sleep 1; done'])
    expect(r.code, show(r)).toBe(0)
    id = r.stdout.trim()
  })

  it('same pid namespace: ps sees PID 1, the container command', async () => {
    const r = await t.run(['exec', 'web', 'ps', '-o', 'pid,args'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^\s*1 sh -c while true; do sleep 1; done$/m)
    expect(r.stdout).toMatch(/^\s*\d+ ps -o pid,args$/m)
  })

  it('same uts, mount, net and ipc namespaces as PID 1', async () => {
    const r = await t.run(['exec', 'web', 'sh', '-c', 'hostname; for n in mnt uts net ipc pid; do echo $(readlink /proc/self/ns/$n) $(readlink /proc/1/ns/$n); done'])
    expect(r.code, show(r)).toBe(0)
    const [host, ...ns] = lines(r.stdout)
    expect(host).toBe('webhost')
    expect(ns).toHaveLength(5)
    for (const l of ns) {
      const [mine, pid1] = l.split(' ')
      expect(mine, l).toBe(pid1)
    }
  })

  it('same mount namespace: a file written by exec is seen by the container', async () => {
    const marker = rand()
    await t.ok(['exec', 'web', 'sh', '-c', `echo ${marker} > /tmp/from-exec`])
    const r = await t.run(['exec', 'web', 'cat', '/proc/1/root/tmp/from-exec'])
    expect(r.stdout.trim()).toBe(marker)
    // and it is not on the host's /tmp
    expect(fs.existsSync('/tmp/from-exec')).toBe(false)
  })

  it("in the container cgroup, and in its cgroup namespace (where that cgroup is the root)", async () => {
    const procs = () => cgroupDirsFor(id).map((d) => lines(fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8')).length)
    const before = procs()
    expect(before.length).toBeGreaterThan(0)
    await t.ok(['exec', '-d', 'web', 'sleep', '3'])
    // Seen from the host: one more process in tsrun/<id>, in every hierarchy.
    await waitFor(() => procs().every((n, i) => n === before[i] + 1), 'the exec to join every hierarchy', 5_000)
    const inside = lines((await t.ok(['exec', 'web', 'cat', '/proc/self/cgroup'])).stdout)
    expect(inside.length).toBeGreaterThan(0)
    for (const l of inside) expect(l).toMatch(/:\/$/)
    expect(inside).toEqual(lines((await t.ok(['exec', 'web', 'cat', '/proc/1/cgroup'])).stdout))
  })

  it("the container's env and cwd; -e, -w and -u override", async () => {
    const r = await t.run(['exec', 'web', 'sh', '-c', 'echo $FROM_RUN; pwd; id -u'])
    expect(lines(r.stdout)).toEqual(['yes', '/srv', '0'])
    const o = await t.run(['exec', '-e', 'FROM_RUN=no', '-e', 'EXTRA=1', '-w', '/tmp', '-u', 'nobody', 'web', 'sh', '-c', 'echo $FROM_RUN $EXTRA; pwd; id -un; echo $HOME'])
    expect(o.code, show(o)).toBe(0)
    expect(lines(o.stdout)).toEqual(['no 1', '/tmp', 'nobody', '/nonexistent'])
  })

  it('exit codes: the command\'s own, 126 and 127', async () => {
    expect((await t.run(['exec', 'web', 'sh', '-c', 'exit 7'])).code).toBe(7)
    const nf = await t.run(['exec', 'web', 'nosuchcmd'])
    expect(nf.code).toBe(127)
    expect(nf.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH')
    const na = await t.run(['exec', 'web', '/etc'])
    expect(na.code).toBe(126)
    expect(na.stderr).toContain('permission denied')
  })

  it('stdin with -i', async () => {
    const r = await t.run(['exec', '-i', 'web', 'cat'], { input: 'piped\n' })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('piped\n')
  })

  it('-d returns at once; the process runs in the container', async () => {
    const r = await t.run(['exec', '-d', 'web', 'sh', '-c', 'echo done > /tmp/detached; sleep 30'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('')
    await waitFor(async () => (await t.run(['exec', 'web', 'cat', '/tmp/detached'])).stdout.trim() === 'done', 'the detached exec to write')
    const ps = await t.run(['exec', 'web', 'ps', '-o', 'args'])
    expect(ps.stdout).toContain('sleep 30')
  })

  it('-it gives a real terminal in the container', async () => {
    const res = await drive({
      argv: ['./bin/tsrun', 'exec', '-it', 'web', 'sh'],
      env: t.env,
      rows: 33,
      cols: 101,
      timeout: 20,
      steps: [{ expect: '# ' }, { send: 'tty; stty size; echo $TERM; exit 3\r' }, { expect: 'xterm' }],
    })
    expect(res.failed, res.output).toBeNull()
    expect(res.exitCode).toBe(3)
    expect(res.output).toMatch(/\/dev\/pts\/\d+\r\n33 101\r\nxterm/)
  })

  it('the exec processes are reaped: nothing is left in the cgroup but the container', async () => {
    const procs = cgroupDirsFor(id).filter((d) => d.includes('/pids/'))
    expect(procs.length).toBe(1)
    await t.ok(['exec', 'web', 'true'])
    const zombies = await t.run(['exec', 'web', 'ps', '-o', 'stat,args'])
    expect(zombies.stdout).not.toMatch(/^Z/m)
  })
})

describe('exec errors', () => {
  it('into a stopped container: one line, 125', async () => {
    await t.ok(['create', '--name', 'stopped', 'demo:1', 'true'])
    const r = await t.run(['exec', 'stopped', 'true'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: container stopped is not running\n')
  })

  it('into an unknown container', async () => {
    const r = await t.run(['exec', 'nosuch', 'true'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: No such container: nosuch\n')
  })

  it('without a command', async () => {
    const r = await t.run(['exec', 'web'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: exec needs a command to run in the container\n')
  })
})
