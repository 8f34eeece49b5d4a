// Issue 10: `run`/`create` -q, --cidfile, -a/--attach, --label and
// --label-file, --platform, and `volume inspect --format`, as Docker's run
// reference documents them (docs.docker.com/reference/cli/docker/container/run/).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRegistry, type Registry } from '../support/registry'
import { lines, show } from '../support/tsrun'
import { useFreshRoots, useRoot } from '../support/suite'

const { t } = useRoot()
const freshRoot = useFreshRoots()
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-run-flags-'))
let reg: Registry
beforeAll(async () => {
  reg = await startRegistry()
  await t.ok(['tag', 'demo:1', `${reg.host}/demo:1`])
  await t.ok(['push', `${reg.host}/demo:1`])
}, 120_000)
afterAll(async () => {
  await reg?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('-q, --quiet', () => {
  it('docker run -q: "Suppress the pull output"; the container\'s output is all there is', async () => {
    const loud = freshRoot()
    const r1 = await loud.run(['run', '--rm', `${reg.host}/demo:1`, 'echo', 'hi'])
    expect(r1.code, show(r1)).toBe(0)
    expect(r1.stderr).toMatch(/Pull complete|Downloaded/)
    const quiet = freshRoot()
    const r2 = await quiet.run(['run', '--rm', '-q', `${reg.host}/demo:1`, 'echo', 'hi'])
    expect(r2.code, show(r2)).toBe(0)
    expect(r2.stdout).toBe('hi\n')
    expect(r2.stderr).toBe('')
  })

  it('docker create -q: only the id is printed', async () => {
    const quiet = freshRoot()
    const r = await quiet.run(['create', '--quiet', `${reg.host}/demo:1`, 'true'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/)
    expect(r.stderr).toBe('')
  })
})

describe('--cidfile', () => {
  it('docker run --cidfile: "Write the container ID to the file"', async () => {
    const file = path.join(work, 'run.cid')
    const id = (await t.ok(['run', '-d', '--cidfile', file, 'demo:1', 'true'])).stdout.trim()
    expect(fs.readFileSync(file, 'utf8')).toBe(id)
    expect((await t.inspect(id)).HostConfig.ContainerIDFile).toBe(file)
    const created = path.join(work, 'create.cid')
    const cid = (await t.ok(['create', '--cidfile', created, 'demo:1', 'true'])).stdout.trim()
    expect(fs.readFileSync(created, 'utf8')).toBe(cid)
  })

  it('an existing file is refused with Docker\'s message, and no container is made', async () => {
    const file = path.join(work, 'run.cid')
    const before = (await t.psJson()).length
    const r = await t.run(['run', '--cidfile', file, 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: container ID file found, make sure the other container isn't running or delete ${file}`])
    expect((await t.psJson()).length).toBe(before)
  })

  it('when the container cannot be made, the file made for it is removed again', async () => {
    const file = path.join(work, 'failed.cid')
    const r = await t.run(['run', '--cidfile', file, '--pull', 'never', 'no-such-image:1', 'true'])
    expect(r.code).toBe(125)
    expect(fs.existsSync(file)).toBe(false)
    const dir = path.join(work, 'no-such-dir', 'x.cid')
    const d = await t.run(['run', '--cidfile', dir, 'demo:1', 'true'])
    expect(d.code).toBe(125)
    expect(lines(d.stderr)).toEqual([expect.stringMatching(/^Error: failed to create the container ID file .*no-such-dir\/x\.cid: ENOENT/)])
  })
})

describe('-a, --attach', () => {
  const both = ['sh', '-c', 'echo to-out; echo to-err >&2']

  it('docker run -a stdout: only stdout reaches the terminal; the log keeps both', async () => {
    const r = await t.run(['run', '--name', 'ao', '-a', 'stdout', 'demo:1', ...both])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('to-out\n')
    expect(r.stderr).toBe('')
    const logs = await t.ok(['logs', 'ao'])
    expect([logs.stdout, logs.stderr]).toEqual(['to-out\n', 'to-err\n'])
    expect((await t.inspect('ao')).Config).toMatchObject({ AttachStdin: false, AttachStdout: true, AttachStderr: false })
  })

  it('docker run -a stderr, and -a stdout -a stderr (the default)', async () => {
    const e = await t.run(['run', '--rm', '-a', 'stderr', 'demo:1', ...both])
    expect([e.stdout, e.stderr]).toEqual(['', 'to-err\n'])
    const b = await t.run(['run', '--rm', '-a', 'stdout', '-a', 'stderr', 'demo:1', ...both])
    expect([b.stdout, b.stderr]).toEqual(['to-out\n', 'to-err\n'])
  })

  it('docker run -a stdin -i: stdin reaches the container while its output is not attached', async () => {
    const r = await t.run(['run', '--name', 'ai', '-i', '-a', 'stdin', 'demo:1', 'sh', '-c', 'read x; echo "got $x"'], { input: 'typed\n' })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('')
    expect((await t.ok(['logs', 'ai'])).stdout).toBe('got typed\n')
  })

  it('-a with -d conflicts, as Docker says; a stream that is not one is refused', async () => {
    const r = await t.run(['run', '-d', '-a', 'stdout', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual(['Error: conflicting options: -a and -d (a detached container is not attached to)'])
    const bad = await t.run(['run', '-a', 'stdweird', 'demo:1', 'true'])
    expect(bad.code).toBe(125)
    expect(lines(bad.stderr)).toEqual(['Error: invalid argument "stdweird" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR'])
    // Docker takes the names in any case.
    expect((await t.run(['run', '--rm', '-a', 'STDOUT', 'demo:1', 'echo', 'up'])).stdout).toBe('up\n')
  })
})

describe('--label and --label-file', () => {
  it('docker run --label-file: "Read in a line delimited file of labels"; --label wins; inspect shows Config.Labels', async () => {
    const file = path.join(work, 'labels')
    fs.writeFileSync(file, '# a comment\n\ncom.example.team=store\ncom.example.flag\n  com.example.env=dev\ncom.example.note=a=b c\n')
    await t.ok(['create', '--name', 'lab', '--label-file', file, '--label', 'com.example.env=prod', '-l', 'solo', 'demo:1', 'true'])
    expect((await t.inspect('lab')).Config.Labels).toEqual({
      'com.example.team': 'store',
      'com.example.flag': '',
      'com.example.env': 'prod',
      'com.example.note': 'a=b c',
      solo: '',
    })
    // ps reads the same labels (`ps --filter label=` is the filters' part of issue 10).
    expect(lines((await t.ok(['ps', '-a', '--format', '{{.Names}} {{.Label "com.example.team"}}'])).stdout)).toContain('lab store')
  })

  it('a label file that is not there is one line naming it; nothing is made', async () => {
    const r = await t.run(['create', '--name', 'nolab', '--label-file', path.join(work, 'missing'), 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: --label-file ${path.join(work, 'missing')}: no such file`])
    expect((await t.psJson()).map((c) => c.Names)).not.toContain('nolab')
  })
})

describe('--platform', () => {
  it('docker run --platform: the host\'s platform runs the local image; another is refused with Docker\'s words when it cannot be pulled', async () => {
    const host = process.arch === 'x64' ? 'linux/amd64' : `linux/${process.arch}`
    expect((await t.ok(['run', '--rm', '--platform', host, 'demo:1', 'echo', 'ok'])).stdout).toBe('ok\n')
    const other = process.arch === 'x64' ? 'linux/arm64' : 'linux/amd64'
    const r = await t.run(['create', '--platform', other, '--pull', 'never', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toEqual([`Error: image with reference demo:1 was found but does not match the specified platform: wanted ${other}, actual: ${host}`])
  })
})

describe('volume inspect --format (on main already: checked)', () => {
  it('docker volume inspect --format: a Go template per volume, json for compact JSON', async () => {
    await t.ok(['volume', 'create', '--label', 'k=v', 'fmtvol'])
    expect((await t.ok(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}} {{.Labels.k}}', 'fmtvol'])).stdout).toBe('fmtvol local v\n')
    expect((await t.ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'fmtvol'])).stdout).toBe(`${path.join(t.root, 'volumes', 'fmtvol', '_data')}\n`)
    const json = JSON.parse((await t.ok(['volume', 'inspect', '-f', 'json', 'fmtvol'])).stdout)
    expect(json[0]).toMatchObject({ Name: 'fmtvol', Driver: 'local', Labels: { k: 'v' } })
  })
})
