// The completion engine over a fixed catalog and fixed names (the e2e test
// presses TAB in real shells; this one pins the rules).
import { describe, expect, it } from 'vitest'
import { complete, type Catalog, type NameSource } from '../src/completion/candidates'

const catalog: Catalog = {
  ps: { summary: 'List containers', flags: { all: { type: 'boolean', char: 'a' }, format: { type: 'option' }, secret: { type: 'boolean', hidden: true } }, args: {} },
  stop: { flags: { time: { type: 'option', char: 't' } }, args: { container: {} }, strict: false },
  start: { flags: {}, args: { container: {} }, strict: false },
  run: { flags: { pull: { type: 'option', options: ['missing', 'always', 'never'] }, 'volumes-from': { type: 'option' }, detach: { type: 'boolean', char: 'd' }, env: { type: 'option', char: 'e' } }, args: { image: {} }, strict: false },
  rename: { flags: {}, args: { container: {}, newName: {} } },
  'volume:rm': { flags: {}, args: { name: {} }, strict: false },
  'volume:create': { flags: {}, args: { name: {} } },
  __complete: { hidden: true, flags: {}, args: {} },
}
const names: NameSource = {
  containers: async () => [
    { name: 'web', running: true, paused: false },
    { name: 'job', running: false, paused: false },
  ],
  images: async () => ['demo:1', 'other:2'],
  volumes: async () => ['data'],
  networks: async () => ['host', 'none'],
}
const values = async (line: string) => (await complete(line.split(' '), catalog, names)).map((c) => c.value)

describe('completion candidates', () => {
  it('commands and topics, hidden ones left out', async () => {
    expect(await values('')).toEqual(['help', 'ps', 'rename', 'run', 'start', 'stop', 'volume'])
    expect(await values('vol')).toEqual(['volume'])
    expect(await values('volume ')).toEqual(['create', 'rm'])
  })
  it('containers by state, images, volumes', async () => {
    expect(await values('stop ')).toEqual(['web'])
    expect(await values('stop web ')).toEqual(['web'])
    expect(await values('start ')).toEqual(['job'])
    expect(await values('run ')).toEqual(['demo:1', 'other:2'])
    expect(await values('volume rm ')).toEqual(['data'])
    expect(await values('volume create ')).toEqual([])
    expect(await values('rename web ')).toEqual([])
  })
  it('flags, with their short forms; values of flags with fixed ones or names', async () => {
    expect(await values('ps -')).toEqual(['--all', '--format', '--help', '-a'])
    expect(await values('run --pull ')).toEqual(['missing', 'always', 'never'])
    expect(await values('run --pull=n')).toEqual(['--pull=never'])
    expect(await values('run --volumes-from ')).toEqual(['web', 'job'])
    expect(await values('stop -t ')).toEqual([])
  })
  it('nothing after the image of run: the container command is the shell\'s to complete', async () => {
    expect(await values('run -d -e A=1 demo:1 ')).toEqual([])
  })
  it('global flags before the command', async () => {
    expect(await values('--root /x stop ')).toEqual(['web'])
    expect(await values('--log-level w')).toEqual(['warn'])
  })
})
