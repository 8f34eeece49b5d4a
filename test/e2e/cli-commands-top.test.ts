// Issue 10: `top CONTAINER [ps OPTIONS]`. Docker documents "docker top
// CONTAINER [ps OPTIONS]" and its daemon runs the *host's* ps with those
// options, keeping the rows whose PID is one of the container's
// (daemon/top_unix.go); the ps in the image never runs. Here the image is
// busybox, whose ps takes neither -o pid,comm nor aux in this form, so
// output in procps's columns shows whose ps ran.
import { describe, expect, it } from 'vitest'
import { lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function containerPids(name: string): Promise<string[]> {
  const out = await t.ok(['top', name])
  return lines(out.stdout).slice(1).map((l) => l.trim().split(/\s+/)[1])
}

describe('top with ps options', () => {
  it('docker top CONTAINER -o pid,comm: the host\'s ps, only the container\'s processes, Docker\'s columns', async () => {
    await t.ok(['run', '-d', '--name', 'tp', 'demo:1', 'sh', '-c', 'sleep 1000 & exec sleep 999'])
    await expect.poll(async () => (await containerPids('tp')).length).toBe(2)
    const pids = await containerPids('tp')
    const r = await t.run(['top', 'tp', '-o', 'pid,comm'])
    expect(r.code, show(r)).toBe(0)
    const out = lines(r.stdout)
    expect(out[0].split(/\s+/)).toEqual(['PID', 'COMMAND'])
    expect(out.slice(1).map((l) => l.split(/\s+/)[0]).sort()).toEqual([...pids].sort())
    expect(out.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['sleep', 'sleep'])
  })

  it('docker top CONTAINER aux: BSD options, the last column keeps its spaces', async () => {
    const r = await t.run(['top', 'tp', 'aux'])
    expect(r.code, show(r)).toBe(0)
    const out = lines(r.stdout)
    expect(out[0].split(/\s+/)).toEqual(['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'])
    expect(out.slice(1).map((l) => l.replace(/^(\S+\s+){10}/, '')).sort()).toEqual(['sleep 1000', 'sleep 999'])
  })

  it('container top passes the options too, and -ef is the default columns', async () => {
    const r = await t.ok(['container', 'top', 'tp', '-ef'])
    expect(lines(r.stdout)[0].split(/\s+/)).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'])
    expect(lines(r.stdout)).toHaveLength(3)
  })

  it('options without a PID column fail as Docker\'s: one line, 125', async () => {
    const r = await t.run(['top', 'tp', '-o', 'comm'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(["Error: couldn't find PID field in ps output"])
  })

  it('options ps refuses are one line naming them, 125', async () => {
    const r = await t.run(['top', 'tp', '--no-such-ps-option'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^Error: ps --no-such-ps-option failed on the host/)])
  })

  it('a stopped container has no processes to show: Docker\'s "is not running"', async () => {
    await t.ok(['rm', '-f', 'tp'])
    await t.ok(['create', '--name', 'idle', 'demo:1', 'true'])
    const r = await t.run(['top', 'idle', '-o', 'pid'])
    expect(r.code).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: container idle is not running'])
  })
})
