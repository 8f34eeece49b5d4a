// `--help` after the image belongs to the container's command, as in Docker;
// before it, it is tsrun's own help.
import { describe, expect, it } from 'vitest'
import { show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

describe('--help and the container command', () => {
  it('run IMG cmd --help runs cmd --help in the container', async () => {
    const r = await t.run(['run', '--rm', '-e', 'X=1', 'demo:1', 'sh', '-c', 'echo "got $0 $X"', '--help'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('got --help 1\n')
  })

  it('run --help is tsrun\'s help', async () => {
    const r = await t.run(['run', '--help'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toMatch(/Create and start a container from an image/)
  })

  it('exec NAME cmd --help runs cmd --help', async () => {
    await t.ok(['run', '-d', '--name', 'helped', 'demo:1', 'sleep', '60'])
    const r = await t.run(['exec', 'helped', 'sh', '-c', 'echo "exec $0"', '--help'])
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('exec --help\n')
    await t.ok(['rm', '-f', 'helped'])
  })
})
