// Issue 10, "Commands that are missing": `restart [-t N] [-s SIG]`,
// `--stop-signal`, `--stop-timeout` and `stop -s`, as Docker documents
// them (docs.docker.com/reference/cli/docker/container/restart/, .../stop/,
// and the run reference's --stop-signal / --stop-timeout).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

/** A container that writes the signals it gets to stdout (logged), then exits 0 on the one named `exitOn`. */
function trapper(exitOn: string): string[] {
  return ['sh', '-c', `trap 'echo got-TERM' TERM; trap 'echo got-INT; exit 0' INT; trap 'echo got-USR1; exit 0' USR1; trap 'echo got-HUP; exit 0' HUP; echo ready; while true; do sleep 0.1; done # ${exitOn}`]
}

async function pid1(name: string): Promise<number> {
  return (await t.inspect(name)).State.Pid
}

async function logs(name: string): Promise<string[]> {
  return lines((await t.ok(['logs', name])).stdout)
}

describe('restart', () => {
  it('docker restart: a running container is stopped and started again, with a new PID 1, and its name is printed', async () => {
    await t.ok(['run', '-d', '--name', 'rs1', 'demo:1', ...trapper('INT')])
    await waitFor(async () => (await logs('rs1')).includes('ready'), 'the trapper to start')
    const before = await pid1('rs1')
    const r = await t.run(['restart', '-t', '1', 'rs1'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('rs1\n')
    const s = (await t.inspect('rs1')).State
    expect(s.Running).toBe(true)
    expect(s.Pid).not.toBe(before)
    // SIGTERM was trapped (not fatal): restart waited -t 1, then killed it; the log goes on across the restart.
    expect(await logs('rs1')).toEqual(expect.arrayContaining(['ready', 'got-TERM']))
    await waitFor(async () => (await logs('rs1')).filter((l) => l === 'ready').length === 2, 'the second run to start')
  })

  it('docker restart --signal: the signal given instead of the stop signal', async () => {
    const before = await pid1('rs1')
    const r = await t.run(['restart', '-s', 'SIGINT', 'rs1'])
    expect(r.code, show(r)).toBe(0)
    expect(await pid1('rs1')).not.toBe(before)
    expect(await logs('rs1')).toContain('got-INT')
    await t.ok(['rm', '-f', 'rs1'])
  })

  it('docker restart of a stopped container starts it; container restart is the same command', async () => {
    await t.ok(['create', '--name', 'rs2', 'demo:1', 'echo', 'ran'])
    const r = await t.run(['container', 'restart', 'rs2'])
    expect(r.code, show(r)).toBe(0)
    await waitFor(async () => (await t.inspect('rs2')).State.Status === 'exited', 'rs2 to finish')
    expect(await logs('rs2')).toEqual(['ran'])
    await t.ok(['restart', 'rs2'])
    await waitFor(async () => (await logs('rs2')).length === 2, 'the second run')
    await t.ok(['rm', 'rs2'])
  })

  it('the events are Docker\'s: kill, die, stop, start, restart', async () => {
    await t.ok(['run', '-d', '--name', 'rs3', 'demo:1', 'sleep', '60'])
    const since = String(Date.now() / 1000)
    await t.ok(['restart', '-t', '0', 'rs3'])
    const ev = await t.ok(['events', '--since', since, '--until', String(Date.now() / 1000 + 1), '--filter', 'container=rs3', '--format', '{{.Action}}'])
    expect(lines(ev.stdout)).toEqual(['kill', 'die', 'stop', 'start', 'restart'])
    await t.ok(['rm', '-f', 'rs3'])
  })

  it('a restarted --rm container is kept, as Docker keeps it through restart, and removed when it exits later', async () => {
    const id = (await t.ok(['run', '-d', '--rm', '--name', 'rs4', 'demo:1', 'sleep', '60'])).stdout.trim()
    await t.ok(['restart', '-t', '0', 'rs4'])
    // The old monitor's exit command has run by now or will: the container stays, running.
    await waitFor(() => !fs.existsSync(path.join(t.root, 'containers', id, 'keep-on-exit')), 'the exit command to see the restart')
    expect((await t.inspect('rs4')).State.Running).toBe(true)
    await t.ok(['kill', 'rs4'])
    await waitFor(async () => (await t.run(['inspect', 'rs4'])).code !== 0, 'the --rm container to go once it exits')
  })

  it('a bad signal or an unknown container is one line and 125, and nothing is stopped', async () => {
    await t.ok(['run', '-d', '--name', 'rs5', 'demo:1', 'sleep', '60'])
    const bad = await t.run(['restart', '-s', 'NOPE', 'rs5'])
    expect(bad.code, show(bad)).toBe(125)
    expect(lines(bad.stderr)).toEqual([expect.stringMatching(/^Error: invalid signal: NOPE/)])
    expect((await t.inspect('rs5')).State.Running).toBe(true)
    const missing = await t.run(['restart', 'no-such-one'])
    expect(missing.code).toBe(125)
    expect(lines(missing.stderr)).toHaveLength(1)
    await t.ok(['rm', '-f', 'rs5'])
  })
})

describe('--stop-signal and --stop-timeout', () => {
  it('docker run --stop-signal: stop sends it, and inspect shows Config.StopSignal', async () => {
    await t.ok(['run', '-d', '--name', 'ss1', '--stop-signal', 'USR1', 'demo:1', ...trapper('USR1')])
    await waitFor(async () => (await logs('ss1')).includes('ready'), 'the trapper to start')
    // As typed, as Docker keeps it.
    expect((await t.inspect('ss1')).Config.StopSignal).toBe('USR1')
    const r = await t.run(['stop', 'ss1'])
    expect(r.code, show(r)).toBe(0)
    expect(await logs('ss1')).toContain('got-USR1')
    expect((await t.inspect('ss1')).State.ExitCode).toBe(0)
    await t.ok(['rm', 'ss1'])
  })

  it('docker stop --signal overrides the container\'s stop signal', async () => {
    await t.ok(['run', '-d', '--name', 'ss2', '--stop-signal', 'USR1', 'demo:1', ...trapper('HUP')])
    await waitFor(async () => (await logs('ss2')).includes('ready'), 'the trapper to start')
    await t.ok(['stop', '-s', 'HUP', 'ss2'])
    expect(await logs('ss2')).toContain('got-HUP')
    expect(await logs('ss2')).not.toContain('got-USR1')
    await t.ok(['rm', 'ss2'])
  })

  it('docker run --stop-timeout: stop without -t waits that long before SIGKILL (137), and inspect shows Config.StopTimeout', async () => {
    await t.ok(['run', '-d', '--name', 'st1', '--stop-timeout', '1', 'demo:1', ...trapper('none')])
    await waitFor(async () => (await logs('st1')).includes('ready'), 'the trapper to start')
    expect((await t.inspect('st1')).Config.StopTimeout).toBe(1)
    // The default would be 10 s; the test's own timeout is shorter than that plus start-up.
    const r = await t.run(['stop', 'st1'], { timeout: 8_000 })
    expect(r.code, show(r)).toBe(0)
    expect((await t.inspect('st1')).State.ExitCode).toBe(137)
    expect(await logs('st1')).toContain('got-TERM')
    await t.ok(['rm', 'st1'])
  })

  it('a bad --stop-signal fails create with one line and leaves no container', async () => {
    const r = await t.run(['create', '--name', 'st2', '--stop-signal', 'SIGNOPE', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^Error: invalid signal: SIGNOPE/)])
    expect((await t.psJson()).map((c) => c.Names)).not.toContain('st2')
  })
})
