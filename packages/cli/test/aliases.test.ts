// Issue 10: `image ...` and `container ...` as aliases of the top-level
// commands, as Docker's management commands are (docker container ls is
// docker ps). The alias table is snapshotted with the command surface, and
// every Docker management subcommand whose command tsrun has must be there.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../../..')
const manifest = require(path.join(root, 'oclif.manifest.json')) as { commands: Record<string, { aliases?: string[] }> }

/** alias -> the command it runs, from the manifest oclif reads. */
function aliasTable(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [id, c] of Object.entries(manifest.commands)) for (const a of c.aliases ?? []) out[a] = id
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}

/** Docker's `docker container` and `docker image` subcommands (docker/cli, cli/command/{container,image}/cmd.go) and the top-level command each is. */
const DOCKER_MANAGEMENT: Record<string, string> = {
  'container:attach': 'attach', 'container:commit': 'commit', 'container:cp': 'cp', 'container:create': 'create', 'container:diff': 'diff',
  'container:exec': 'exec', 'container:export': 'export', 'container:inspect': 'inspect', 'container:kill': 'kill', 'container:logs': 'logs',
  'container:ls': 'ps', 'container:list': 'ps', 'container:ps': 'ps', 'container:pause': 'pause', 'container:port': 'port', 'container:rename': 'rename',
  'container:restart': 'restart', 'container:rm': 'rm', 'container:remove': 'rm', 'container:run': 'run', 'container:start': 'start',
  'container:stats': 'stats', 'container:stop': 'stop', 'container:top': 'top', 'container:unpause': 'unpause', 'container:update': 'update',
  'container:wait': 'wait',
  'image:history': 'history', 'image:import': 'import', 'image:load': 'load', 'image:ls': 'images', 'image:list': 'images', 'image:pull': 'pull',
  'image:push': 'push', 'image:rm': 'rmi', 'image:remove': 'rmi', 'image:save': 'save', 'image:tag': 'tag',
  'system:info': 'info',
}

describe('management command aliases', () => {
  it('are these (snapshot: an alias never vanishes by accident)', () => {
    expect(aliasTable()).toMatchSnapshot()
  })

  it('cover every Docker management subcommand whose command tsrun has', () => {
    const table = aliasTable()
    for (const [alias, target] of Object.entries(DOCKER_MANAGEMENT)) {
      if (!manifest.commands[target]) continue
      expect(table[alias], `${alias.replace(':', ' ')} should run ${target}`).toBe(target)
    }
  })

  it('never shadow a command of their own name', () => {
    for (const alias of Object.keys(aliasTable())) expect(manifest.commands[alias], alias).toBeUndefined()
  })
})
