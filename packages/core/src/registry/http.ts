/**
 * The smallest HTTP layer the registry client needs, over node:http/https:
 * one request, the response head and its body as a stream. Connections are
 * kept alive and shared (several layers download at once from one host).
 * No redirects here: the client decides what a redirect may carry.
 */
import type * as http from 'node:http'
import type * as https from 'node:https'
import type { Readable } from 'node:stream'
import { trustedCertificates } from './extra-ca'

export interface HttpRequest {
  method: string
  url: URL
  headers?: Record<string, string>
  /** A buffer, or a stream whose length is in `content-length`. */
  body?: Buffer | Readable
  /** Accept any TLS certificate (`--tls-verify=false`). */
  insecureTls?: boolean
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
  url: URL
}

/**
 * node:http and node:https (with tls) load on the first request, not with
 * @tsrun/core: commands that never reach a registry do not pay for them.
 */
interface Transport {
  http: typeof http
  https: typeof https
  httpAgent: http.Agent
  httpsAgent: https.Agent
  insecureAgent: https.Agent
}
let transport: Transport | undefined
function loadTransport(): Transport {
  if (transport) return transport
  const h = require('node:http') as typeof http
  const s = require('node:https') as typeof https
  transport = {
    http: h,
    https: s,
    httpAgent: new h.Agent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new s.Agent({ keepAlive: true, maxSockets: 16, ca: trustedCertificates() }),
    insecureAgent: new s.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false }),
  }
  return transport
}

/** Idle time after which a request is abandoned (a stalled registry must not hang a pull forever). */
const IDLE_TIMEOUT_MS = 60_000

export function send(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = req.url.protocol === 'https:'
    const t = loadTransport()
    const agent = isHttps ? (req.insecureTls ? t.insecureAgent : t.httpsAgent) : t.httpAgent
    const headers: Record<string, string> = { 'user-agent': 'tsrun/0.1', ...req.headers }
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length)
    else if (!req.body && req.method !== 'GET' && req.method !== 'HEAD') headers['content-length'] ??= '0'
    const r = (isHttps ? t.https : t.http).request(req.url, { method: req.method, headers, agent }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url })
    })
    r.setTimeout(IDLE_TIMEOUT_MS, () => r.destroy(Object.assign(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })))
    r.on('error', reject)
    if (!req.body) r.end()
    else if (Buffer.isBuffer(req.body)) r.end(req.body)
    else {
      req.body.on('error', (err) => r.destroy(err))
      req.body.pipe(r)
    }
  })
}

/** Read a whole (small) body; refuses more than `limit` bytes so a hostile server cannot exhaust memory. */
export async function readBody(res: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > limit) {
      res.body.destroy()
      throw new Error(`response from ${res.url.host} is larger than ${limit} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

/** Throw away a body we do not need, so the connection can be reused. */
export function drain(res: HttpResponse): void {
  res.body.resume()
}
