import { afterEach, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { backwardLines, completeEnd, forwardLines, MAX_LINE } from '../src/containers/log-lines'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

function open(content: string | Buffer): { fd: number; size: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-lines-'))
  dirs.push(dir)
  const file = path.join(dir, 'log')
  fs.writeFileSync(file, content)
  return { fd: fs.openSync(file, 'r'), size: fs.statSync(file).size }
}

async function forward(content: string | Buffer, start = 0, end?: number): Promise<string[]> {
  const { fd, size } = open(content)
  const out: string[] = []
  await forwardLines(fd, start, end ?? size, (l) => void out.push(l.toString()))
  fs.closeSync(fd)
  return out
}

function backward(content: string | Buffer): Array<[string, number]> {
  const { fd, size } = open(content)
  const out: Array<[string, number]> = []
  backwardLines(fd, size, (l, at) => (out.push([l.toString(), at]), true))
  fs.closeSync(fd)
  return out
}

describe('forwardLines / backwardLines', () => {
  it('split at newlines, the bytes after the last one being a line', async () => {
    expect(await forward('a\nbb\nccc')).toEqual(['a', 'bb', 'ccc'])
    expect(backward('a\nbb\nccc')).toEqual([['ccc', 5], ['bb', 2], ['a', 0]])
    expect(backward('a\n')).toEqual([['', 2], ['a', 0]])
  })

  it('join lines cut by the 64 KiB chunks, both ways, with the offset of each line', async () => {
    const long = 'x'.repeat(200_000)
    const text = `first\n${long}\nlast\n`
    expect((await forward(text)).map((l) => l.length)).toEqual([5, 200_000, 4])
    const back = backward(text).filter(([l]) => l)
    expect(back.map(([l, at]) => [l.length, at])).toEqual([[4, 200_007], [200_000, 6], [5, 0]])
  })

  it('skip a line longer than MAX_LINE and go on with the next', async () => {
    const text = Buffer.concat([Buffer.from('a\n'), Buffer.alloc(MAX_LINE + 10, 0x78), Buffer.from('\nb\n')])
    expect((await forward(text)).filter(Boolean)).toEqual(['a', 'b'])
    expect(backward(text).map(([l]) => l).filter(Boolean)).toEqual(['b', 'a'])
  })

  it('stop when visit answers false', async () => {
    const { fd, size } = open('1\n2\n3\n')
    const seen: string[] = []
    expect(backwardLines(fd, size, (l) => (seen.push(l.toString()), seen.length < 2))).toBe(true)
    expect(seen).toEqual(['', '3'])
    fs.closeSync(fd)
  })
})

describe('completeEnd', () => {
  it('is just past the last newline, or the floor when a line is still being written', () => {
    const { fd, size } = open('one\ntwo\nthr')
    expect(completeEnd(fd, size)).toBe(8)
    expect(completeEnd(fd, size, 9)).toBe(9)
    expect(completeEnd(fd, 3)).toBe(0)
    fs.closeSync(fd)
  })
})
