/**
 * Write an uncompressed ustar archive member by member to a stream, as
 * `save` needs: regular files and directories with short names, root-owned,
 * mtime 0 so the same images give the same bytes. Backpressure is honoured,
 * and a failed stream (a full disk, a closed pipe) fails the next write
 * instead of being written into for the rest of the archive.
 */
import { once } from 'node:events'
import type { Readable, Writable } from 'node:stream'

export class TarWriter {
  constructor(private readonly out: Writable) {}

  async dir(name: string): Promise<void> {
    await this.write(header(name.endsWith('/') ? name : `${name}/`, 0, '5', 0o755))
  }

  /** A file from a buffer, or from a stream that yields exactly `size` bytes. */
  async file(name: string, content: Buffer | Readable, size?: number): Promise<void> {
    const length = Buffer.isBuffer(content) ? content.length : size!
    await this.write(header(name, length, '0', 0o644))
    let written = 0
    if (Buffer.isBuffer(content)) {
      await this.write(content)
      written = content.length
    } else {
      for await (const chunk of content) {
        written += (chunk as Buffer).length
        await this.write(chunk as Buffer)
      }
    }
    if (written !== length) throw new Error(`${name}: expected ${length} bytes, the source gave ${written}`)
    const pad = (512 - (length % 512)) % 512
    if (pad) await this.write(Buffer.alloc(pad))
  }

  /** The two zero blocks that end an archive. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(1024))
  }

  private async write(buf: Buffer): Promise<void> {
    if (this.out.errored) throw this.out.errored
    if (!this.out.write(buf)) await once(this.out, 'drain')
  }
}

function header(name: string, size: number, type: string, mode: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar member name too long: ${name}`)
  const b = Buffer.alloc(512)
  b.write(name, 0, 100, 'utf8')
  b.write(octal(mode, 8), 100, 'latin1')
  b.write(octal(0, 8), 108, 'latin1')
  b.write(octal(0, 8), 116, 'latin1')
  b.write(octal(size, 12), 124, 'latin1')
  b.write(octal(0, 12), 136, 'latin1')
  b.fill(0x20, 148, 156)
  b.write(type, 156, 'latin1')
  b.write('ustar\u000000', 257, 'latin1')
  let sum = 0
  for (let i = 0; i < 512; i++) sum += b[i]
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1')
  return b
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\u0000`
}
