// Issue 17.15: input that was accepted with exit 0 now gets Docker's error
// or warning: `-v` with conflicting modes, a binary --env-file, and an image
// of another platform than --platform asks for (or than the host's).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE, storeFiles } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const work = fs.mkdtempSync(path.join(t.root, '..', 'tsrun-refused-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

/** Refused with one line and 125, and no container made. */
async function refused(args: string[], message: RegExp) {
  const before = storeFiles(path.join(t.root, 'containers'))
  const r = await t.run(args)
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), r.stderr).toHaveLength(1)
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(storeFiles(path.join(t.root, 'containers'))).toEqual(before)
}

describe('-v modes', () => {
  it.each([
    ['/tmp:/x:ro,rw', /invalid mode: ro,rw/],
    ['/tmp:/x:rw,ro', /invalid mode: rw,ro/],
    ['/tmp:/x:ro,ro', /invalid mode: ro,ro/],
    ['/tmp:/x:z,Z', /invalid mode: z,Z/],
    ['/tmp:/x:rshared,rslave', /invalid mode: rshared,rslave/],
    ['vol:/x:nocopy,nocopy', /invalid mode: nocopy,nocopy/],
  ])('%s is refused as Docker refuses it', async (spec, message) => {
    await refused(['run', '--rm', '-v', spec, 'demo:1', 'true'], message)
  })

  it('one mode of each kind is fine', async () => {
    const r = await t.run(['run', '--rm', '-v', '/tmp:/x:ro,rslave,z', 'demo:1', 'sh', '-c', 'touch /x/y 2>&1 || true'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/read-only file system/i)
  })

  it('./dir is a host path relative to the current directory (Docker 23+)', async () => {
    fs.mkdirSync(path.join(work, 'rel'))
    const r = await t.run(['run', '--rm', '-v', './rel:/w', 'demo:1', 'sh', '-c', 'echo hi > /w/f'], { cwd: work })
    expect(r.code, show(r)).toBe(0)
    expect(fs.readFileSync(path.join(work, 'rel', 'f'), 'utf8')).toBe('hi\n')
  })
})

describe('--env-file', () => {
  it('a binary file is refused, naming the line', async () => {
    const bin = path.join(work, 'binary.env')
    fs.writeFileSync(bin, Buffer.concat([Buffer.from('A=1\n'), fs.readFileSync('/bin/true').subarray(0, 400)]))
    await refused(['run', '--rm', '--env-file', bin, 'demo:1', 'true'], /env file .*binary\.env contains invalid utf8 bytes at line 2/)
  })

  it('a NUL byte and a name with whitespace are refused', async () => {
    const nul = path.join(work, 'nul.env')
    fs.writeFileSync(nul, 'A=1\nB=x\0y\n')
    await refused(['run', '--rm', '--env-file', nul, 'demo:1', 'true'], /contains a NUL byte at line 2/)
    const ws = path.join(work, 'ws.env')
    fs.writeFileSync(ws, 'MY VAR=1\n')
    await refused(['run', '--rm', '--env-file', ws, 'demo:1', 'true'], /variable 'MY VAR' contains whitespaces/)
  })

  it('a text file with CRLF, comments and blank lines still works', async () => {
    const ok = path.join(work, 'ok.env')
    fs.writeFileSync(ok, '# comment\r\n\r\nGREETING=héllo\r\n  INDENTED=1\r\n')
    const r = await t.run(['run', '--rm', '--env-file', ok, 'demo:1', 'sh', '-c', 'echo "$GREETING $INDENTED"'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('héllo 1\n')
  })
})

describe('platforms', () => {
  it('--platform linux/arm64 of an amd64-only image: Docker\'s error, 125', async () => {
    await refused(['run', '--rm', '--pull', 'never', '--platform', 'linux/arm64', 'demo:1', 'true'],
      /^Error: image with reference demo:1 was found but does not match the specified platform: wanted linux\/arm64, actual: linux\/amd64\n$/)
    // With --pull missing it tries to pull the arm64 image, and says both.
    await refused(['run', '--rm', '--platform', 'linux/arm64', 'demo:1', 'true'], /does not match the specified platform: wanted linux\/arm64.*pulling it failed/)
    const same = await t.run(['run', '--rm', '--platform', 'linux/amd64', 'demo:1', 'echo', 'ok'])
    expect(same.code, show(same)).toBe(0)
    expect(same.stderr).toBe('')
  })

  it('an image of another platform without --platform runs with Docker\'s warning', async () => {
    // demo:1 re-labelled as arm64 (the busybox inside is still amd64, so it runs here).
    const saved = path.join(work, 'demo.tar')
    await t.ok(['save', '-o', saved, 'demo:1'])
    const dir = path.join(work, 'arm')
    fs.mkdirSync(dir)
    execFileSync('tar', ['-xf', saved, '-C', dir])
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    const config = JSON.parse(fs.readFileSync(path.join(dir, manifest[0].Config), 'utf8'))
    config.architecture = 'arm64'
    config.variant = 'v8'
    const text = JSON.stringify(config)
    const name = `${createHash('sha256').update(text).digest('hex')}.json`
    fs.rmSync(path.join(dir, manifest[0].Config))
    fs.writeFileSync(path.join(dir, name), text)
    manifest[0].Config = name
    manifest[0].RepoTags = ['armish:1']
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
    const archive = path.join(work, 'arm.tar')
    execFileSync('tar', ['-cf', archive, '-C', dir, '.'])
    await t.ok(['load', '-i', archive])
    const r = await t.run(['run', '--rm', 'armish:1', 'echo', 'ran'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('ran\n')
    expect(r.stderr).toBe("WARNING: The requested image's platform (linux/arm64/v8) does not match the detected host platform (linux/amd64) and no specific platform was requested\n")
    const asked = await t.run(['run', '--rm', '--platform', 'linux/arm64', 'armish:1', 'echo', 'ran'])
    expect(asked.code, show(asked)).toBe(0)
    expect(asked.stderr).toBe('')
  })
})
