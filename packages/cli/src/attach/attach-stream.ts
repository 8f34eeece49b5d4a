import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'

/**
 * The client side of a detached container's attach socket
 * (`<state-dir>/attach.sock`, served by tsrun-shim's monitor; protocol in
 * crates/tsrun-shim/src/attach.rs): frames `[stream,0,0,0,len BE]` + bytes
 * without a TTY, raw bytes with one; what we write goes to the container's
 * stdin.
 */
export function attachSocketPath(stateDir: string): string {
  return path.join(stateDir, 'attach.sock')
}

/**
 * Connect through `/proc/self/fd/N/` so a long state dir cannot exceed a
 * unix socket path's 108 bytes. Resolves once connected.
 */
export function connectAttach(stateDir: string): Promise<net.Socket> {
  const dirFd = fs.openSync(stateDir, 'r')
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(`/proc/self/fd/${dirFd}/attach.sock`)
    const done = () => fs.closeSync(dirFd)
    socket.once('connect', () => {
      done()
      resolve(socket)
    })
    socket.once('error', (err) => {
      done()
      reject(err)
    })
  })
}

/** Splits the framed (no TTY) stream back into stdout and stderr chunks. */
export class FrameDemuxer {
  private buffered: Buffer = Buffer.alloc(0)

  constructor(private readonly emit: (stream: 'stdout' | 'stderr', data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk
    while (this.buffered.length >= 8) {
      const len = this.buffered.readUInt32BE(4)
      if (this.buffered.length < 8 + len) return
      const stream = this.buffered[0] === 2 ? 'stderr' : 'stdout'
      this.emit(stream, this.buffered.subarray(8, 8 + len))
      this.buffered = this.buffered.subarray(8 + len)
    }
  }
}
