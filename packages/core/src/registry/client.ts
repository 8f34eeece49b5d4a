/**
 * A client for one registry host, speaking the OCI distribution spec
 * (`/v2/...`). It decides the scheme once (HTTPS; plain HTTP only for
 * insecure registries: `--tls-verify=false`, `TSRUN_INSECURE_REGISTRIES`,
 * tsrun.conf, registries.conf, or a loopback host, as Docker does), learns
 * the auth scheme from the `/v2/` challenge, and then authenticates every
 * request for its scope: anonymous, HTTP basic, or a bearer token from the
 * challenge's realm (cached per scope), fetched with the password or, for
 * an identity token, through OAuth2's refresh-token grant as Docker does.
 * Credentials are looked up only once the registry asks for them (a
 * credential helper never runs for an anonymous pull). Failures become
 * one-line RegistryErrors a person can act on.
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { parseAuthChallenges, type AuthChallenge } from './auth-challenge'
import type { Credentials } from './credentials'
import { ManifestUnknownError, RegistryAuthError, RegistryError, RegistryUnreachableError } from './errors'
import { drain, readBody, send, type HttpResponse, type ProxiedError, type TlsSettings } from './http'
import { MANIFEST_ACCEPT, manifestMediaType } from './media-types'

export interface RegistryClientOptions {
  /** The registry as written in references: `docker.io`, `127.0.0.1:5000`. */
  host: string
  /** The credentials, or how to look them up (called at most once, when the registry asks). */
  credentials?: Credentials | (() => Promise<Credentials | undefined>)
  /**
   * false: accept any certificate and allow plain HTTP (`--tls-verify=false`);
   * true: require verified HTTPS even where the host would be insecure
   * (loopback, the insecure lists); undefined: as the host is.
   */
  tlsVerify?: boolean
  /** Hosts to treat as insecure (HTTP allowed), besides loopback ones. */
  insecureRegistries?: string[]
  /** CA certificates and client certificate for this host (certs.d). */
  tls?: Omit<TlsSettings, 'insecure' | 'id'>
}

/** What a successful login learnt: an identity token when the token service gave one. */
export interface LoginResult {
  identityToken?: string
}

/** A manifest or index as fetched: exact bytes (digests are over them), type and digest. */
export interface FetchedManifest {
  bytes: Buffer
  mediaType: string
  digest: string
}

type Action = 'pull' | 'push' | 'login' | 'check'

/** Docker's OAuth2 client id is `docker`; token services want some id, and this one says who asks. */
const OAUTH_CLIENT_ID = 'tsrun'

/** A token for one set of scopes; `expires` (ms) is set once it has arrived. */
interface CachedToken {
  token: Promise<string>
  expires?: number
}

/**
 * How long to keep a token: its `expires_in` (the spec's default 60 s when
 * absent; Docker also treats less than 60 s as 60), less a tenth, so a
 * request does not leave with a token about to lapse.
 */
function tokenLifetimeMs(expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? Math.max(60, expiresIn) : 60
  return seconds * 900
}

const DIGEST_REF = /^[a-z0-9]+:[a-f0-9]{32,}$/

/** Loopback hosts are insecure by default, as Docker treats 127.0.0.0/8. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/** The insecure registries named in `TSRUN_INSECURE_REGISTRIES` (comma separated). */
export function insecureRegistriesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.TSRUN_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean)
}

export class RegistryClient {
  readonly host: string
  private base?: URL
  private challenge?: AuthChallenge
  private readonly tokens = new Map<string, CachedToken>()
  private pinging?: Promise<void>
  private credentialsLookup?: Promise<Credentials | undefined>
  /** The credentials once looked up (for messages). */
  private creds?: Credentials
  /** A refresh token the token service handed out during `login`. */
  private refreshToken?: string
  private tlsSettings?: TlsSettings

  constructor(private readonly opts: RegistryClientOptions) {
    this.host = opts.host
  }

  /** Plain HTTP and any certificate are acceptable for this host. */
  get insecure(): boolean {
    if (this.opts.tlsVerify !== undefined) return !this.opts.tlsVerify
    return isLoopbackHost(this.host) || (this.opts.insecureRegistries ?? []).includes(this.host)
  }

  /** The TLS settings of every request to this registry (and its token service). */
  private get tls(): TlsSettings {
    this.tlsSettings ??= { ...this.opts.tls, insecure: this.insecure, id: `${this.host}|${this.insecure ? 'insecure' : 'verify'}` }
    return this.tlsSettings
  }

  /** The credentials, looked up on first need. */
  private credentials(): Promise<Credentials | undefined> {
    const c = this.opts.credentials
    this.credentialsLookup ??= (typeof c === 'function' ? c() : Promise.resolve(c)).then((found) => (this.creds = found))
    return this.credentialsLookup
  }

  /** Docker Hub's API lives on another host than its name. */
  private get apiHost(): string {
    return this.host === 'docker.io' ? 'registry-1.docker.io' : this.host
  }

  /**
   * Check credentials the way `docker login` does: /v2/ must accept them.
   * Behind token auth the token is asked for with `offline_token=true`, as
   * Docker does; a token service that answers with a refresh token makes
   * that the identity token to save instead of the password.
   */
  async login(): Promise<LoginResult> {
    await this.ensurePinged()
    if (!this.challenge) return {}
    if (!(await this.credentials())) throw new RegistryAuthError(`${this.host} needs a username and password`)
    const auth = await this.authorization([], 'login')
    const res = await this.fetch('GET', this.url('/v2/'), auth ? { authorization: auth } : {})
    drain(res)
    if (res.status === 401 || res.status === 403) throw this.authFailure('login', res)
    if (res.status !== 200) throw new RegistryError(`${this.host}: login check answered HTTP ${res.status}`)
    return { identityToken: this.refreshToken }
  }

  /** GET a manifest or index by tag or digest, verifying a digest reference against the bytes. */
  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const where = `${this.host}/${repo}${DIGEST_REF.test(reference) ? '@' : ':'}${reference}`
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, repo, 'pull', { accept: MANIFEST_ACCEPT })
    if (res.status === 404) throw new ManifestUnknownError(where, await registryMessage(res))
    await this.expect(res, [200], `fetching the manifest of ${where}`, 'pull', repo)
    const bytes = await readBody(res, 4 * 1024 * 1024)
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    if (DIGEST_REF.test(reference) && reference !== digest) {
      throw new RegistryError(`${where}: the registry answered a manifest whose digest is ${digest}; refusing it`)
    }
    let doc: { mediaType?: string }
    try {
      doc = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw new RegistryError(`${where}: the manifest is not valid JSON`)
    }
    return { bytes, digest, mediaType: manifestMediaType(res.headers['content-type'], doc) }
  }

  /** Stream a blob (following redirects, as registries backed by object stores answer). */
  async getBlob(repo: string, digest: string): Promise<Readable> {
    let res = await this.request('GET', `/v2/${repo}/blobs/${digest}`, repo, 'pull')
    for (let hops = 0; isRedirect(res.status) && hops < 5; hops++) {
      const next = new URL(String(res.headers.location), res.url)
      drain(res)
      // Credentials go only to the registry itself, never to where it redirects.
      const auth = next.host === res.url.host ? await this.authorization([scopeOf(repo, 'pull')], 'pull') : undefined
      res = await this.fetch('GET', next, auth ? { authorization: auth } : {})
    }
    if (res.status === 404) {
      drain(res)
      throw new RegistryError(`${this.host}/${repo}: blob ${digest} is missing from the registry (the image is incomplete there)`)
    }
    await this.expect(res, [200], `fetching blob ${digest}`, 'pull', repo)
    return res.body
  }

  /** HEAD a blob: does the repository have it already? */
  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repo}/blobs/${digest}`, repo, 'push')
    drain(res)
    if (res.status === 404) return false
    await this.expect(res, [200, 307], `checking blob ${digest}`, 'push', repo)
    return true
  }

  /**
   * Ask the registry to link a blob from another repository it holds
   * (cross-repository mount). True when mounted; otherwise the upload URL the
   * registry opened instead, to upload into; undefined when we may not read
   * `from` (the mount needs pull there too), so the caller uploads instead.
   */
  async mountBlob(repo: string, digest: string, from: string): Promise<true | URL | undefined> {
    const scopes = [scopeOf(repo, 'pull,push'), scopeOf(from, 'pull')]
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, repo, 'push', {}, undefined, scopes)
    drain(res)
    if (res.status === 201) return true
    // A token server grants what it can and leaves out pull on a repository we
    // may not read; the registry then refuses the whole request. Not a reason
    // to fail the push: if push on `repo` is refused too, the upload says so.
    if (res.status === 401 || res.status === 403) return undefined
    await this.expect(res, [202], `mounting blob ${digest} from ${from}`, 'push', repo)
    return this.location(res)
  }

  /** Open an upload session; answers its URL. */
  async startUpload(repo: string): Promise<URL> {
    const res = await this.request('POST', `/v2/${repo}/blobs/uploads/`, repo, 'push')
    drain(res)
    await this.expect(res, [202], 'starting a blob upload', 'push', repo)
    return this.location(res)
  }

  /** Monolithic upload: the whole blob in the closing PUT. */
  async putBlob(repo: string, upload: URL, digest: string, size: number, body: Readable): Promise<void> {
    const url = new URL(upload)
    url.searchParams.set('digest', digest)
    const res = await this.request('PUT', url, repo, 'push', { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body)
    drain(res)
    await this.expect(res, [201], `uploading blob ${digest}`, 'push', repo)
  }

  /** Chunked upload: one PATCH per chunk with its Content-Range, then an empty PUT with the digest. */
  async putBlobChunked(repo: string, upload: URL, digest: string, size: number, chunk: (start: number, end: number) => Readable, chunkSize: number): Promise<void> {
    let url = upload
    for (let start = 0; start < size; start += chunkSize) {
      const end = Math.min(size, start + chunkSize)
      const res = await this.request('PATCH', url, repo, 'push', {
        'content-type': 'application/octet-stream',
        'content-length': String(end - start),
        'content-range': `${start}-${end - 1}`,
      }, chunk(start, end))
      drain(res)
      await this.expect(res, [202], `uploading bytes ${start}-${end - 1} of blob ${digest}`, 'push', repo)
      url = this.location(res)
    }
    const close = new URL(url)
    close.searchParams.set('digest', digest)
    const res = await this.request('PUT', close, repo, 'push', { 'content-length': '0' })
    drain(res)
    await this.expect(res, [201], `closing the upload of blob ${digest}`, 'push', repo)
  }

  /** PUT a manifest under a tag or digest; answers the digest the registry reports. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repo}/manifests/${reference}`, repo, 'push', { 'content-type': mediaType }, bytes)
    const detail = res.status >= 400 ? await registryMessage(res) : (drain(res), undefined)
    if (res.status !== 201 && res.status !== 200) {
      if (res.status === 401 || res.status === 403) throw this.authFailure('push', res, repo)
      throw new RegistryError(`${this.host}/${repo}: the registry refused the manifest (HTTP ${res.status}${detail ? `: ${detail}` : ''})`)
    }
    return String(res.headers['docker-content-digest'] ?? `sha256:${createHash('sha256').update(bytes).digest('hex')}`)
  }

  // -------------------------------------------------------------------------

  private url(pathOrUrl: string | URL): URL {
    if (pathOrUrl instanceof URL) return pathOrUrl
    return new URL(pathOrUrl, this.base)
  }

  private location(res: HttpResponse): URL {
    const loc = res.headers.location
    if (!loc) throw new RegistryError(`${this.host}: the registry answered ${res.status} without a Location header`)
    return new URL(String(loc), res.url)
  }

  /** One authenticated request for `repo`'s scope (`scopes` overrides it). */
  private async request(method: string, pathOrUrl: string | URL, repo: string, action: 'pull' | 'push', headers: Record<string, string> = {}, body?: Buffer | Readable, scopes?: string[]): Promise<HttpResponse> {
    await this.ensurePinged()
    const auth = await this.authorization(scopes ?? [scopeOf(repo, action === 'push' ? 'pull,push' : 'pull')], action)
    return this.fetch(method, this.url(pathOrUrl), { ...headers, ...(auth ? { authorization: auth } : {}) }, body)
  }

  private async fetch(method: string, url: URL, headers: Record<string, string>, body?: Buffer | Readable): Promise<HttpResponse> {
    try {
      return await send({ method, url, headers, body, tls: this.tls })
    } catch (err) {
      throw this.unreachable(err as ProxiedError)
    }
  }

  /** `what` could not be reached: the registry, or its token service (`kind` names it in the hint). */
  private unreachable(err: ProxiedError, what = `registry ${this.host}`, kind = 'registry'): RegistryUnreachableError {
    const why: Record<string, string> = {
      ENOTFOUND: 'the host name does not resolve',
      EAI_AGAIN: 'the host name could not be resolved (DNS is not answering)',
      ECONNREFUSED: `connection refused (is the ${kind} running on that port?)`,
      ETIMEDOUT: 'the connection timed out',
      ECONNRESET: 'the connection was reset',
    }
    if (err.proxy && err.code === 'ECONNREFUSED') why.ECONNREFUSED = `the proxy ${err.proxy} refused the connection (check HTTPS_PROXY/HTTP_PROXY)`
    // OpenSSL's messages are "HEX:error:CODE:SSL routines:FUNC:REASON:FILE:LINE:...\n"; its reason is the part a person can read.
    const openssl = (err as { reason?: unknown }).reason
    const reason = why[err.code ?? ''] ?? (typeof openssl === 'string' && openssl ? `TLS failed: ${openssl}` : err.message.trim().split('\n')[0])
    const text = `${err.code} ${err.message}`
    const wantsClientCert = /certificate required|bad certificate|unknown ca|handshake failure/i.test(err.message)
    const tlsProblem = /SSL|TLS|CERT|EPROTO|self.signed|issuer/i.test(text)
    const hint = wantsClientCert
      ? `; the registry wants a client certificate it trusts: put client.cert and client.key in /etc/containers/certs.d/${this.host}/ (or --cert-dir)`
      : tlsProblem
        ? `; trust its CA in /etc/containers/certs.d/${this.host}/ca.crt (or the system store), or use --tls-verify=false`
        : ''
    const via = err.proxy && err.code !== 'EPROXY' && !reason.includes(err.proxy) ? ` (through the proxy ${err.proxy})` : ''
    return new RegistryUnreachableError(`cannot reach ${what}${via}: ${reason}${hint}`, { cause: err })
  }

  /** Learn scheme and auth challenge from `GET /v2/`, once per client. */
  private ensurePinged(): Promise<void> {
    this.pinging ??= this.ping()
    return this.pinging
  }

  private async ping(): Promise<void> {
    const schemes = this.insecure ? ['https', 'http'] : ['https']
    let lastErr: unknown
    for (const scheme of schemes) {
      const url = new URL(`${scheme}://${this.apiHost}/v2/`)
      let res: HttpResponse
      try {
        res = await send({ method: 'GET', url, tls: this.tls })
      } catch (err) {
        lastErr = err
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') break
        continue
      }
      drain(res)
      if (res.status !== 200 && res.status !== 401) {
        lastErr = new RegistryError(`${this.host} does not look like a registry: ${url.href} answered HTTP ${res.status}`)
        continue
      }
      this.base = new URL(`${scheme}://${this.apiHost}/`)
      if (res.status === 401) {
        const challenges = parseAuthChallenges(res.headers['www-authenticate'])
        this.challenge = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic')
        if (!this.challenge) {
          throw new RegistryAuthError(`${this.host} asks for an authentication scheme tsrun does not speak (${String(res.headers['www-authenticate'] ?? 'none given')})`)
        }
      }
      return
    }
    if (lastErr instanceof RegistryError) throw lastErr
    throw this.unreachable(lastErr as ProxiedError)
  }

  /** The Authorization header for these scopes, or undefined when anonymous access is all there is. */
  private async authorization(scopes: string[], action: Action): Promise<string | undefined> {
    const c = this.challenge
    if (!c) return undefined
    const creds = await this.credentials()
    if (c.scheme === 'basic') {
      if (creds?.identityToken) throw new RegistryAuthError(`${this.host} asks for a password (basic auth), but the saved login is an identity token, which only works with token auth; run tsrun login ${this.host} again`)
      return creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined
    }
    // One token per scope set, shared by concurrent requests, until it lapses:
    // a push or pull that outlasts it (Docker Hub's live 5 minutes) gets a new one.
    const key = scopes.join(' ')
    let entry = this.tokens.get(key)
    if (!entry || (entry.expires !== undefined && Date.now() >= entry.expires)) {
      const fresh: CachedToken = {
        token: this.fetchToken(c, scopes, action).then(({ token, expiresIn }) => {
          fresh.expires = Date.now() + tokenLifetimeMs(expiresIn)
          return token
        }),
      }
      entry = fresh
      this.tokens.set(key, fresh)
      fresh.token.catch(() => {
        if (this.tokens.get(key) === fresh) this.tokens.delete(key)
      })
    }
    return `Bearer ${await entry.token}`
  }

  private async fetchToken(c: AuthChallenge, scopes: string[], action: Action): Promise<{ token: string; expiresIn?: unknown }> {
    if (!c.params.realm) throw new RegistryAuthError(`${this.host}: the bearer challenge names no realm to get a token from`)
    const url = new URL(c.params.realm)
    const creds = await this.credentials()
    let res: HttpResponse
    try {
      if (creds?.identityToken) {
        // OAuth2 refresh-token grant, as Docker trades an identity token for an access token.
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: OAUTH_CLIENT_ID })
        if (c.params.service) form.set('service', c.params.service)
        if (scopes.length) form.set('scope', scopes.join(' '))
        res = await send({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), tls: this.tls })
      } else {
        if (c.params.service) url.searchParams.set('service', c.params.service)
        for (const s of scopes) url.searchParams.append('scope', s)
        if (action === 'login' && creds) {
          url.searchParams.set('offline_token', 'true')
          url.searchParams.set('client_id', OAUTH_CLIENT_ID)
        }
        const headers: Record<string, string> = creds ? { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` } : {}
        res = await send({ method: 'GET', url, headers, tls: this.tls })
      }
    } catch (err) {
      // The realm is often another host than the registry: name the one that failed.
      throw this.unreachable(err as ProxiedError, `the token service ${url.host} of ${this.host}`, 'token service')
    }
    if (res.status === 401 || res.status === 403 || (creds?.identityToken && res.status === 400)) {
      drain(res)
      if (creds?.identityToken) throw new RegistryAuthError(`${this.host}: the token service refused the saved identity token (expired or revoked); run tsrun login ${this.host} again`)
      throw creds
        ? new RegistryAuthError(`${this.host}: the token service refused the credentials of ${creds.username}: wrong username or password`)
        : new RegistryAuthError(`${this.host}: authentication required; run tsrun login ${this.host}`)
    }
    if (res.status !== 200) {
      drain(res)
      throw new RegistryAuthError(`${this.host}: the token service ${url.host} answered HTTP ${res.status}`)
    }
    // A proxy's or a login page's HTML also comes with 200: say so in one line, not as a JSON SyntaxError.
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; refresh_token?: unknown }
    try {
      body = JSON.parse((await readBody(res, 1024 * 1024)).toString('utf8')) ?? {}
    } catch {
      body = {}
    }
    const token = body.token || body.access_token
    if (typeof token !== 'string') throw new RegistryAuthError(`${this.host}: the token service ${url.host} answered something that is not a token (no JSON with a "token" field)`)
    if (action === 'login' && typeof body.refresh_token === 'string' && body.refresh_token) this.refreshToken = body.refresh_token
    return { token, expiresIn: body.expires_in }
  }

  private authFailure(action: Action, res: HttpResponse, repo?: string): RegistryAuthError {
    const where = repo ? `${this.host}/${repo}` : this.host
    const creds = this.creds
    const who = creds ? creds.username || 'the saved identity token' : ''
    if (res.status === 403) return new RegistryAuthError(`${where}: access denied${creds ? ` for ${who}` : ''} (HTTP 403)`)
    // With tokens the password was checked by the token service already (a
    // wrong one fails in fetchToken): a 401 here means the token lacks the access.
    if (creds && this.challenge?.scheme === 'bearer' && action !== 'login') {
      return new RegistryAuthError(`${where}: access denied for ${who}: no ${action} access (check the repository name, or ask for access)`)
    }
    if (creds) return new RegistryAuthError(`${where}: the registry refused the credentials of ${who}: wrong username or password${action === 'push' ? ', or no push access' : ''}`)
    return new RegistryAuthError(`${where}: authentication required; run tsrun login ${this.host}`)
  }

  private async expect(res: HttpResponse, ok: number[], what: string, action: Action, repo: string): Promise<void> {
    if (ok.includes(res.status)) return
    if (res.status === 401 || res.status === 403) {
      drain(res)
      throw this.authFailure(action, res, repo)
    }
    const detail = await registryMessage(res)
    throw new RegistryError(`${this.host}/${repo}: ${what} failed: HTTP ${res.status}${detail ? ` (${detail})` : ''}`)
  }
}

function scopeOf(repo: string, actions: string): string {
  return `repository:${repo}:${actions}`
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

/** The registry's own `{"errors":[{"code","message"}]}` text, if it sent one. */
async function registryMessage(res: HttpResponse): Promise<string | undefined> {
  try {
    const body = await readBody(res, 64 * 1024)
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> }
    return doc.errors?.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ') || undefined
  } catch {
    return undefined
  }
}
