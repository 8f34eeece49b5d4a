// `ps --filter`, `-n`, `-l`, `-s`, `--no-trunc` as Docker's: the reference is
// docs.docker.com/reference/cli/docker/container/ls (the flags and the
// filters) and moby's daemon/list.go (how the daemon applies them: values of
// one key OR, every label= AND, different keys AND, status= implying -a).
import { beforeAll, describe, expect, it } from 'vitest'
import { HEX64, lines, show, STACK_TRACE, type Result } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t, imageId } = useRoot()

// Oldest first: web (running), job (exited 3), ok (exited 0, host network), fresh (created).
const ids: Record<string, string> = {}

beforeAll(async () => {
  ids.web = (await t.ok(['run', '-d', '--name', 'web', '--label', 'app=web', '--label', 'tier=front', '-v', 'data:/data', 'demo:1', 'sleep', '600'])).stdout.trim()
  await t.run(['run', '--name', 'job', '--label', 'app=job', 'demo:1', 'sh', '-c', 'exit 3'])
  await t.ok(['run', '--name', 'ok', '--label', 'app=job', '--network', 'host', 'demo:1', 'true'])
  ids.fresh = (await t.ok(['create', '--name', 'fresh', '--label', 'tier=front', 'demo:1', 'sh', '-c', 'echo a command longer than twenty columns'])).stdout.trim()
  for (const n of ['job', 'ok']) ids[n] = (await t.ok(['inspect', '-f', '{{.Id}}', n])).stdout.trim()
}, 120_000)

/** `ps ARGS --format {{.Names}}`: the names, in the order printed. */
async function names(...args: string[]): Promise<string[]> {
  const r = await t.ok(['ps', ...args, '--format', '{{.Names}}'])
  return lines(r.stdout)
}

/** Refused: exit 125, one line naming the problem, nothing on stdout. */
function refused(r: Result, message: string) {
  expect(r.code, show(r)).toBe(125)
  expect(r.stdout, show(r)).toBe('')
  expect(r.stderr).not.toMatch(STACK_TRACE)
  expect(lines(r.stderr), show(r)).toEqual([`Error: ${message}`])
}

describe('docker ps reference: which containers, in which order', () => {
  it('without -a only running ones; -a every one, newest first', async () => {
    expect(await names()).toEqual(['web'])
    expect(await names('-a')).toEqual(['fresh', 'ok', 'job', 'web'])
  })

  it('status=exited shows stopped containers without -a; two status values are either (moby list.go: a status filter implies --all)', async () => {
    expect(await names('--filter', 'status=exited')).toEqual(['ok', 'job'])
    expect(await names('--filter', 'status=exited', '--filter', 'status=created')).toEqual(['fresh', 'ok', 'job'])
    expect(await names('-f', 'status=running')).toEqual(['web'])
  })

  it("label=KEY and label=KEY=VALUE ('label=<key>' or 'label=<key>=<value>'); two label filters must both hold", async () => {
    expect(await names('-a', '--filter', 'label=app')).toEqual(['ok', 'job', 'web'])
    expect(await names('-a', '--filter', 'label=app=job')).toEqual(['ok', 'job'])
    expect(await names('-a', '--filter', 'label=app', '--filter', 'label=tier=front')).toEqual(['web'])
    expect(await names('-a', '--filter', 'label=nope')).toEqual([])
  })

  it('different keys must all hold: label=app=job and exited=3', async () => {
    expect(await names('-a', '--filter', 'label=app=job', '--filter', 'exited=3')).toEqual(['job'])
  })

  it("name= is a regular expression matched anywhere in the name, with or without Docker's leading slash", async () => {
    expect(await names('-a', '--filter', 'name=o')).toEqual(['ok', 'job'])
    expect(await names('-a', '--filter', 'name=^ok$')).toEqual(['ok'])
    expect(await names('-a', '--filter', 'name=^/web$')).toEqual(['web'])
    expect(await names('-a', '--filter', 'name=ok', '--filter', 'name=web')).toEqual(['ok', 'web'])
  })

  it("id= takes a prefix of the container's ID", async () => {
    expect(await names('-a', '--filter', `id=${ids.job.slice(0, 6)}`)).toEqual(['job'])
    expect(await names('-a', '--filter', `id=${ids.job}`, '--filter', `id=${ids.ok}`)).toEqual(['ok', 'job'])
  })

  it('exited=N matches containers that ran and exited with N (a created one never exited)', async () => {
    expect(await names('-a', '--filter', 'exited=0')).toEqual(['ok'])
    expect(await names('-a', '--filter', 'exited=3', '--filter', 'exited=0')).toEqual(['ok', 'job'])
    refused(await t.run(['ps', '-a', '--filter', 'exited=three']), `invalid filter 'exited=three': strconv.Atoi: parsing "three": invalid syntax`)
  })

  it('before= and since= take a container name or id: created before it / after it', async () => {
    expect(await names('-a', '--filter', 'before=ok')).toEqual(['job', 'web'])
    expect(await names('-a', '--filter', 'since=job')).toEqual(['fresh', 'ok'])
    expect(await names('-a', '--filter', `since=${ids.web.slice(0, 12)}`, '--filter', 'before=fresh')).toEqual(['ok', 'job'])
    refused(await t.run(['ps', '-a', '--filter', 'before=nope']), 'No such container: nope')
  })

  it('ancestor= takes the image by name or id; an image that does not exist matches nothing', async () => {
    expect(await names('-a', '--filter', 'ancestor=demo:1')).toEqual(['fresh', 'ok', 'job', 'web'])
    expect(await names('-a', '--filter', `ancestor=${imageId().slice('sha256:'.length, 19)}`)).toHaveLength(4)
    expect(await names('-a', '--filter', 'ancestor=nosuch:1')).toEqual([])
  })

  it('volume= takes a volume name or a mount point', async () => {
    expect(await names('-a', '--filter', 'volume=data')).toEqual(['web'])
    expect(await names('-a', '--filter', 'volume=/data')).toEqual(['web'])
    expect(await names('-a', '--filter', 'volume=other')).toEqual([])
  })

  it('network= takes the network a container is attached to: none (the default) or host', async () => {
    expect(await names('-a', '--filter', 'network=host')).toEqual(['ok'])
    expect(await names('-a', '--filter', 'network=none')).toEqual(['fresh', 'job', 'web'])
  })

  it('health=none is every container without a healthcheck; a state Docker does not know is refused', async () => {
    expect(await names('-a', '--filter', 'health=none')).toHaveLength(4)
    expect(await names('-a', '--filter', 'health=healthy')).toEqual([])
    refused(await t.run(['ps', '--filter', 'health=fine']), "invalid filter 'health=fine': invalid value for health (fine): must be one of none, starting, healthy, unhealthy")
  })

  it('is-task=false is every container (none is a swarm task), is-task=true none', async () => {
    expect(await names('-a', '--filter', 'is-task=false')).toHaveLength(4)
    expect(await names('-a', '--filter', 'is-task=true')).toEqual([])
    refused(await t.run(['ps', '--filter', 'is-task=maybe']), "invalid filter 'is-task=[maybe]'")
  })

  it('publish= and expose= match nothing while no container publishes a port; a host part is refused', async () => {
    expect(await names('-a', '--filter', 'publish=80/tcp')).toEqual([])
    expect(await names('-a', '--filter', 'expose=8000-8080')).toEqual([])
    refused(await t.run(['ps', '--filter', 'publish=8080:80']), "filter for 'publish' should not contain ':': 8080:80")
  })

  it("an unknown key is the daemon's \"invalid filter 'KEY'\", a word without = docker/cli's flag error; both exit 125", async () => {
    refused(await t.run(['ps', '--filter', 'colour=red']), "invalid filter 'colour'")
    refused(await t.run(['ps', '--filter', 'colour']), 'invalid argument "colour" for "-f, --filter" flag: bad format of filter (expected name=value)')
    refused(await t.run(['ps', '--filter', 'status=up']), "invalid filter 'status=up': invalid value for state (up): must be one of created, running, paused, restarting, removing, exited, dead")
  })
})

describe('docker ps reference: -n, -l, -q, -s, --no-trunc', () => {
  it('-n N shows the N last created containers, of any state; -l the latest', async () => {
    expect(await names('-n', '2')).toEqual(['fresh', 'ok'])
    expect(await names('--last', '3', '--filter', 'label=app')).toEqual(['ok', 'job', 'web'])
    expect(await names('-l')).toEqual(['fresh'])
    expect(lines((await t.ok(['ps', '-l', '-q'])).stdout)).toEqual([ids.fresh.slice(0, 12)])
  })

  it('-q with --format warns that the format is ignored, as docker/cli does', async () => {
    const r = await t.ok(['ps', '-q', '--format', '{{.Names}}'])
    expect(lines(r.stdout)).toEqual([ids.web.slice(0, 12)])
    expect(lines(r.stderr)).toEqual(['WARNING: Ignoring custom format, because both --format and --quiet are set.'])
  })

  it('-s adds SIZE: the writable layer, and the image under it as (virtual ...)', async () => {
    const img = (await t.ok(['images', '--filter', 'reference=demo:1', '--format', '{{.Size}}'])).stdout.trim()
    const r = await t.ok(['ps', '-a', '-s', '--filter', 'name=^fresh$'])
    const [header, row] = lines(r.stdout)
    expect(header).toMatch(/ NAMES +SIZE$/)
    expect(row).toMatch(new RegExp(`fresh +0B \\(virtual ${img.replace('.', '\\.')}\\)$`))
    // A file the container writes is in its writable layer.
    await t.ok(['run', '--name', 'writer', 'demo:1', 'dd', 'if=/dev/zero', 'of=/blob', 'bs=1048576', 'count=1'])
    expect((await t.ok(['ps', '-a', '--filter', 'name=^writer$', '--format', '{{.Size}}'])).stdout).toMatch(/^1\.05MB \(virtual /)
    await t.ok(['rm', 'writer'])
  })

  it('--no-trunc shows whole ids and commands', async () => {
    const r = await t.ok(['ps', '-a', '--no-trunc', '--filter', 'name=^fresh$', '--format', '{{.ID}} {{.Command}}'])
    const [id, ...command] = r.stdout.trim().split(' ')
    expect(id).toMatch(HEX64)
    expect(command.join(' ')).toBe('"sh -c echo a command longer than twenty columns"')
    expect((await t.ok(['ps', '-a', '--filter', 'name=^fresh$', '--format', '{{.Command}}'])).stdout.trim()).toBe('"sh -c echo a comman…"')
  })
})

describe('--no-trunc everywhere docker/cli has it: ps, images, history, stats', () => {
  it('each prints whole ids with it and 12 characters without', async () => {
    const id = imageId()
    expect((await t.ok(['images', '--no-trunc', '--format', '{{.ID}}'])).stdout.trim()).toBe(id)
    expect((await t.ok(['images', '--format', '{{.ID}}'])).stdout.trim()).toBe(id.slice(7, 19))
    expect(lines((await t.ok(['history', '--no-trunc', '--format', '{{.ID}}', 'demo:1'])).stdout)[0]).toBe(id)
    expect((await t.ok(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', 'web'])).stdout.trim()).toBe(ids.web)
    expect((await t.ok(['stats', '--no-stream', '--format', '{{.ID}}', 'web'])).stdout.trim()).toBe(ids.web.slice(0, 12))
  })
})
