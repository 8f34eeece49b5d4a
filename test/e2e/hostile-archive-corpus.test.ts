// Issue 17, the hostile-archive corpus (image archives for `load`): ~45
// docker-archive and oci-archive variants from test/support/hostile/
// archives.py (manifest and index entries that climb out or name host
// files, members that are links, blobs that lie about their digest or size,
// JSON that is not JSON, nested 100,000 deep or absurdly large, index
// chains, bad digests). A refusal is 125 with one line and stores nothing;
// whatever happens, the host victim tree and the markers stay as they were.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMarkers, makeVictim } from '../support/hostile/watch'
import { lines, mountsUnder, show, STACK_TRACE, storeFiles, SUPPORT } from '../support/tsrun'
import { useFreshRoots, useRoot } from '../support/suite'

// demo:1 is where the good archive comes from; each case loads into a fresh
// store, where no blob of it exists yet (a stored blob would be skipped by
// content addressing, hiding what the archive holds).
const { t: source } = useRoot()
const freshRoot = useFreshRoots()
const victim = makeVictim()
const markers = makeMarkers()
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-acorpus-'))

interface Case {
  name: string
  file: string
  note: string
  expect: 'refuse' | 'either'
}

let loaded: Case[] = []
/** The stores this file made (other files' tests run meanwhile, with their own). */
const roots: string[] = []

beforeAll(async () => {
  const good = path.join(work, 'good.tar')
  await source.ok(['save', '-o', good, 'demo:1'])
  execFileSync('python3', [path.join(SUPPORT, 'hostile', 'archives.py'), work, good, victim.dir, markers.prefix], { stdio: 'inherit' })
  loaded = JSON.parse(fs.readFileSync(path.join(work, 'cases.json'), 'utf8'))
}, 120_000)

afterAll(() => {
  victim.remove()
  markers.remove()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('hostile image archives', () => {
  it('every case is refused cleanly or loaded harmlessly', async () => {
    expect(loaded.length).toBeGreaterThanOrEqual(40)
    const problems: string[] = []
    for (const c of loaded) {
      const t = freshRoot()
      roots.push(t.root)
      const imagesBefore = (await t.ok(['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout
      const filesBefore = storeFiles(t.root)
      const r = await t.run(['load', '-i', c.file], { timeout: 180_000 })
      const say = (what: string) => problems.push(`${c.name} (${c.note}): ${what}\n${show(r)}`)
      if (r.timedOut) say('hung')
      if (STACK_TRACE.test(r.stderr)) say('a stack trace')
      if (r.code !== 0) {
        if (r.code !== 125) say(`exit ${r.code}, not 125`)
        if (lines(r.stderr).length !== 1) say('not one line')
        const imagesAfter = (await t.ok(['images', '-a', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout
        if (imagesAfter !== imagesBefore) say('the images changed')
        const filesAfter = storeFiles(t.root)
        if (JSON.stringify(filesAfter) !== JSON.stringify(filesBefore)) {
          say(`the store changed: +${filesAfter.filter((f) => !filesBefore.includes(f)).join(' ')} -${filesBefore.filter((f) => !filesAfter.includes(f)).join(' ')}`)
        }
      } else if (c.expect === 'refuse') {
        say('loaded, but must be refused')
      }
      const changed = victim.unchanged()
      if (changed.length) say(`the victim tree changed: ${changed.join(', ')}`)
      if (markers.found().length) say(`markers appeared: ${markers.found().join(', ')}`)
      const spool = path.join(t.root, 'tmp')
      if (fs.existsSync(spool) && fs.readdirSync(spool).length) say(`left in the spool: ${fs.readdirSync(spool).join(' ')}`)
    }
    expect(problems, problems.join('\n\n')).toEqual([])
  }, 1_200_000)

  it('nothing leaked', async () => {
    const ours = [source.root, ...roots]
    expect(mountsUnder(path.dirname(source.root)).filter((m) => ours.some((r) => m === r || m.startsWith(`${r}/`)))).toEqual([])
  })
})
