// Issue 10, "Flags and parsing (every command)": the forms a Docker user
// types, driven through the real CLI. Where Docker is the reference the
// test name says which documented behaviour.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { BIN, exec, lines, show, STACK_TRACE, SUPPORT, type Result } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
afterEach(() => t.removeAllContainers(), 60_000)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-cli-parsing-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

/** Exit 125, one line on stderr (plus a usage line when `usage`), matching. */
function usageError(r: Result, pattern: RegExp | string, usage?: string) {
  expect(r.code, show(r)).toBe(125)
  expect(r.stderr).not.toMatch(STACK_TRACE)
  const got = lines(r.stderr)
  expect(got, show(r)).toHaveLength(usage ? 2 : 1)
  if (typeof pattern === 'string') expect(got[0]).toBe(pattern)
  else expect(got[0]).toMatch(pattern)
  if (usage) expect(got[1]).toBe(usage)
}

async function names(): Promise<string[]> {
  return (await t.psJson()).map((c) => c.Names).sort()
}

describe('booleans take --flag=true|false, as Go flag parsing (pflag) does', () => {
  it('run --rm=true removes the container, --rm=false keeps it', async () => {
    const r = await t.run(['run', '--rm=true', '--name', 'gone', 'demo:1', 'echo', 'x'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('x\n')
    expect(await names()).toEqual([])
    await t.ok(['run', '--rm=false', '--name', 'kept', 'demo:1', 'true'])
    expect(await names()).toEqual(['kept'])
  })

  it('run -d=false runs in the foreground; -d=true detaches', async () => {
    const fg = await t.run(['run', '-d=false', '--rm', 'demo:1', 'echo', 'here'])
    expect(fg.code, show(fg)).toBe(0)
    expect(fg.stdout).toBe('here\n')
    const bg = await t.ok(['run', '-d=true', '--name', 'bg', 'demo:1', 'sleep', '30'])
    expect(bg.stdout.trim()).toMatch(/^[0-9a-f]{64}$/)
  })

  it("ParseBool's spellings: -d=0, --rm=T, and ps --all=false", async () => {
    const r = await t.run(['run', '-d=0', '--rm=T', 'demo:1', 'echo', 'ok'])
    expect(r.stdout, show(r)).toBe('ok\n')
    await t.ok(['create', '--name', 'made', 'demo:1', 'true'])
    expect(lines((await t.ok(['ps', '--all=false', '-q'])).stdout)).toEqual([])
    expect(lines((await t.ok(['ps', '--all=true', '-q'])).stdout)).toHaveLength(1)
  })

  it('--tls-verify=false is accepted where tsrun\'s help recommends it', async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', '--tls-verify=false', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(0)
  })

  it("--rm false: a boolean never takes a separate word, so 'false' is the image (pflag)", async () => {
    const r = await t.run(['run', '--rm', '--pull', 'never', 'false'])
    usageError(r, /^Error: No such image: false/)
  })

  it("a value that is not a boolean is Docker's invalid argument error", async () => {
    usageError(await t.run(['run', '--rm=yes', 'demo:1', 'true']), 'Error: invalid argument "yes" for "--rm" flag: strconv.ParseBool: parsing "yes": invalid syntax')
    expect(await names()).toEqual([])
  })
})

describe('a single-valued flag given twice takes the last, as podman and pflag', () => {
  it('--name a --name b names it b', async () => {
    await t.ok(['create', '--name', 'first', '--name=second', 'demo:1', 'true'])
    expect(await names()).toEqual(['second'])
  })
})

describe('global flags before the command, as `docker --debug ps`', () => {
  it('--root DIR before run and ps uses that root', async () => {
    const elsewhere = fs.mkdtempSync(path.join(work, 'empty-root-'))
    const env = { TSRUN_ROOT: elsewhere }
    const r = await exec(BIN, ['--root', t.root, 'run', '--name', 'rooted', 'demo:1', 'true'], { env })
    expect(r.code, show(r)).toBe(0)
    const ps = await exec(BIN, ['--root', t.root, 'ps', '-a', '--format', '{{.Names}}'], { env })
    expect(ps.stdout, show(ps)).toBe('rooted\n')
    const other = await exec(BIN, ['ps', '-a', '-q'], { env })
    expect(other.stdout, show(other)).toBe('')
  })

  it('--debug and -D before the command, and after it', async () => {
    for (const argv of [['--debug', 'ps'], ['-D', 'ps', '-a'], ['ps', '--debug'], ['--root=' + t.root, '--debug', 'volume', 'ls']]) {
      const r = await t.run(argv)
      expect(r.code, `${argv.join(' ')}\n${show(r)}`).toBe(0)
      expect(r.stdout).toMatch(/^(CONTAINER ID|DRIVER)/)
    }
  })

  it('--debug shows the stack of an error; --log-level debug too', async () => {
    for (const argv of [['--debug', 'rm', 'nosuch'], ['--log-level', 'debug', 'rm', 'nosuch'], ['-l', 'debug', 'rm', 'nosuch']]) {
      const r = await t.run(argv)
      expect(r.code, show(r)).toBe(125)
      expect(r.stderr, show(r)).toMatch(STACK_TRACE)
    }
    const plain = await t.run(['rm', 'nosuch'])
    expect(plain.stderr).not.toMatch(STACK_TRACE)
  })

  it('--log-level error and fatal hide warnings; warn and info show them', async () => {
    const archive = path.join(work, 'upper.tar')
    const spec = path.join(work, 'upper.json')
    fs.writeFileSync(spec, JSON.stringify({ out: archive, images: [{ layers: [{ files: { a: 'x' } }], tags: ['okay:1', 'UPPER:1'] }] }))
    execFileSync('python3', [path.join(SUPPORT, 'make_image_archive.py'), spec])
    for (const level of ['warn', 'info']) {
      const r = await t.run(['--log-level', level, 'load', '-i', archive])
      expect(r.stderr, show(r)).toMatch(/^WARNING: .*invalid tag "UPPER:1"/)
    }
    for (const level of ['error', 'fatal']) {
      const r = await t.run(['load', '--log-level', level, '-i', archive])
      expect(r.code, show(r)).toBe(0)
      expect(r.stderr).toBe('')
      expect(r.stdout).toBe('Loaded image: okay:1\n')
    }
  })

  it("--log-level takes Docker's levels only", async () => {
    usageError(await t.run(['--log-level', 'loud', 'ps']), 'Error: invalid argument "loud" for "--log-level" flag: use one of debug, info, warn, error, fatal')
  })
})

describe('help: -h, --help, tsrun help COMMAND', () => {
  it('help ps, ps --help and ps -h show the same help', async () => {
    const a = await t.ok(['help', 'ps'])
    const b = await t.ok(['ps', '--help'])
    const c = await t.ok(['ps', '-h'])
    expect(a.stdout).toMatch(/List containers/)
    expect(b.stdout).toBe(a.stdout)
    expect(c.stdout).toBe(a.stdout)
  })

  it('help volume ls, -h and tsrun help alone', async () => {
    expect((await t.ok(['help', 'volume', 'ls'])).stdout).toMatch(/List volumes/)
    expect((await t.ok(['-h'])).stdout).toMatch(/USAGE/)
    expect((await t.ok(['help'])).stdout).toMatch(/COMMANDS/)
  })

  it('run -h is the host name, as Docker: -h is help only where a command has no -h', async () => {
    const r = await t.run(['run', '--rm', '-h', 'box', 'demo:1', 'hostname'])
    expect(r.stdout, show(r)).toBe('box\n')
  })

  it('run --help shows the usage in the order run parses it: flags before the image', async () => {
    const r = await t.ok(['run', '--help'])
    expect(r.stdout).toContain('$ tsrun run [OPTIONS] IMAGE [COMMAND] [ARG...]')
    expect((await t.ok(['rm', '--help'])).stdout).toContain('$ tsrun rm [OPTIONS] CONTAINER [CONTAINER...]')
  })
})

describe('unknown commands and flags: a suggestion and exit 125, as Docker', () => {
  it("an unknown command: Docker's \"'psx' is not a docker command\", with the nearest one", async () => {
    usageError(await t.run(['psx']), "tsrun: 'psx' is not a tsrun command; did you mean 'ps'? See 'tsrun --help'.")
    usageError(await t.run(['volume', 'lss']), "tsrun: 'volume lss' is not a tsrun command; did you mean 'volume ls'? See 'tsrun volume --help'.")
    usageError(await t.run(['frobnicate', '--help']), "tsrun: 'frobnicate' is not a tsrun command. See 'tsrun --help'.")
  })

  it("an unknown flag: pflag's \"unknown flag: --nme\", with the nearest flag", async () => {
    usageError(await t.run(['run', '--nme', 'x', 'demo:1', 'true']), "Error: unknown flag: --nme; did you mean --name? See 'tsrun run --help'.")
    usageError(await t.run(['ps', '-x']), "Error: unknown shorthand flag: 'x' in -x. See 'tsrun ps --help'.")
    usageError(await t.run(['--bogus', 'ps']), "Error: unknown flag: --bogus. See 'tsrun ps --help'.")
    expect(await names()).toEqual([])
  })

  it("a flag without its value: pflag's \"flag needs an argument\"", async () => {
    usageError(await t.run(['ps', '--format']), "Error: flag needs an argument: --format. See 'tsrun ps --help'.")
  })
})

describe('wrong number of arguments: named, with the usage line (docker/cli\'s "requires at least 1 argument")', () => {
  it('run without an image names IMAGE and shows the usage', async () => {
    usageError(await t.run(['run']), 'Error: "tsrun run" requires at least 1 argument; missing: IMAGE', 'Usage: tsrun run [OPTIONS] IMAGE [COMMAND] [ARG...]')
    usageError(await t.run(['run', '--rm', '-e', 'A=1']), /missing: IMAGE$/, 'Usage: tsrun run [OPTIONS] IMAGE [COMMAND] [ARG...]')
  })

  it('rename with one argument: "requires exactly 2 arguments"', async () => {
    usageError(await t.run(['rename', 'x']), 'Error: "tsrun rename" requires exactly 2 arguments; missing: NEW_NAME', 'Usage: tsrun rename [OPTIONS] CONTAINER NEW_NAME')
  })

  it('ps with an argument: Docker\'s "accepts no arguments"', async () => {
    usageError(await t.run(['ps', 'extra']), 'Error: "tsrun ps" accepts no arguments; unexpected "extra"', 'Usage: tsrun ps [OPTIONS]')
  })
})

describe('run -it without a terminal', () => {
  it('stdin a pipe: "the input device is not a TTY" and exit 1, as docker/cli\'s CheckTty; nothing created', async () => {
    const r = await t.run(['run', '-it', '--rm', 'demo:1', 'sh'], { input: 'echo hi\n' })
    expect(r.code, show(r)).toBe(1)
    expect(r.stderr).toBe('Error: the input device is not a TTY\n')
    expect(await names()).toEqual([])
  })

  it('exec -it likewise; -t alone and -i alone still work', async () => {
    await t.ok(['run', '-d', '--name', 'up', 'demo:1', 'sleep', '30'])
    const e = await t.run(['exec', '-it', 'up', 'true'], { input: '' })
    expect(e.code, show(e)).toBe(1)
    expect(e.stderr).toBe('Error: the input device is not a TTY\n')
    expect((await t.run(['exec', '-i', 'up', 'cat'], { input: 'piped\n' })).stdout).toBe('piped\n')
    const tOnly = await t.run(['run', '--rm', '-t', 'demo:1', 'echo', 'tty'])
    expect(tOnly.code, show(tOnly)).toBe(0)
  })
})

describe('relative bind sources in --mount, as Docker 23+ and podman', () => {
  it('src=./dir and src=../dir resolve against the current directory', async () => {
    const here = fs.mkdtempSync(path.join(work, 'cwd-'))
    fs.mkdirSync(path.join(here, 'sub', 'dir'), { recursive: true })
    fs.writeFileSync(path.join(here, 'sub', 'dir', 'f'), 'inside\n')
    fs.writeFileSync(path.join(here, 'up'), 'above\n')
    const cwd = path.join(here, 'sub')
    const a = await t.run(['run', '--rm', '--mount', 'type=bind,src=./dir,dst=/w', 'demo:1', 'cat', '/w/f'], { cwd })
    expect(a.stdout, show(a)).toBe('inside\n')
    const b = await t.run(['run', '--rm', '--mount', 'type=bind,source=..,target=/w,readonly', 'demo:1', 'cat', '/w/up'], { cwd })
    expect(b.stdout, show(b)).toBe('above\n')
    const v = await t.run(['run', '--rm', '-v', './dir:/w', 'demo:1', 'cat', '/w/f'], { cwd })
    expect(v.stdout, show(v)).toBe('inside\n')
  })

  it('a bare relative name is refused with a hint', async () => {
    usageError(await t.run(['run', '--rm', '--mount', 'type=bind,src=dir,dst=/w', 'demo:1', 'true']), /bind source "dir" is not an absolute path \(write \.\/dir/)
  })
})
