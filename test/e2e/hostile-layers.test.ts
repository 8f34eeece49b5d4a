// Issue 17, the hostile-archive corpus (layers): ~180 tarballs an attacker
// would put in an image (test/support/hostile/layers.py: names that climb,
// symlinks and hard links planted and written through, PAX/GNU overrides,
// whiteouts aimed outside, forged overlay xattrs, broken and absurd
// structure, compression bombs and garbage, device nodes, links where the
// engine binds its files). Each goes through `import` (and, when imported,
// a container runs on it) and through `cp - CONTAINER:DIR`. Whatever the
// outcome, the host victim tree, the marker paths and another image's layer
// in the store never change; a refusal is 125 with one line and leaves the
// store as it was.
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMarkers, makeVictim, treeState } from '../support/hostile/watch'
import { BIN, busyboxRootfs, lines, mountsUnder, REPO, type Result, show, STACK_TRACE, storeFiles, SUPPORT } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const victim = makeVictim()
const markers = makeMarkers()
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-corpus-'))

interface Case {
  name: string
  file: string
  note: string
  expect: 'refuse' | 'either' | 'accept'
  runnable: boolean
}

let cases: Case[] = []
let demoLayer = ''
let demoLayerState: string[] = []

/** Generated before the test file is collected, so every case is its own test. */
function generate(demoDiffId: string): Case[] {
  execFileSync('python3', [path.join(SUPPORT, 'hostile', 'layers.py'), work, busyboxRootfs(), victim.dir, markers.prefix, demoDiffId], { stdio: 'inherit' })
  return JSON.parse(fs.readFileSync(path.join(work, 'cases.json'), 'utf8'))
}

// The demo image's diff_id is fixed by the busybox rootfs; read it from a
// throwaway import so the corpus can aim at it before the tests are declared.
const demoDiffId = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-corpus-probe-'))
  try {
    execFileSync(BIN, ['import', busyboxRootfs(), 'probe:1'], { env: { ...process.env, TSRUN_ROOT: probe }, stdio: 'pipe' })
    const layers = fs.readdirSync(path.join(probe, 'storage', 'overlay', 'layers')).filter((n) => /^[0-9a-f]{64}$/.test(n))
    return layers[0]
  } finally {
    execFileSync('rm', ['-rf', '--one-file-system', probe])
  }
})()
cases = generate(demoDiffId)

beforeAll(async () => {
  demoLayer = path.join(t.root, 'storage', 'overlay', 'layers', demoDiffId)
  expect(fs.existsSync(demoLayer), 'demo:1 is unpacked where the corpus aims').toBe(true)
  demoLayerState = treeState(demoLayer)
  const sink = await t.run(['run', '-d', '--name', 'sink', 'demo:1', 'sh', '-c', `mkdir -p ${cases.map((c) => `/w/${c.name}`).join(' ')} && touch /w/ready && exec sleep 100000`])
  expect(sink.code, show(sink)).toBe(0)
  for (let i = 0; i < 100 && (await t.run(['exec', 'sink', 'test', '-e', '/w/ready'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100))
}, 180_000)

afterAll(() => {
  victim.remove()
  markers.remove()
  fs.rmSync(work, { recursive: true, force: true })
})

/** `tsrun ARGS < file` (cp - reads the tar from stdin). */
function runWithStdin(args: string[], file: string, timeout: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: REPO, env: { ...process.env, ...t.env }, stdio: [fs.openSync(file, 'r'), 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeout)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })
}

/** Everything of the store but the running sink container's own files. */
function imageStoreFiles(): string[] {
  return storeFiles(t.root).filter((f) => !f.startsWith('containers/') && !f.startsWith('names/') && f !== 'events.log')
}

function expectHostIntact(c: Case, what: string) {
  expect(victim.unchanged(), `${c.name} (${what}): the victim tree changed`).toEqual([])
  expect(markers.found(), `${c.name} (${what}): a marker appeared on the host`).toEqual([])
  expect(treeState(demoLayer), `${c.name} (${what}): another image's layer changed`).toEqual(demoLayerState)
}

function expectCleanRefusal(r: Result, c: Case, what: string) {
  expect(r.timedOut, `${c.name} (${what}) hung`).toBe(false)
  expect(r.stderr, `${c.name} (${what})`).not.toMatch(STACK_TRACE)
  if (r.code === 0) return
  expect(r.code, `${c.name} (${what}): ${show(r)}`).toBe(125)
  expect(lines(r.stderr), `${c.name} (${what}): one line, not ${show(r)}`).toHaveLength(1)
  expect(r.stderr).toMatch(/^Error: /)
}

describe('hostile layers', () => {
  it('the corpus is large enough', () => {
    expect(cases.length).toBeGreaterThanOrEqual(180)
  })

  for (const c of cases) {
    it(`${c.name}: ${c.note}`, async () => {
      const ref = `hostile-${c.name}:1`
      const before = imageStoreFiles()
      const imported = await t.run(['import', c.file, ref], { timeout: 120_000 })
      expectCleanRefusal(imported, c, 'import')
      if (c.expect === 'refuse') expect(imported.code, `${c.name} must be refused: ${show(imported)}`).toBe(125)
      if (c.expect === 'accept') expect(imported.code, `${c.name} is valid: ${show(imported)}`).toBe(0)
      if (imported.code !== 0) {
        expect(imageStoreFiles(), `${c.name}: a refused import left something in the store`).toEqual(before)
      } else if (c.runnable) {
        const ran = await t.run(['run', '--rm', ref, 'true'], { timeout: 60_000 })
        expect(ran.timedOut, `${c.name}: run hung`).toBe(false)
        expect(ran.stderr).not.toMatch(STACK_TRACE)
        expect([0, 125, 126, 127], `${c.name}: run ${show(ran)}`).toContain(ran.code)
      }
      expectHostIntact(c, 'import')

      const copied = await runWithStdin(['cp', '-', `sink:/w/${c.name}`], c.file, 120_000)
      expectCleanRefusal(copied, c, 'cp -')
      expectHostIntact(c, 'cp -')
    }, 300_000)
  }

  it('nothing a cp - wrote landed outside its directory in the container', async () => {
    const base = path.basename(markers.prefix)
    const r = await t.run(['exec', 'sink', 'sh', '-c', `find / -xdev -name '${base}*' | grep -v '^/w/' || true`])
    expect(r.code, show(r)).toBe(0)
    expect(lines(r.stdout)).toEqual([])
  })

  it('the store still works and nothing leaked', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'echo', 'alive'])
    expect(r.stdout).toBe('alive\n')
    expect((await t.run(['images', '-q'])).code).toBe(0)
    await t.ok(['rm', '-f', 'sink'])
    expect((await t.psJson()).length).toBe(0)
    expect(mountsUnder(t.root)).toEqual([])
    expect(fs.readdirSync(path.join(t.root, 'tmp'))).toEqual([])
    expect(fs.readdirSync(path.join(t.root, 'storage', 'overlay', 'layers')).filter((n) => n.startsWith('.tmp'))).toEqual([])
  })
})
