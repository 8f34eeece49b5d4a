// argv before oclif: the forms Docker users type, rewritten into oclif's.
import { describe, expect, it } from 'vitest'
import { prepareArgv, type CommandTable } from '../src/parsing/prepare-argv'

const cmd = (flags: Record<string, object>) => ({ flags, baseFlags: {} }) as never
const table: CommandTable = {
  ps: cmd({ all: { type: 'boolean', char: 'a' } }),
  run: cmd({ hostname: { type: 'option', char: 'h' }, env: { type: 'option', char: 'e' }, rm: { type: 'boolean' } }),
  exec: cmd({ interactive: { type: 'boolean', char: 'i' } }),
  'volume:ls': cmd({}),
  'volume:rm': cmd({}),
}

describe('prepareArgv', () => {
  it('moves global flags after the command words', () => {
    expect(prepareArgv(['--debug', 'ps', '-a'], table)).toEqual(['ps', '--debug', '-a'])
    expect(prepareArgv(['-D', '--root', '/r', 'volume', 'ls'], table)).toEqual(['volume', 'ls', '--debug', '--root', '/r'])
    expect(prepareArgv(['-l', 'error', '--root=/r', 'run', '--rm', 'img', 'sh'], table)).toEqual(['run', '--log-level', 'error', '--root', '/r', '--rm', 'img', 'sh'])
  })
  it('help COMMAND is COMMAND --help; help alone and -h are the root help', () => {
    expect(prepareArgv(['help', 'volume', 'ls'], table)).toEqual(['volume', 'ls', '--help'])
    expect(prepareArgv(['help'], table)).toEqual(['--help'])
    expect(prepareArgv(['-h'], table)).toEqual(['--help'])
    expect(prepareArgv(['--debug'], table)).toEqual(['--help'])
  })
  it('-h is help only for a command without its own -h', () => {
    expect(prepareArgv(['ps', '-h'], table)).toEqual(['ps', '--help'])
    expect(prepareArgv(['run', '-h', 'box', 'img'], table)).toEqual(['run', '-h', 'box', 'img'])
  })
  it('--help after the image belongs to the container command', () => {
    expect(prepareArgv(['run', '-e', 'A=1', 'img', 'ls', '--help'], table)).toEqual(['run', '-e', 'A=1', 'img', '--', 'ls', '--help'])
    expect(prepareArgv(['exec', '-i', 'c', 'sh', '--help'], table)).toEqual(['exec', '-i', 'c', '--', 'sh', '--help'])
  })
  it('--help on an unknown word is dropped, so the unknown command is what is reported', () => {
    expect(prepareArgv(['psx', '--help'], table)).toEqual(['psx'])
    expect(prepareArgv(['help', 'nosuch'], table)).toEqual(['nosuch'])
    expect(prepareArgv(['volume', '--help'], table)).toEqual(['volume', '--help'])
  })
})
