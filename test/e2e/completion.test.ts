// Issue 10: shell completion for bash, zsh and fish, with the names of the
// containers, images and volumes there are now. Real shells in a real
// pseudo-terminal press TAB; what the line became is then printed word by
// word (Ctrl-A, `printf '<%s>\n' `, Enter), so the test reads the shell's
// own result, not our candidate list.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, lines, REPO, show, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-completion-'))
const binDir = path.join(home, 'bin')

beforeAll(async () => {
  fs.mkdirSync(binDir)
  fs.symlinkSync(BIN, path.join(binDir, 'tsrun'))
  await t.ok(['run', '-d', '--name', 'alpha-run', 'demo:1', 'sleep', '300'])
  await t.ok(['create', '--name', 'beta-stopped', 'demo:1', 'true'])
  await t.ok(['volume', 'create', 'vol-one'])
}, 60_000)
afterAll(async () => {
  await t.removeAllContainers()
  fs.rmSync(home, { recursive: true, force: true })
}, 60_000)

interface PtyOut {
  ok: boolean
  output: string
  failed: string | null
}

/** Start `argv` in a pty, run `setup`, then for each case type it, press TAB and print the resulting words. */
function tabInShell(argv: string[], setup: string[], typed: string[], env: Record<string, string> = {}): Promise<PtyOut> {
  const steps: object[] = []
  for (const line of setup) steps.push({ send: `${line}\r` })
  steps.push({ send: 'echo READY\r' }, { expect: 'READY\\r?\\n' })
  typed.forEach((text, i) => {
    steps.push({ send: `${text}\t` }, { sleep: 1.2 }, { send: `\x01printf '${i}<%s>\\n' ` }, { send: '\r' }, { expect: `${i}<[^>]*>\\r?\\n(?:${i}<[^>]*>\\r?\\n)*` })
  })
  steps.push({ send: 'exit\r' })
  const spec = JSON.stringify({
    argv,
    env: { HOME: home, PATH: `${binDir}:${process.env.PATH}`, TSRUN_ROOT: t.root, PS1: '$ ', TERM: 'xterm', XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), ...env },
    rows: 40,
    cols: 200,
    timeout: 20,
    steps,
    cwd: REPO,
  })
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [path.join(SUPPORT, 'pty_drive.py'), '-'], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout))
      } catch {
        reject(new Error(`pty_drive failed: ${String(err)}\n${stderr}\n${stdout}`))
      }
    })
    child.stdin!.end(spec)
  })
}

/** The words case `i` printed: `0<tsrun>`, `0<stop>`, ... */
function wordsOf(out: PtyOut, i: number): string[] {
  return [...out.output.replace(/\r/g, '').matchAll(new RegExp(`${i}<([^>\\n]*)>$`, 'gm'))].map((m) => m[1])
}

const CASES: [string, string[]][] = [
  ['tsrun stop ', ['tsrun', 'stop', 'alpha-run']],
  ['tsrun start ', ['tsrun', 'start', 'beta-stopped']],
  ['tsrun rmi de', ['tsrun', 'rmi', 'demo:1']],
  ['tsrun volume rm ', ['tsrun', 'volume', 'rm', 'vol-one']],
  ['tsrun ps --ext', ['tsrun', 'ps', '--external']],
  ['tsrun vol', ['tsrun', 'volume']],
  ['tsrun run --volumes-from al', ['tsrun', 'run', '--volumes-from', 'alpha-run']],
  ['tsrun --log-level war', ['tsrun', '--log-level', 'warn']],
]

function check(out: PtyOut) {
  const report = `failed=${out.failed}\n${JSON.stringify(out.output.slice(-3000))}`
  CASES.forEach(([typed, want], i) => expect(wordsOf(out, i), `${typed}\n${report}`).toEqual(want))
}

// zsh and fish come from .ci/run's packages, as bash from the base system.
describe('completion scripts in real shells (docker completion bash|zsh|fish)', () => {
  it('bash: commands, flags, flag values and the names there are now', async () => {
    const out = await tabInShell(['bash', '--norc', '--noprofile', '-i'], ['source <(tsrun completion bash)'], CASES.map(([c]) => c))
    check(out)
  }, 120_000)

  it('zsh: the same', async () => {
    const out = await tabInShell(['zsh', '-f', '-i'], ['bindkey -e', 'autoload -Uz compinit && compinit -u', 'source <(tsrun completion zsh)'], CASES.map(([c]) => c))
    check(out)
  }, 120_000)

  it('fish: the same', async () => {
    const out = await tabInShell(['fish', '--no-config', '-i'], ['set fish_greeting', 'tsrun completion fish | source'], CASES.map(([c]) => c))
    check(out)
  }, 120_000)
})

describe('tsrun __complete, what the scripts ask', () => {
  it('offers running containers to stop and exec, stopped ones to start, images to rmi, volumes to volume rm', async () => {
    const ask = async (line: string) => lines((await t.ok(['__complete', 'bash', line])).stdout)
    expect(await ask('tsrun stop ')).toEqual(['alpha-run'])
    expect(await ask('tsrun exec -it ')).toEqual(['alpha-run'])
    expect(await ask('tsrun start ')).toEqual(['beta-stopped'])
    expect(await ask('tsrun rmi ')).toEqual(['demo:1'])
    expect(await ask('tsrun volume inspect ')).toEqual(['vol-one'])
    expect((await ask('tsrun inspect ')).sort()).toEqual(['alpha-run', 'beta-stopped', 'demo:1'])
    expect(await ask('tsrun cp beta')).toEqual(['beta-stopped:'])
    expect(await ask('tsrun network inspect ')).toEqual(['host', 'none'])
    expect(await ask('tsrun run --network n')).toEqual(['none'])
  })

  it('leaves file names to the shell where a path or the container\'s command goes', async () => {
    for (const line of ['tsrun run -d demo:1 ', 'tsrun import ', 'tsrun cp ./', 'tsrun run -v ']) {
      const r = await t.ok(['__complete', 'bash', line])
      expect(r.stdout, line).toBe('')
    }
  })

  it('reads names from the --root on the line', async () => {
    const empty = fs.mkdtempSync(path.join(home, 'root-'))
    const r = await t.ok(['__complete', 'bash', `tsrun --root ${t.root} stop `], { env: { TSRUN_ROOT: empty } })
    expect(lines(r.stdout)).toEqual(['alpha-run'])
    const none = await t.ok(['__complete', 'bash', 'tsrun stop '], { env: { TSRUN_ROOT: empty } })
    expect(none.stdout, show(none)).toBe('')
  })

  it('gives fish the summaries, and never prints an error', async () => {
    const fish = await t.ok(['__complete', 'fish', 'tsrun p'])
    expect(lines(fish.stdout)).toEqual(expect.arrayContaining(['ps\tList containers', 'pull\tPull an image from a registry or an archive']))
    const bad = await t.run(['__complete', 'bash', 'tsrun stop '], { env: { TSRUN_ROOT: '/etc/hostname' } })
    expect(bad.code, show(bad)).toBe(0)
    expect(bad.stderr).toBe('')
  })
})
