// top and stats: what is in the container's cgroup, as ps and docker stats show it.
import { describe, expect, it } from 'vitest'
import { lines, parseTable, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('top', () => {
  it('lists the processes of the container with ps -ef columns', async () => {
    await t.ok(['run', '-d', '--name', 'web', '--memory', '64m', 'demo:1', 'sh', '-c', 'sleep 1000 & while true; do sleep 1; done'])
    const pid = (await t.inspect('web')).State.Pid
    const r = await t.run(['top', 'web'])
    expect(r.code, show(r)).toBe(0)
    const { header, rows } = parseTable(r.stdout)
    expect(header).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'])
    const main = rows.find((x) => x.PID === String(pid))
    expect(main, r.stdout).toBeDefined()
    expect(main!.UID).toBe('root')
    expect(main!.CMD).toBe('sh -c sleep 1000 & while true; do sleep 1; done')
    const child = rows.find((x) => x.CMD === 'sleep 1000')
    expect(child?.PPID).toBe(String(pid))
    expect(main!.TIME).toMatch(/^\d\d:\d\d:\d\d$/)
  })

  it('of a stopped container: one line, 125', async () => {
    await t.ok(['create', '--name', 'off', 'demo:1', 'true'])
    const r = await t.run(['top', 'off'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: container off is not running\n')
  })
})

describe('stats', () => {
  it('--no-stream: a table row per running container', async () => {
    const r = await t.run(['stats', '--no-stream'])
    expect(r.code, show(r)).toBe(0)
    const { header, rows } = parseTable(r.stdout)
    expect(header).toEqual(['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'])
    expect(rows.map((x) => x.NAME)).toEqual(['web'])
    expect(rows[0]['MEM USAGE / LIMIT']).toMatch(/^[\d.]+(B|KiB|MiB) \/ 64MiB$/)
    expect(rows[0].PIDS).toBe('3')
  })

  it('--format json: Docker\'s keys, figures that fit the limits', async () => {
    const r = await t.run(['stats', '--no-stream', '--format', 'json', 'web'])
    expect(r.code, show(r)).toBe(0)
    const rows = lines(r.stdout).map((l) => JSON.parse(l))
    expect(rows).toHaveLength(1)
    const s = rows[0]
    expect(Object.keys(s).sort()).toEqual(['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs'])
    expect(s.Name).toBe('web')
    expect(s.CPUPerc).toMatch(/^\d+\.\d\d%$/)
    expect(Number(s.MemPerc.replace('%', ''))).toBeLessThan(100)
    expect(s.NetIO).toBe('0B / 0B') // --network none: nothing but lo
    expect(s.PIDs).toBe('3')
  })

  it('a busy container shows CPU use', async () => {
    await t.ok(['run', '-d', '--name', 'busy', '--cpus', '0.5', 'demo:1', 'sh', '-c', 'while :; do :; done'])
    const r = await t.run(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}}', 'busy'])
    expect(r.code, show(r)).toBe(0)
    const pct = Number(r.stdout.trim().split(' ')[1].replace('%', ''))
    expect(pct).toBeGreaterThan(5)
    expect(pct).toBeLessThan(70)
    await t.ok(['rm', '-f', 'busy'])
  })

  it('of an unknown container: one line, 125', async () => {
    const r = await t.run(['stats', '--no-stream', 'nosuch'])
    expect(r.code).toBe(125)
    expect(r.stderr).toBe('Error: No such container: nosuch\n')
  })
})
