import { describe, expect, it } from 'vitest'
import { Header } from 'tar'
import { TarChecker } from '../src/images/tar-check'

/** A tar made of raw headers, so hostile entries can be written as an attacker would. */
function tarOf(entries: Array<{ path: string; type?: string; linkpath?: string; body?: string }>): Buffer {
  const blocks: Buffer[] = []
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '')
    const h = new Header({ path: e.path, type: (e.type ?? 'File') as never, linkpath: e.linkpath, size: body.length, mode: 0o644, mtime: new Date(0) })
    const block = Buffer.alloc(512)
    h.encode(block, 0)
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

async function check(buf: Buffer): Promise<unknown> {
  const c = new TarChecker('layer.tar')
  c.write(buf)
  return c.end()
}

describe('layer tarball check before import', () => {
  it('accepts a plain rootfs', async () => {
    await expect(check(tarOf([{ path: 'bin/', type: 'Directory' }, { path: 'bin/sh', body: 'x' }, { path: 'lib', type: 'SymbolicLink', linkpath: '/usr/lib' }]))).resolves.toEqual({ entries: 3 })
  })
  it('refuses a path climbing out with ..', async () => {
    await expect(check(tarOf([{ path: '../../etc/passwd', body: 'x' }]))).rejects.toThrow(/points outside the image root/)
  })
  it('refuses writing through a symlink the archive planted', async () => {
    await expect(check(tarOf([{ path: 'evil', type: 'SymbolicLink', linkpath: '/' }, { path: 'evil/tmp/pwned', body: 'x' }]))).rejects.toThrow(/through the symlink "evil"/)
  })
  it('refuses a hard link to outside', async () => {
    await expect(check(tarOf([{ path: 'x', type: 'Link', linkpath: '../../etc/shadow' }]))).rejects.toThrow(/hard link/)
  })
  it('says plainly when the input is not a tar', async () => {
    await expect(check(Buffer.from('hello, I am not a tarball\n'.repeat(100)))).rejects.toThrow(/not a tar archive/)
  })
})
