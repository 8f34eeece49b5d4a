// logs of huge logs: a million lines (the report had 300,000), a log that
// filled the disk, rotated files read back from the end. Streamed in
// constant memory: the log is larger than the JavaScript heap the tsrun
// process is allowed here, so holding it whole would abort it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lines, show, Tsrun, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'
import { useTmpfs } from '../support/tmpfs'

const { t } = useRoot()
const tmpfs = useTmpfs()

/** A heap (48 MB) smaller than the million-line log (~77 MB of JSON); start-up alone needs ~20 MB. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=48' }
const N = 1_000_000

describe('a log of a million lines', () => {
  it('--tail 1 shows the last line; --tail N the last N; without --tail every line streams in a small heap', async () => {
    await t.ok(['run', '--name', 'big', 'demo:1', 'seq', '1', String(N)], { timeout: 60_000 })
    expect(fs.statSync((await t.inspect('big')).LogPath).size).toBeGreaterThan(70_000_000)
    const one = await t.run(['logs', '--tail', '1', 'big'], { env: SMALL_HEAP })
    expect(one.code, show(one)).toBe(0)
    expect(one.stdout).toBe(`${N}\n`)
    expect(lines((await t.ok(['logs', '--tail', '3', 'big'], { env: SMALL_HEAP })).stdout)).toEqual([String(N - 2), String(N - 1), String(N)])
    expect((await t.ok(['logs', '--tail', '0', 'big'])).stdout).toBe('')
    const all = await t.run(['logs', 'big'], { env: SMALL_HEAP, timeout: 60_000 })
    expect(all.code, all.stderr.slice(0, 2000)).toBe(0)
    const got = all.stdout.split('\n')
    expect(got.length).toBe(N + 1)
    expect(got[0]).toBe('1')
    expect(got[N - 1]).toBe(String(N))
    // A --tail larger than the log is the whole log.
    const more = await t.run(['logs', '--tail', String(N + 1000), 'big'], { env: SMALL_HEAP, timeout: 60_000 })
    expect(more.stdout.split('\n').length, more.stderr.slice(0, 2000)).toBe(N + 1)
  }, 120_000)
})

describe('--tail across rotated files', () => {
  it('reads back through container.log.1 and .2 and shows the lines in order', async () => {
    await t.ok(['run', '--name', 'rot', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=3', 'demo:1', 'seq', '1', '300'])
    const dir = path.dirname((await t.inspect('rot')).LogPath)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('container.log')).sort()).toEqual(['container.log', 'container.log.1', 'container.log.2'])
    const all = lines((await t.ok(['logs', 'rot'])).stdout)
    const current = fs.readFileSync(path.join(dir, 'container.log'), 'utf8').split('\n').filter(Boolean).length
    const n = current + 5 // reaches into container.log.1
    expect(lines((await t.ok(['logs', '--tail', String(n), 'rot'])).stdout)).toEqual(all.slice(-n))
    expect(lines((await t.ok(['logs', '--tail', String(all.length), 'rot'])).stdout)).toEqual(all)
    expect(all.at(-1)).toBe('300')
  })
})

describe('a container that filled the disk with output', () => {
  let full: Tsrun
  afterAll(async () => {
    await full?.removeAllContainers()
  }, 120_000)

  it('logs --tail 1 shows its last complete line, logs streams the rest, and no half-written entry shows', async () => {
    const dir = tmpfs('24m').dir
    full = new Tsrun(dir)
    await full.importDemo('demo:1')
    await full.ok(['run', '-d', '--name', 'yes', 'demo:1', 'yes', 'a line of output that fills the disk'])
    const log = (await full.inspect('yes')).LogPath
    await waitFor(() => fs.statfsSync(dir).bavail === 0, 'the tmpfs to fill up', 60_000)
    expect(fs.statSync(log).size).toBeGreaterThan(10_000_000)
    const tail = await full.run(['logs', '--tail', '1', 'yes'], { env: SMALL_HEAP })
    expect(tail.code, show(tail)).toBe(0)
    expect(tail.stdout).toBe('a line of output that fills the disk\n')
    const all = await full.run(['logs', 'yes'], { env: SMALL_HEAP, timeout: 60_000 })
    expect(all.code, all.stderr).toBe(0)
    const got = all.stdout.split('\n')
    expect(got.length).toBeGreaterThan(100_000)
    // Every line whole: the monitor's last write, cut short by ENOSPC, is not shown half.
    expect(new Set(got.slice(0, -1))).toEqual(new Set(['a line of output that fills the disk']))
    expect(got.at(-1)).toBe('')
    await full.ok(['rm', '-f', 'yes'], { timeout: 60_000 })
  }, 180_000)
})
