// `network ls`, `network inspect`, `network exists` and `inspect --type
// network` over Docker's predefined networks tsrun has (host, none), as
// docs.docker.com/reference/cli/docker/network/ls/ and .../network/inspect/
// describe them: the default table NETWORK ID / NAME / DRIVER / SCOPE sorted
// by name, -q ids, the filters (driver, name, id, type, dangling, label,
// scope), and an inspect object per network with its running containers.
import { describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE } from '../support/tsrun'
import { useFreshRoots } from '../support/suite'

const freshRoot = useFreshRoots()

describe('docker network ls reference', () => {
  it('lists the predefined networks host and none, sorted by name, in the default table', async () => {
    const t = freshRoot()
    const r = await t.ok(['network', 'ls'])
    const out = lines(r.stdout)
    expect(out[0]).toMatch(/^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE$/)
    expect(out.slice(1).map((l) => l.split(/\s+/).slice(1))).toEqual([
      ['host', 'host', 'local'],
      ['none', 'null', 'local'],
    ])
    for (const l of out.slice(1)) expect(l.split(/\s+/)[0]).toMatch(/^[0-9a-f]{12}$/)
    expect(lines((await t.ok(['network', 'ls', '--noheading'])).stdout)).toEqual(out.slice(1))
  })

  it('-q prints ids (--no-trunc whole ones), the same ids inspect shows', async () => {
    const t = freshRoot()
    const short = lines((await t.ok(['network', 'ls', '-q'])).stdout)
    const long = lines((await t.ok(['network', 'ls', '-q', '--no-trunc'])).stdout)
    expect(long).toHaveLength(2)
    for (const id of long) expect(id).toMatch(/^[0-9a-f]{64}$/)
    expect(short).toEqual(long.map((id) => id.slice(0, 12)))
    const ids = (await t.ok(['network', 'inspect', '-f', '{{.Id}}', 'host', 'none'])).stdout
    expect(lines(ids)).toEqual(long)
    // A network of another store is another network: ids differ per store, as per daemon.
    const other = lines((await freshRoot().ok(['network', 'ls', '-q', '--no-trunc'])).stdout)
    expect(other).not.toEqual(long)
  })

  it('--filter: driver, name (regexp), id prefix, type=builtin|custom, dangling; keys AND, values OR', async () => {
    const t = freshRoot()
    const names = async (...f: string[]) => lines((await t.ok(['network', 'ls', '--format', '{{.Name}}', ...f.flatMap((x) => ['--filter', x])])).stdout)
    expect(await names('driver=null')).toEqual(['none'])
    expect(await names('driver=host', 'driver=null')).toEqual(['host', 'none'])
    expect(await names('name=^h')).toEqual(['host'])
    expect(await names('type=builtin')).toEqual(['host', 'none'])
    expect(await names('type=custom')).toEqual([])
    // Predefined networks are never dangling, and always pass dangling=false.
    expect(await names('dangling=true')).toEqual([])
    expect(await names('dangling=false')).toEqual(['host', 'none'])
    expect(await names('scope=local', 'driver=host')).toEqual(['host'])
    expect(await names('label=team')).toEqual([])
    const hostId = (await t.ok(['network', 'inspect', '-f', '{{.Id}}', 'host'])).stdout.trim()
    expect(await names(`id=${hostId.slice(0, 10)}`)).toEqual(['host'])
  })

  it('a filter it does not know, or a bad dangling value, is one line and exit 125', async () => {
    const t = freshRoot()
    for (const [f, message] of [
      ['colour=red', /invalid filter 'colour'/],
      ['dangling=maybe', /invalid value for filter 'dangling'/],
      ['type=mine', /invalid filter 'type'='mine'/],
    ] as const) {
      const r = await t.run(['network', 'ls', '--filter', f])
      expect(r.code, show(r)).toBe(125)
      expect(lines(r.stderr), show(r)).toHaveLength(1)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(STACK_TRACE)
    }
  })

  it('--format: a template over Docker field names, json one object per line, a table directive', async () => {
    const t = freshRoot()
    expect((await t.ok(['network', 'ls', '--format', '{{.Name}}:{{.Driver}}:{{.Scope}}:{{.IPv6}}:{{.Internal}}'])).stdout).toBe('host:host:local:false:false\nnone:null:local:false:false\n')
    const json = lines((await t.ok(['network', 'ls', '--format', 'json'])).stdout).map((l) => JSON.parse(l))
    expect(json.map((o) => [o.Name, o.Driver])).toEqual([
      ['host', 'host'],
      ['none', 'null'],
    ])
    expect(lines((await t.ok(['network', 'ls', '--format', 'table {{.Name}}\t{{.Driver}}'])).stdout)[0]).toMatch(/^NAME\s+DRIVER$/)
  })
})

describe('docker network inspect reference', () => {
  it("shows Docker's fields, and a running container on the network under Containers (gone once it stops)", async () => {
    const t = freshRoot()
    await t.importDemo('demo:1')
    const [none] = JSON.parse((await t.ok(['network', 'inspect', 'none'])).stdout)
    expect(none).toMatchObject({ Name: 'none', Driver: 'null', Scope: 'local', Internal: false, EnableIPv6: false, Containers: {}, Labels: {}, Options: {} })
    expect(none.Id).toMatch(/^[0-9a-f]{64}$/)
    expect(Date.parse(none.Created)).not.toBeNaN()
    const id = (await t.ok(['run', '-d', '--name', 'web', '--network', 'host', 'demo:1', 'sleep', '600'])).stdout.trim()
    const [host] = JSON.parse((await t.ok(['network', 'inspect', 'host'])).stdout)
    expect(Object.keys(host.Containers)).toEqual([id])
    expect(host.Containers[id].Name).toBe('web')
    // Without --type, a name no container or image has is looked up as a network, as docker inspect does.
    expect((await t.ok(['inspect', '-f', '{{.Driver}}', 'host'])).stdout).toBe('host\n')
    expect((await t.ok(['inspect', '--type', 'network', '-f', '{{len .Containers}}', 'none'])).stdout).toBe('0\n')
    await t.ok(['rm', '-f', 'web'])
    expect((await t.ok(['network', 'inspect', '-f', '{{len .Containers}}', 'host'])).stdout).toBe('0\n')
  })

  it('takes a unique id prefix; what is no network prints [] and one line, exit 1', async () => {
    const t = freshRoot()
    const id = (await t.ok(['network', 'inspect', '-f', '{{.Id}}', 'none'])).stdout.trim()
    expect((await t.ok(['network', 'inspect', '-f', '{{.Name}}', id.slice(0, 8)])).stdout).toBe('none\n')
    const r = await t.run(['network', 'inspect', 'nonet'])
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '[]\n', 'Error: No such network: nonet\n'])
    const both = await t.run(['network', 'inspect', '-f', '{{.Name}}', 'host', 'nonet'])
    expect([both.code, both.stdout, both.stderr]).toEqual([1, 'host\n', 'Error: No such network: nonet\n'])
  })

  it('network exists answers by its exit code alone (podman)', async () => {
    const t = freshRoot()
    const yes = await t.run(['network', 'exists', 'none'])
    const no = await t.run(['network', 'exists', 'nonet'])
    expect([yes.code, yes.stdout, yes.stderr, no.code, no.stdout, no.stderr]).toEqual([0, '', '', 1, '', ''])
  })
})
