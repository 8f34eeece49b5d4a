import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

const commandsDir = path.resolve(__dirname, '../src/commands')
// The compiled table, as oclif loads it (the getters require compiled files).
const { COMMANDS } = require('../dist/commands') as { COMMANDS: Record<string, unknown> }

/** Command ids as oclif derives them from file names: volume/ls.ts -> volume:ls. */
function idsFromFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return idsFromFiles(path.join(dir, e.name), `${prefix}${e.name}:`)
    return e.name.endsWith('.ts') ? [`${prefix}${e.name.slice(0, -3)}`] : []
  })
}

describe('the command table oclif reads', () => {
  it('lists every file in src/commands, so no command is silently unreachable', () => {
    expect(Object.keys(COMMANDS).sort()).toEqual(idsFromFiles(commandsDir).sort())
  })

  it('answers each id with that command class', () => {
    for (const id of Object.keys(COMMANDS)) {
      const file = path.resolve(__dirname, '../dist/commands', ...id.split(':'))
      expect(COMMANDS[id], id).toBe(require(file).default)
    }
  })
})
