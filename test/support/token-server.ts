// A token server for the registry tests, as Docker's token auth spec describes
// one (distribution's docs/spec/auth/token.md and jwt.md): GET ?service=&scope=
// with optional basic credentials, answered with a JWT the registry verifies.
//
// The registry (docker-registry 2.8) checks: the `x5c` header's leaf
// certificate chains to its `rootcertbundle` (here the self-signed cert is the
// bundle), the signature (RS256), `iss` == its issuer, `aud` == its service,
// exp/nbf within a minute's leeway, and that `access` grants every action the
// request needs. The access granted is what the request's scopes ask for and
// the `grant` policy allows; a scope granting nothing is still answered 200,
// as real token servers do, so the registry is the one that says no.
//
// With `refreshTokens`, it also plays the OAuth2 side Docker uses for identity
// tokens (distribution's docs/spec/auth/oauth.md): a GET with
// `offline_token=true` and valid credentials also answers a `refresh_token`,
// and a form POST with `grant_type=refresh_token` trades one for an
// `access_token`; `revoke(user)` forgets a user's refresh tokens.
import { spawnSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

export interface TokenRequest {
  /** The user of the basic credentials sent; undefined when anonymous. */
  user?: string
  /** The `scope` parameters, in order. */
  scopes: string[]
  /** What the token granted, as scopes (`repository:NAME:a,b`). */
  granted: string[]
  status: number
  /** The OAuth2 grant of a POST; absent for a GET (password or anonymous). */
  grant?: 'refresh_token' | 'password'
  /** Present (true) when a GET asked for a refresh token (`offline_token=true`). */
  offline?: true
}

/** What the server answers: tokens, HTTP 500, or a 200 whose body is not JSON. */
export type TokenMode = 'ok' | 'error' | 'garbage'

export interface TokenServer {
  realm: string
  service: string
  issuer: string
  /** The certificate bundle the registry trusts for token signatures. */
  certFile: string
  /** Every token request, in arrival order (tests count and inspect them). */
  requests: TokenRequest[]
  mode: TokenMode
  /** Forget the refresh tokens handed to `user`. */
  revoke(user: string): void
  stop(): Promise<void>
}

export interface TokenServerOptions {
  users: Record<string, string>
  /** The actions `user` (undefined: anonymous) may have on repository `repo`. */
  grant: (user: string | undefined, repo: string) => string[]
  /** Hand out refresh tokens on `offline_token=true`, and take them in POSTs. */
  refreshTokens?: boolean
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-token-'))
  const keyFile = path.join(dir, 'key.pem')
  const certFile = path.join(dir, 'cert.pem')
  // Node cannot make certificates; openssl can (self-signed, so it is its own root).
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=tsrun-test-token-signer', '-days', '2', '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`)
  const key = crypto.createPrivateKey(fs.readFileSync(keyFile))
  const x5c = [new crypto.X509Certificate(fs.readFileSync(certFile)).raw.toString('base64')]

  const server: TokenServer = {
    realm: '',
    service: 'tsrun-test-registry',
    issuer: 'tsrun-test-token-server',
    certFile,
    requests: [],
    mode: 'ok',
    revoke: (user) => {
      for (const [t, u] of refresh) if (u === user) refresh.delete(t)
    },
    stop: async () => {
      await new Promise((res) => srv.close(res))
      srv.closeAllConnections()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }

  const sign = (user: string | undefined, access: object[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const header = { typ: 'JWT', alg: 'RS256', x5c }
    const claims = { iss: server.issuer, sub: user ?? '', aud: server.service, exp: now + 300, nbf: now - 5, iat: now, jti: crypto.randomUUID(), access }
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
    return `${input}.${b64url(crypto.sign('sha256', Buffer.from(input), key))}`
  }

  const answer = (res: http.ServerResponse, req: TokenRequest, status: number, body: string, type = 'application/json') => {
    req.status = status
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }

  /** refresh token -> user */
  const refresh = new Map<string, string>()

  const srv = http.createServer((httpReq, res) => {
    if (httpReq.method === 'POST') {
      let body = ''
      httpReq.setEncoding('utf8').on('data', (d: string) => (body += d))
      httpReq.on('end', () => handle(httpReq, res, new URLSearchParams(body)))
      return
    }
    handle(httpReq, res, undefined)
  })

  const handle = (httpReq: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams | undefined) => {
    const url = new URL(httpReq.url ?? '/', 'http://token')
    const params = form ?? url.searchParams
    // Scopes come as repeated parameters; older clients joined them with spaces.
    const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean)
    const req: TokenRequest = { scopes, granted: [], status: 0 }
    server.requests.push(req)
    if (form) {
      const grant = form.get('grant_type')
      if (!opts.refreshTokens || (grant !== 'refresh_token' && grant !== 'password')) return answer(res, req, 400, JSON.stringify({ error: 'unsupported_grant_type' }))
      req.grant = grant
      if (grant === 'refresh_token') {
        const user = refresh.get(form.get('refresh_token') ?? '')
        if (!user) return answer(res, req, 401, JSON.stringify({ error: 'invalid_grant' }))
        req.user = user
      } else {
        const user = form.get('username') ?? ''
        req.user = user
        if (opts.users[user] === undefined || opts.users[user] !== form.get('password')) return answer(res, req, 401, JSON.stringify({ error: 'invalid_grant' }))
      }
    }
    const basic = form ? null : /^Basic (.+)$/i.exec(httpReq.headers.authorization ?? '')
    if (basic) {
      const text = Buffer.from(basic[1], 'base64').toString('utf8')
      const user = text.slice(0, text.indexOf(':'))
      req.user = user
      if (opts.users[user] === undefined || opts.users[user] !== text.slice(user.length + 1)) {
        return answer(res, req, 401, JSON.stringify({ details: 'incorrect username or password' }))
      }
    }
    if (server.mode === 'error') return answer(res, req, 500, 'internal error\n', 'text/plain')
    if (server.mode === 'garbage') return answer(res, req, 200, '<html>not a token</html>', 'text/html')
    const access = scopes.flatMap((scope) => {
      // repository:NAME:ACTIONS; the type and actions are the ends, the name what lies between.
      const parts = scope.split(':')
      if (parts.length < 3 || parts[0] !== 'repository') return []
      const name = parts.slice(1, -1).join(':')
      const allowed = opts.grant(req.user, name)
      const actions = parts[parts.length - 1].split(',').filter((a) => allowed.includes(a))
      return actions.length ? [{ type: 'repository', name, actions }] : []
    })
    req.granted = access.map((a) => `repository:${a.name}:${a.actions.join(',')}`)
    const token = sign(req.user, access)
    if (form) return answer(res, req, 200, JSON.stringify({ access_token: token, expires_in: 300, scope: scopes.join(' ') }))
    const doc: Record<string, unknown> = { token, expires_in: 300, issued_at: new Date().toISOString() }
    if (url.searchParams.get('offline_token') === 'true') req.offline = true
    if (opts.refreshTokens && req.offline && req.user) {
      const rt = `rt-${req.user}-${crypto.randomUUID()}`
      refresh.set(rt, req.user)
      doc.refresh_token = rt
    }
    answer(res, req, 200, JSON.stringify(doc))
  }
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res))
  server.realm = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/token`
  return server
}
