// Issue 10: `image ...` and `container ...` run the top-level commands, as
// Docker's management commands do (docs.docker.com/reference/cli/docker/
// container/ls/: "Aliases: docker container ls, docker container list,
// docker container ps, docker ps"; image/ls/: "docker image ls, docker
// image list, docker images"; and so on for each subcommand).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { lines, REPO, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { aliases?: string[]; summary?: string }> }
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-aliases-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const pairs = Object.entries(manifest.commands).flatMap(([id, c]) => (c.aliases ?? []).map((a) => [a, id] as const))

describe('every alias is its command', () => {
  it.each(pairs)('tsrun %s --help is the help of %s', async (alias, id) => {
    const r = await t.run([...alias.split(':'), '--help'])
    expect(r.code, show(r)).toBe(0)
    expect(lines(r.stdout)[0]).toBe(manifest.commands[id].summary)
    expect(r.stdout).toContain(`$ tsrun ${alias.replace(':', ' ')}`)
  })
})

describe('a Docker user\'s management-command session', () => {
  it('container run / ls / list / ps / inspect / logs / exec / top / stats / pause / unpause / update / rename / cp / stop / start / kill / wait / restart / rm', async () => {
    expect((await t.ok(['container', 'run', '--rm', 'demo:1', 'echo', 'hi'])).stdout).toBe('hi\n')
    const id = (await t.ok(['container', 'run', '-d', '--name', 'mc', 'demo:1', 'sh', '-c', 'echo logged; sleep 60'])).stdout.trim()
    for (const ls of [['container', 'ls'], ['container', 'list'], ['container', 'ps']]) {
      expect((await t.ok([...ls, '-q', '--no-trunc'])).stdout, ls.join(' ')).toBe(`${id}\n`)
    }
    expect((await t.ok(['container', 'inspect', '-f', '{{.Name}}', 'mc'])).stdout).toBe('/mc\n')
    await expect.poll(async () => (await t.ok(['container', 'logs', 'mc'])).stdout).toBe('logged\n')
    expect((await t.ok(['container', 'exec', 'mc', 'echo', 'inside'])).stdout).toBe('inside\n')
    expect((await t.ok(['container', 'top', 'mc'])).stdout).toMatch(/sleep 60/)
    expect((await t.ok(['container', 'stats', '--no-stream', '--format', '{{.Name}}', 'mc'])).stdout).toBe('mc\n')
    await t.ok(['container', 'pause', 'mc'])
    expect((await t.inspect('mc')).State.Paused).toBe(true)
    await t.ok(['container', 'unpause', 'mc'])
    await t.ok(['container', 'update', '--pids-limit', '40', 'mc'])
    expect((await t.inspect('mc')).HostConfig.PidsLimit).toBe(40)
    await t.ok(['container', 'rename', 'mc', 'mc2'])
    await t.ok(['container', 'cp', 'mc2:/etc/hostname', path.join(work, 'hostname')])
    expect(fs.readFileSync(path.join(work, 'hostname'), 'utf8')).toBe(`${id.slice(0, 12)}\n`)
    await t.ok(['container', 'stop', '-t', '0', 'mc2'])
    await t.ok(['container', 'start', 'mc2'])
    await t.ok(['container', 'kill', 'mc2'])
    expect((await t.ok(['container', 'wait', 'mc2'])).stdout).toBe('137\n')
    await t.ok(['container', 'restart', 'mc2'])
    expect((await t.inspect('mc2')).State.Running).toBe(true)
    await t.ok(['container', 'rm', '-f', 'mc2'])
    const made = (await t.ok(['container', 'create', 'demo:1', 'true'])).stdout.trim()
    await t.ok(['container', 'remove', made])
    expect(await t.psJson()).toEqual([])
  })

  it('image ls / list / tag / history / inspect / save / load / import / rm / remove / prune', async () => {
    for (const ls of [['image', 'ls'], ['image', 'list']]) {
      expect((await t.ok([...ls, '--format', '{{.Repository}}:{{.Tag}}'])).stdout, ls.join(' ')).toBe('demo:1\n')
    }
    await t.ok(['image', 'tag', 'demo:1', 'other:2'])
    expect(lines((await t.ok(['image', 'history', '-q', 'other:2'])).stdout).length).toBeGreaterThan(0)
    expect((await t.ok(['image', 'inspect', '-f', '{{.Os}}', 'other:2'])).stdout).toBe('linux\n')
    const archive = path.join(work, 'other.tar')
    await t.ok(['image', 'save', '-o', archive, 'other:2'])
    await t.ok(['image', 'rm', 'other:2'])
    expect((await t.ok(['image', 'load', '-i', archive])).stdout).toMatch(/other:2/)
    await t.ok(['image', 'remove', 'other:2'])
    const imported = (await t.ok(['image', 'import', '-', 'rootless:1'], { input: fs.readFileSync(tarOf('x')) })).stdout.trim()
    expect(imported).toMatch(/^sha256:[0-9a-f]{64}$/)
    await t.ok(['image', 'tag', 'demo:1', 'rootless:1'])
    expect((await t.ok(['image', 'prune', '-f'])).stdout).toContain(`deleted: ${imported}`)
  })

  it('image pull and push are pull and push (the same error for a registry that is not there)', async () => {
    for (const [alias, cmd] of [[['image', 'pull'], ['pull']], [['image', 'push'], ['push']]]) {
      const a = await t.run([...alias, '127.0.0.1:1/nothing:1'])
      const b = await t.run([...cmd, '127.0.0.1:1/nothing:1'])
      expect(a.code).toBe(125)
      expect(a.stderr).toBe(b.stderr)
    }
  })
})

/** A one-file tarball. */
function tarOf(content: string): string {
  const dir = path.join(work, `tar-${content}`)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'f'), content)
  const tar = `${dir}.tar`
  execFileSync('tar', ['-C', dir, '-cf', tar, 'f'])
  return tar
}
