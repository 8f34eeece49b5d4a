// json-file rotation by the shim, logs across the rotated files, --since/--until.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('--log-opt max-size / max-file', () => {
  it('keeps at most max-file files, each at most max-size, and logs reads them in order', async () => {
    await t.ok(['run', '--name', 'rot', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', 'demo:1', 'sh', '-c', 'i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done'])
    const dir = path.dirname((await t.inspect('rot')).LogPath)
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('container.log')).sort()
    expect(files).toEqual(['container.log', 'container.log.1', 'container.log.2'])
    for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(2048)
    const got = lines((await t.ok(['logs', 'rot'])).stdout)
    expect(got.at(-1)).toBe('line-499')
    const n = got.map((l) => Number(l.slice(5)))
    expect(n).toEqual(n.map((_, i) => n[0] + i)) // contiguous: nothing lost or repeated between files
    expect(got.length).toBeLessThan(500)
    expect(lines((await t.ok(['logs', '--tail', '2', 'rot'])).stdout)).toEqual(['line-498', 'line-499'])
    const i = await t.inspect('rot')
    expect(i.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '2k', 'max-file': '3' } })
  })

  it('a bad log option is one line, exit 125', async () => {
    const r = await t.run(['run', '--rm', '--log-opt', 'max-size=lots', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/max-size "lots"/)
  })
})

describe('logs --since / --until', () => {
  it('RFC 3339, unix seconds and durations select by time', async () => {
    await t.ok(['run', '--name', 'times', 'demo:1', 'echo', 'early'])
    const mid = new Date()
    await new Promise((r) => setTimeout(r, 1100))
    await t.ok(['start', '-a', 'times'])
    const all = lines((await t.ok(['logs', '-t', 'times'])).stdout)
    expect(all.map((l) => l.split(' ')[1])).toEqual(['early', 'early'])
    expect(lines((await t.ok(['logs', '--since', mid.toISOString(), 'times'])).stdout)).toEqual(['early'])
    expect(lines((await t.ok(['logs', '--until', String(mid.getTime() / 1000), 'times'])).stdout)).toEqual(['early'])
    expect(lines((await t.ok(['logs', '--since', '1h', 'times'])).stdout)).toHaveLength(2)
    expect(lines((await t.ok(['logs', '--until', '1h', 'times'])).stdout)).toHaveLength(0)
    const bad = await t.run(['logs', '--since', 'yesterday', 'times'])
    expect(bad.code, show(bad)).toBe(125)
    expect(lines(bad.stderr)).toEqual(['Error: invalid --since value "yesterday": give an RFC 3339 time, unix seconds, or a duration like 10m'])
  })
})
