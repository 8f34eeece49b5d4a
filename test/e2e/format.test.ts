// --format on every command that has it: Go templates with docker/cli's
// semantics (the `table` directive and its headers, the `json` shorthand,
// `.Label "key"`), and templates that do not parse or fail: one line, 125.
import { beforeAll, describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE, type Result } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

beforeAll(async () => {
  await t.ok(['volume', 'create', '--label', 'tier=data', 'vol1'])
  await t.ok(['run', '-d', '--name', 'web', '--label', 'com.example.app=shop', '-v', 'vol1:/data', 'demo:1', 'sleep', '600'])
  await t.ok(['create', '--name', 'job', 'demo:1', 'sh', '-c', 'echo "a quoted word"'])
}, 120_000)

/** Exit 125, one line on stderr naming the template problem, no stack, nothing on stdout. */
function templateError(r: Result, message: RegExp | string) {
  expect(r.code, show(r)).toBe(125)
  expect(r.stdout, show(r)).toBe('')
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  if (typeof message === 'string') expect(r.stderr, show(r)).toContain(message)
  else expect(r.stderr, show(r)).toMatch(message)
}

// Issue 17: each of these was accepted with exit 0.
const MALFORMED: Array<[string, string]> = [
  ['{{', 'template parsing error: template: :1: unclosed action'],
  ['{{.Names', 'template parsing error: template: :1: unclosed action'],
  ['{{json .}', "template parsing error: template: :1: bad character U+007D '}'"],
  ['{{foo .}}', 'template parsing error: template: :1: function "foo" not defined'],
]

const COMMANDS: string[][] = [
  ['ps', '-a'],
  ['images'],
  ['volume', 'ls'],
  ['inspect', 'web'],
  ['system', 'df'],
  ['history', 'demo:1'],
  ['image', 'inspect', 'demo:1'],
  ['volume', 'inspect', 'vol1'],
  ['stats', '--no-stream', 'web'],
  ['events', '--since', '10m', '--until', '0s'],
]

describe('templates that do not parse: exit 125 with the parser\'s message', () => {
  for (const cmd of COMMANDS) {
    for (const [format, message] of MALFORMED) {
      it(`${cmd.join(' ')} --format '${format}'`, async () => {
        templateError(await t.run([...cmd, '--format', format]), message)
      })
    }
  }

  it('the template is refused before anything is looked up: a missing object does not hide it', async () => {
    templateError(await t.run(['inspect', '--format', '{{', 'no-such-thing']), 'template: :1: unclosed action')
  })
})

describe('templates that fail while running: exit 125, one line, as Docker words it', () => {
  it('ps: index of a string by a string', async () => {
    templateError(await t.run(['ps', '-a', '--format', '{{index .Names "x"}}']), 'template parsing error: template: :1:2: executing "" at <index .Names "x">: error calling index: cannot index slice/array with type string')
  })

  it('ps: a field Docker\'s rows do not have', async () => {
    templateError(await t.run(['ps', '-a', '--format', '{{.Nmes}}']), 'template parsing error: template: :1:2: executing "" at <.Nmes>: can\'t evaluate field Nmes in type *formatter.ContainerContext')
  })

  it('inspect: a missing field fails as Docker\'s raw-JSON retry does', async () => {
    templateError(await t.run(['inspect', '--format', '{{.Nope}}', 'web']), 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"')
  })

  it('events: a bad field fails before any event is read', async () => {
    templateError(await t.run(['events', '--format', '{{.Nope}}']), 'can\'t evaluate field Nope in type *events.Message')
  })
})

describe('the table directive', () => {
  it("ps --format 'table {{.ID}}\\t{{.Names}}': Docker's headers, columns aligned as its tabwriter does", async () => {
    const r = await t.ok(['ps', '-a', '--format', 'table {{.ID}}\\t{{.Names}}'])
    const out = lines(r.stdout)
    expect(out[0]).toBe('CONTAINER ID   NAMES')
    expect(r.stdout).not.toContain('table')
    expect(r.stdout).not.toContain('\\t')
    expect(out.slice(1).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{12} {3}job$/), expect.stringMatching(/^[0-9a-f]{12} {3}web$/)]))
  })

  it('a real tab works as well as \\t, and short columns are at least 10 wide', async () => {
    const r = await t.ok(['ps', '-a', '--format', 'table {{.Names}}\t{{.State}}\t{{.Networks}}'])
    const out = lines(r.stdout)
    expect(out[0]).toBe('NAMES     STATE     NETWORKS')
    expect(out).toContain('web       running   none')
    expect(out).toContain('job       created   none')
  })

  it('headers follow functions the way Docker\'s do: upper/json keep the header, .Label names it by its last part', async () => {
    const r = await t.ok(['ps', '--format', 'table {{upper .Names}}\t{{.Label "com.example.app"}}\t{{json .State}}'])
    expect(lines(r.stdout)).toEqual(['NAMES     app       STATE', 'WEB       shop      "running"'])
  })

  it('table alone is the default table', async () => {
    // CREATED may tick over between the two calls (and its column width with it): compare cells.
    const cells = (s: string) => lines(s.replace(/(\d+ \w+|Less than a second|About an? \w+) ago/g, 'N ago')).map((l) => l.split(/ {3,}/))
    const plain = await t.ok(['images'])
    const table = await t.ok(['images', '--format', 'table'])
    expect(cells(table.stdout)).toEqual(cells(plain.stdout))
    expect(lines(plain.stdout)[0]).toMatch(/^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED +SIZE$/)
  })

  it('images --digests adds the DIGEST column to a table format that lacks it, as Docker does', async () => {
    const r = await t.ok(['images', '--digests', '--format', 'table {{.Repository}}\\t{{.Tag}}'])
    const out = lines(r.stdout)
    expect(out[0]).toBe('REPOSITORY   TAG       DIGEST')
    expect(out[1]).toMatch(/^demo {9}1 {9}sha256:[0-9a-f]{64}$/)
  })

  it('volume ls, system df, history and stats have Docker\'s headers', async () => {
    expect(lines((await t.ok(['volume', 'ls', '--format', 'table {{.Name}}\\t{{.Driver}}\\t{{.Label "tier"}}'])).stdout)).toEqual(['VOLUME NAME   DRIVER    tier', 'vol1          local     data'])
    const df = lines((await t.ok(['system', 'df', '--format', 'table {{.Type}}\\t{{.TotalCount}}\\t{{.Active}}'])).stdout)
    expect(df).toEqual(['TYPE            TOTAL     ACTIVE', 'Images          1         1', 'Containers      2         1', 'Local Volumes   1         1'])
    expect(lines((await t.ok(['history', '--format', 'table {{.ID}}\\t{{.Size}}', 'demo:1'])).stdout)[0]).toBe('IMAGE          SIZE')
    expect(lines((await t.ok(['stats', '--no-stream', '--format', 'table {{.Name}}\\t{{.PIDs}}', 'web'])).stdout)).toEqual(['NAME      PIDS', 'web       1'])
  })
})

describe('the json shorthand', () => {
  it("ps --format json: one object per line, Docker's fields with sorted keys", async () => {
    const r = await t.ok(['ps', '-a', '--format', 'json'])
    const rows = lines(r.stdout).map((l) => JSON.parse(l))
    const web = rows.find((o) => o.Names === 'web')
    expect(Object.keys(web)).toEqual([...Object.keys(web)].sort())
    expect(web).toMatchObject({ Image: 'demo:1', Command: '"sleep 600"', State: 'running', Labels: 'com.example.app=shop', Mounts: 'vol1', LocalVolumes: '1', Networks: 'none', Ports: '' })
    expect(web.CreatedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$/)
    expect(rows.find((o) => o.Names === 'job').Command).toBe('"sh -c echo \\"a quote…"') // 19 characters and …, then quoted as Go quotes
  })

  it('inspect --format json: the objects as compact JSON, not the word json', async () => {
    const r = await t.ok(['inspect', '--format', 'json', 'web'])
    expect(lines(r.stdout)).toHaveLength(1)
    const [obj] = JSON.parse(r.stdout)
    expect(obj.Name).toBe('/web')
    expect(obj.Config.Labels).toEqual({ 'com.example.app': 'shop' })
  })

  it('volume inspect and image inspect take json too', async () => {
    expect(JSON.parse((await t.ok(['volume', 'inspect', '--format', 'json', 'vol1'])).stdout)[0]).toMatchObject({ Name: 'vol1', Labels: { tier: 'data' } })
    expect(JSON.parse((await t.ok(['image', 'inspect', '--format', 'json', 'demo:1'])).stdout)[0].RepoTags).toEqual(['demo:1'])
  })

  it("events --format json has Docker's field names", async () => {
    const r = await t.ok(['events', '--since', '10m', '--until', '0s', '--filter', 'container=web', '--filter', 'event=start', '--format', 'json'])
    const [e] = lines(r.stdout).map((l) => JSON.parse(l))
    expect(e).toMatchObject({ status: 'start', from: 'demo:1', Type: 'container', Action: 'start', scope: 'local', Actor: { Attributes: { name: 'web' } } })
    expect(e.id).toBe(e.Actor.ID)
  })
})

describe('templates over real objects', () => {
  it('inspect: struct fields, map keys (a missing one is <no value>), index, range over a map in key order', async () => {
    const r = await t.ok(['inspect', '-f', '{{.State.Status}} {{.Config.Labels.nope}} {{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}} {{len .Mounts}} {{with index .Mounts 0}}{{.Name}}{{end}}', 'web'])
    expect(r.stdout).toBe('running <no value> com.example.app=shop 1 vol1\n')
  })

  it('inspect: index of a struct works through Docker\'s retry on the raw JSON', async () => {
    expect((await t.ok(['inspect', '-f', '{{index .State "Status"}}', 'web'])).stdout).toBe('running\n')
  })

  it('printf, conditionals and Docker\'s functions on listings', async () => {
    const r = await t.ok(['ps', '-a', '--format', '{{printf "%-6s|" .Names}}{{if eq .State "running"}}up{{else}}{{lower .Status}}{{end}} {{.Label "com.example.app"}}'])
    expect(lines(r.stdout).sort()).toEqual(['job   |created ', 'web   |up shop'])
  })

  it('volume inspect -f reads the volume', async () => {
    expect((await t.ok(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels.tier}}', 'vol1'])).stdout).toBe('vol1 local data\n')
  })

  it('history and events take templates', async () => {
    expect((await t.ok(['history', '--format', '{{.CreatedAt}}', 'demo:1'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/)
    const r = await t.ok(['events', '--since', '10m', '--until', '0s', '--filter', 'container=web', '--filter', 'event=create', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Time}}'])
    expect(r.stdout).toMatch(/^container create web \d{10}\n$/)
  })
})
