import { describe, expect, it } from 'vitest'
import { splitRunArgv } from '../src/flags/split-argv'

const flags = {
  env: { type: 'option' as const, char: 'e' },
  detach: { type: 'boolean' as const, char: 'd' },
  interactive: { type: 'boolean' as const, char: 'i' },
  tty: { type: 'boolean' as const, char: 't' },
  name: { type: 'option' as const },
  network: { type: 'option' as const, aliases: ['net'] },
}

describe('run argv: flags stop at the image', () => {
  it('passes flags after the image to the command', () => {
    expect(splitRunArgv(['-e', 'A=1', 'img', 'echo', '-e', 'x'], flags)).toEqual({ ours: ['-e', 'A=1', 'img'], command: ['echo', '-e', 'x'] })
  })
  it('expands combined short flags', () => {
    expect(splitRunArgv(['-dit', '-eK=V', 'img', 'sh'], flags)).toEqual({ ours: ['-d', '-i', '-t', '-e', 'K=V', 'img'], command: ['sh'] })
  })
  it('takes the value of long options, in both spellings', () => {
    expect(splitRunArgv(['--name', 'web', '--net=host', 'img'], flags)).toEqual({ ours: ['--name', 'web', '--net=host', 'img'], command: [] })
  })
  it('honours --', () => {
    expect(splitRunArgv(['-d', '--', 'img', 'x'], flags)).toEqual({ ours: ['-d', 'img'], command: ['x'] })
  })
})

describe('run argv: -- after the image', () => {
  it('is dropped, so `run img -- ls --help` runs ls --help', () => {
    expect(splitRunArgv(['img', '--', 'ls', '--help'], flags)).toEqual({ ours: ['img'], command: ['ls', '--help'] })
  })
})
