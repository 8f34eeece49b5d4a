import { afterEach, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { Readable } from 'node:stream'
import { Paths } from '../src/config'
import { ImageStore } from '../src/images/image-store'
import { spoolVerified } from '../src/images/verified-spool'

const roots: string[] = []
function store(): ImageStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-spool-'))
  roots.push(root)
  const s = new ImageStore(new Paths({ root, runRoot: path.join(root, 'run') }))
  s.init()
  return s
}
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true })
})

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
const tmpFiles = (s: ImageStore) => fs.readdirSync(path.dirname(s.tmpPath()))
/** A stream in small chunks, like a network body. */
const chunked = (b: Buffer) => Readable.from(Array.from({ length: Math.ceil(b.length / 1000) }, (_, i) => b.subarray(i * 1000, (i + 1) * 1000)))

describe('verified spooling', () => {
  const tar = Buffer.alloc(10240, 0)
  tar.write('hello', 0)

  it('keeps a blob whose digest and size match, byte for byte', async () => {
    const s = store()
    const gz = gzipSync(tar)
    const got = await spoolVerified(s, chunked(gz), { mediaType: 'x', digest: sha(gz), size: gz.length }, 'layer')
    expect(fs.readFileSync(got.tmp)).toEqual(gz)
  })

  it('refuses a digest mismatch and leaves no temp file', async () => {
    const s = store()
    const other = Buffer.from(tar)
    other[100] = 1
    await expect(spoolVerified(s, chunked(other), { mediaType: 'x', digest: sha(tar), size: tar.length }, 'layer abc')).rejects.toThrow(
      `layer abc: digest mismatch: expected ${sha(tar)}, got ${sha(other)}`,
    )
    expect(tmpFiles(s)).toEqual([])
  })

  it('refuses a short stream as truncated', async () => {
    const s = store()
    await expect(spoolVerified(s, chunked(tar.subarray(0, 5000)), { mediaType: 'x', digest: sha(tar), size: tar.length }, 'b')).rejects.toThrow('b: truncated: got 5000 of 10240 bytes')
    expect(tmpFiles(s)).toEqual([])
  })

  it('stops reading a stream longer than the descriptor says', async () => {
    const s = store()
    const big = Buffer.concat([tar, tar])
    await expect(spoolVerified(s, chunked(big), { mediaType: 'x', digest: sha(tar), size: tar.length }, 'b')).rejects.toThrow('more than the 10240 bytes')
    expect(tmpFiles(s)).toEqual([])
  })
})
