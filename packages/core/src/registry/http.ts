/**
 * The smallest HTTP layer the registry client needs, over node:http/https:
 * one request, the response head and its body as a stream. Connections are
 * kept alive and shared (several layers download at once from one host).
 * No redirects here: the client decides what a redirect may carry.
 *
 * TLS per request: the trusted CAs (ca-store.ts) plus the host's certs.d
 * ones and its client certificate (certs-d.ts), or any certificate for an
 * insecure registry. Proxies from the environment as Go reads them
 * (proxy-env.ts), through the proxy-agents project's `https-proxy-agent`
 * (CONNECT tunnels) and `http-proxy-agent` (absolute-URI requests for
 * plain-HTTP registries). Their 7.x line, the last one published as
 * CommonJS, which core is compiled to (8.x and later are ESM only); it
 * supports Node 14 and up. Node 20 itself has no proxy support.
 */
import type * as http from 'node:http'
import type * as https from 'node:https'
import type { Readable } from 'node:stream'
import type * as tls from 'node:tls'
import { trustedCertificates } from './ca-store'
import { proxyFor } from './proxy-env'

/** How to speak TLS to one registry. */
export interface TlsSettings {
  /** Accept any certificate (an insecure registry). */
  insecure?: boolean
  /** CA certificates trusted for this host on top of the system's (certs.d `*.crt`). */
  ca?: string[]
  /** Client certificate and key (certs.d `NAME.cert` / `NAME.key`). */
  cert?: string
  key?: string
  /** Identifies these settings for connection reuse: one per registry host. */
  id: string
}

export interface HttpRequest {
  method: string
  url: URL
  headers?: Record<string, string>
  /** A buffer, or a stream whose length is in `content-length`. */
  body?: Buffer | Readable
  /** Accept any TLS certificate (`--tls-verify=false`); shorthand for `tls: { insecure: true }`. */
  insecureTls?: boolean
  /** The registry's TLS settings; without them the system's CAs, no client certificate. */
  tls?: TlsSettings
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
  url: URL
}

/** A network error that happened on the way through a proxy carries it, for the message. */
export type ProxiedError = NodeJS.ErrnoException & { proxy?: string }

/**
 * node:http and node:https (with tls) load on the first request, not with
 * @tsrun/core: commands that never reach a registry do not pay for them.
 * So do the proxy agents, and only when a proxy applies.
 */
interface Transport {
  http: typeof http
  https: typeof https
  tls: typeof tls
}
let transport: Transport | undefined
function loadTransport(): Transport {
  transport ??= { http: require('node:http'), https: require('node:https'), tls: require('node:tls') }
  return transport
}

const agents = new Map<string, http.Agent>()
const contexts = new Map<string, tls.SecureContext | undefined>()
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 16 }

/** One agent per (scheme, TLS settings, proxy), so pooled connections never cross settings. */
function agentFor(isHttps: boolean, tlsId: string, proxy: URL | undefined): http.Agent {
  const key = `${isHttps ? 'https' : 'http'}|${tlsId}|${proxy?.href ?? ''}`
  let agent = agents.get(key)
  if (agent) return agent
  const t = loadTransport()
  if (proxy && isHttps) {
    const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent')
    agent = new HttpsProxyAgent(proxy, AGENT_OPTIONS) as unknown as http.Agent
  } else if (proxy) {
    const { HttpProxyAgent } = require('http-proxy-agent') as typeof import('http-proxy-agent')
    agent = new HttpProxyAgent(proxy, AGENT_OPTIONS) as unknown as http.Agent
  } else {
    agent = isHttps ? new t.https.Agent(AGENT_OPTIONS) : new t.http.Agent(AGENT_OPTIONS)
  }
  agents.set(key, agent)
  return agent
}

/**
 * The TLS options of a request: one secure context per settings, built on
 * first use (parsing the system bundle costs tens of milliseconds: once
 * per process, and never for an insecure registry without a client
 * certificate).
 */
function tlsOptions(settings: TlsSettings): { secureContext?: tls.SecureContext; rejectUnauthorized: boolean } {
  if (!contexts.has(settings.id)) {
    const needsContext = !settings.insecure || settings.cert
    contexts.set(
      settings.id,
      needsContext
        ? loadTransport().tls.createSecureContext({
            ca: settings.insecure ? undefined : [...trustedCertificates(), ...(settings.ca ?? [])],
            cert: settings.cert,
            key: settings.key,
          })
        : undefined,
    )
  }
  return { secureContext: contexts.get(settings.id), rejectUnauthorized: !settings.insecure }
}

const DEFAULT_TLS: TlsSettings = { id: 'default' }
const INSECURE_TLS: TlsSettings = { id: 'insecure', insecure: true }

/** Idle time after which a request is abandoned (a stalled registry must not hang a pull forever). */
const IDLE_TIMEOUT_MS = 60_000

/**
 * One request. A kept-alive connection the other end closed while idle
 * (registries behind load balancers, proxies that do not keep connections)
 * fails a request that reused it before anything was answered: a request
 * without a streamed body is then sent again once, on a new connection, as
 * Node's documentation advises (`reusedSocket`) and Go's client does.
 */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  try {
    return await sendOnce(req)
  } catch (err) {
    const e = err as ProxiedError & { reusedSocket?: boolean }
    const replayable = req.body === undefined || Buffer.isBuffer(req.body)
    if (!e.reusedSocket || !replayable || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw err
    return sendOnce(req)
  }
}

function sendOnce(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = req.url.protocol === 'https:'
    const t = loadTransport()
    const settings = req.tls ?? (req.insecureTls ? INSECURE_TLS : DEFAULT_TLS)
    const proxy = proxyFor(req.url)
    const agent = agentFor(isHttps, settings.id, proxy)
    const headers: Record<string, string> = { 'user-agent': 'tsrun/0.1', ...req.headers }
    if (Buffer.isBuffer(req.body)) headers['content-length'] = String(req.body.length)
    else if (!req.body && req.method !== 'GET' && req.method !== 'HEAD') headers['content-length'] ??= '0'
    const options = { method: req.method, headers, agent, ...(isHttps ? tlsOptions(settings) : {}) }
    const r = (isHttps ? t.https : t.http).request(req.url, options, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: req.url })
    })
    r.setTimeout(IDLE_TIMEOUT_MS, () => r.destroy(Object.assign(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })))
    // A proxy that will not open the tunnel answers CONNECT itself: say so, not "the registry answered 403".
    r.on('proxyConnect', (connect: { statusCode: number; statusText: string }) => {
      if (connect.statusCode !== 200) {
        r.destroy(Object.assign(new Error(`the proxy ${proxy?.host} answered "${connect.statusCode} ${connect.statusText}" to CONNECT ${req.url.host}`), { code: 'EPROXY' }))
      }
    })
    r.on('error', (err: ProxiedError & { reusedSocket?: boolean }) => {
      if (proxy) err.proxy = proxy.host
      err.reusedSocket = r.reusedSocket
      reject(err)
    })
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
