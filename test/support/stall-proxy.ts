// A TCP proxy in front of a real registry that stalls one blob: once a
// client asks for it, only the first `after` bytes of the answer are passed
// on and the connection is then held open, as a registry or a network that
// hangs mid-download. Everything else goes through untouched. Plain HTTP
// only (the registry tests use loopback, which tsrun reaches over HTTP).
import * as net from 'node:net'

export interface StallProxy {
  /** `127.0.0.1:PORT`, to use as the registry host in references. */
  host: string
  stop(): Promise<void>
}

export async function stallProxy(upstream: string, blobDigest: string, after: number): Promise<StallProxy> {
  const [upHost, upPort] = upstream.split(':')
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const up = net.connect(Number(upPort), upHost)
    sockets.add(client)
    sockets.add(up)
    let stalling = false
    let passed = 0
    client.on('data', (d: Buffer) => {
      // Requests on one connection are answered in order, so from this request on every byte back is its answer.
      if (d.toString('latin1').includes(`/blobs/${blobDigest}`)) stalling = true
      up.write(d)
    })
    up.on('data', (d: Buffer) => {
      if (!stalling) {
        client.write(d)
        return
      }
      const n = Math.min(d.length, after - passed)
      if (n <= 0) return
      passed += n
      client.write(d.subarray(0, n))
    })
    const close = () => {
      client.destroy()
      up.destroy()
      sockets.delete(client)
      sockets.delete(up)
    }
    client.on('close', close)
    up.on('close', close)
    client.on('error', close)
    up.on('error', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
