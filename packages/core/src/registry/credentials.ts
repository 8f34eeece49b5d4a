/**
 * Registry credentials, kept in a file shaped like Docker's `config.json`:
 *
 *   { "auths": { "127.0.0.1:5000": { "auth": "<base64 of user:password>" } } }
 *
 * so it can be copied to or from `~/.docker/config.json` (and podman reads the
 * same shape from its `auth.json`). The file is `<root>/auth.json`, or
 * `$REGISTRY_AUTH_FILE` as podman names it; it is created with mode 0600 and
 * rewritten atomically, and keys other than `auths` are kept as they were.
 * Docker Hub is stored under Docker's key `https://index.docker.io/v1/`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'

export interface Credentials {
  username: string
  password: string
}

interface AuthFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  [key: string]: unknown
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'

/** The key Docker uses for a registry host in `auths`. */
export function authKey(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB_KEY : host
}

/** Where the credentials of the engine rooted at `root` live. */
export function authFilePath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.REGISTRY_AUTH_FILE ? path.resolve(env.REGISTRY_AUTH_FILE) : path.join(root, 'auth.json')
}

export class CredentialStore {
  constructor(readonly file: string) {}

  /** The credentials saved for `host`, if any. Accepts `https://host/...` keys as Docker writes for some hosts. */
  get(host: string): Credentials | undefined {
    const auths = this.read().auths ?? {}
    const key = authKey(host)
    const entry = auths[key] ?? Object.entries(auths).find(([k]) => stripScheme(k) === host)?.[1]
    if (!entry) return undefined
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0) throw new InvalidArgumentError(`${this.file}: the "auth" entry for ${host} is not base64 of user:password; run tsrun login ${host} again`)
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
    }
    if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password }
    return undefined
  }

  /** Save (replace) the credentials for `host`; the file ends up mode 0600. */
  set(host: string, creds: Credentials): void {
    const file = this.read()
    file.auths ??= {}
    file.auths[authKey(host)] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') }
    this.write(file)
  }

  /** Forget `host`; answers whether there was anything to forget. */
  remove(host: string): boolean {
    const file = this.read()
    const auths = file.auths ?? {}
    const keys = Object.keys(auths).filter((k) => k === authKey(host) || stripScheme(k) === host)
    if (!keys.length) return false
    for (const k of keys) delete auths[k]
    this.write(file)
    return true
  }

  private read(): AuthFile {
    try {
      return readJson<AuthFile>(this.file) ?? {}
    } catch (err) {
      throw new InvalidArgumentError(`${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`)
    }
  }

  private write(file: AuthFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true })
    writeJsonAtomic(this.file, file, 0o600)
    // An existing file keeps its mode across rename only if we set it: make sure.
    fs.chmodSync(this.file, 0o600)
  }
}

function stripScheme(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
}
