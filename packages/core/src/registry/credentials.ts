/**
 * One registry credentials file, in the shape Docker's `config.json` and
 * podman's `auth.json` share:
 *
 *   {
 *     "auths": {
 *       "127.0.0.1:5000": { "auth": "<base64 of user:password>" },
 *       "registry.lan/team": { "auth": "..." },                 (a namespace: podman's)
 *       "acr.example": { "auth": "<base64 of user:>", "identitytoken": "<refresh token>" }
 *     },
 *     "credHelpers": { "registry.lan": "pass" },                (docker-credential-pass for that host)
 *     "credsStore": "secretservice"                             (for every other host)
 *   }
 *
 * For a host, as Docker decides: its `credHelpers` entry, else `credsStore`,
 * run through the helper protocol (credential-helper.ts); else (or when the
 * helper has nothing) the `auths` entry of the most specific key: the
 * repository's namespaces (podman's), then the host, then a Docker-style
 * URL key (`https://host/v1/`). Docker Hub is written under Docker's key
 * `https://index.docker.io/v1/` and found under podman's `docker.io` too.
 *
 * Writes are atomic (temp file + rename, through a symlinked config.json to
 * its target, as Docker does), mode 0600; keys tsrun does not use are kept.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { writeJsonAtomic } from '../util/atomic'
import { helperErase, helperGet, helperStore } from './credential-helper'

/** What authenticates to a registry: a password, or an identity (OAuth2 refresh) token. */
export interface Credentials {
  username: string
  password: string
  /** Docker's `identitytoken`: traded for access tokens at the token service; the password is then empty. */
  identityToken?: string
}

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  [key: string]: unknown
}

interface AuthFileDoc {
  auths?: Record<string, AuthEntry>
  credHelpers?: Record<string, string>
  credsStore?: string
  [key: string]: unknown
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'
const HUB_NAMES = ['docker.io', 'index.docker.io', 'registry-1.docker.io']

/** The key Docker uses for a registry host in `auths` (and hands to helpers as the server URL). */
export function authKey(host: string): string {
  return HUB_NAMES.includes(host) ? DOCKER_HUB_KEY : host
}

/** Where a login was kept: the file, or a helper (named) with the file recording the host. */
export interface StoredWhere {
  file: string
  helper?: string
}

export class AuthFile {
  constructor(readonly file: string) {}

  /** The helper that keeps `host`'s credentials per this file (`credHelpers`, else `credsStore`), if any. */
  helperFor(host: string): string | undefined {
    const doc = this.read()
    const names = HUB_NAMES.includes(host) ? [...HUB_NAMES, DOCKER_HUB_KEY] : [host]
    for (const n of names) if (doc.credHelpers?.[n]) return doc.credHelpers[n]
    return doc.credsStore || undefined
  }

  /** The credentials this file gives for `host` (and repository `repo` there); undefined when none. */
  async lookup(host: string, repo?: string): Promise<Credentials | undefined> {
    const helper = this.helperFor(host)
    if (helper) {
      const found = await helperGet(helper, authKey(host))
      if (found) return found
    }
    return this.entryCredentials(host, repo)
  }

  /** Save `creds` for `host` where this file says: its helper, or the file itself. */
  async store(host: string, creds: Credentials): Promise<StoredWhere> {
    const helper = this.helperFor(host)
    const doc = this.read()
    doc.auths ??= {}
    for (const k of this.keysOf(doc, host)) delete doc.auths[k]
    if (helper) {
      await helperStore(helper, authKey(host), creds)
      // As Docker: the file still lists the host (an empty entry), the secret is in the helper.
      doc.auths[authKey(host)] = {}
    } else {
      const entry: AuthEntry = { auth: Buffer.from(`${creds.username}:${creds.identityToken ? '' : creds.password}`).toString('base64') }
      if (creds.identityToken) entry.identitytoken = creds.identityToken
      doc.auths[authKey(host)] = entry
    }
    this.write(doc)
    return { file: this.file, helper }
  }

  /** Forget `host` here and in its helper; answers whether anything was forgotten. */
  async erase(host: string): Promise<boolean> {
    const helper = this.helperFor(host)
    const erased = helper ? await helperErase(helper, authKey(host)) : false
    const doc = this.read()
    const keys = this.keysOf(doc, host)
    if (keys.length) {
      for (const k of keys) delete doc.auths![k]
      this.write(doc)
    }
    return erased || keys.length > 0
  }

  /**
   * `logout --all`: forget every host the file lists (in `auths` or
   * `credHelpers`), in their helpers too. `credHelpers` and `credsStore`
   * stay: they are configuration, not credentials. Answers the hosts.
   */
  async eraseAll(): Promise<string[]> {
    const doc = this.read()
    const hosts = [...new Set([...Object.keys(doc.auths ?? {}), ...Object.keys(doc.credHelpers ?? {})])]
    for (const key of hosts) {
      const host = stripScheme(key)
      const helper = this.helperFor(host)
      if (helper) await helperErase(helper, authKey(host))
    }
    if (doc.auths && Object.keys(doc.auths).length) {
      doc.auths = {}
      this.write(doc)
    }
    return hosts
  }

  /** The `auths` entry's credentials for `host`, most specific key first. */
  private entryCredentials(host: string, repo?: string): Credentials | undefined {
    const auths = this.read().auths ?? {}
    const tried: string[] = []
    if (repo) {
      const parts = repo.split('/')
      for (let n = parts.length; n > 0; n--) tried.push(`${host}/${parts.slice(0, n).join('/')}`)
    }
    tried.push(...(HUB_NAMES.includes(host) ? [DOCKER_HUB_KEY, ...HUB_NAMES] : [host]))
    for (const key of tried) {
      const creds = auths[key] && this.decode(auths[key], key)
      if (creds) return creds
    }
    for (const [key, entry] of Object.entries(auths)) {
      if (/^https?:\/\//.test(key) && stripScheme(key) === host) {
        const creds = this.decode(entry, key)
        if (creds) return creds
      }
    }
    return undefined
  }

  private decode(entry: AuthEntry, key: string): Credentials | undefined {
    let username = entry.username
    let password = entry.password
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon < 0) throw new InvalidArgumentError(`${this.file}: the "auth" entry for ${key} is not base64 of user:password; log in to ${key} again`)
      username = decoded.slice(0, colon)
      password = decoded.slice(colon + 1)
    }
    if (entry.identitytoken) return { username: username ?? '', password: '', identityToken: entry.identitytoken }
    if (username && password !== undefined && password !== '') return { username, password }
    return undefined
  }

  private keysOf(doc: AuthFileDoc, host: string): string[] {
    const names = HUB_NAMES.includes(host) ? [DOCKER_HUB_KEY, ...HUB_NAMES] : [host]
    // The host's own keys; a namespace's (`host/team`) is its own login and stays.
    return Object.keys(doc.auths ?? {}).filter((k) => names.includes(k) || (/^https?:\/\//.test(k) && stripScheme(k) === host))
  }

  private read(): AuthFileDoc {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw new InvalidArgumentError(`cannot read the credentials file ${this.file}: ${(err as Error).message}`)
    }
    let doc: unknown
    try {
      doc = text.trim() ? JSON.parse(text) : {}
    } catch (err) {
      throw new InvalidArgumentError(`${this.file} is not valid JSON (${(err as Error).message}); fix or remove it`)
    }
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
    if (!isObject(doc)) throw new InvalidArgumentError(`${this.file} is not a JSON object; fix or remove it`)
    const d = doc as AuthFileDoc
    if (d.auths !== undefined && (!isObject(d.auths) || Object.values(d.auths).some((e) => !isObject(e)))) {
      throw new InvalidArgumentError(`${this.file}: "auths" must map registries to objects like {"auth": "..."}; fix or remove it`)
    }
    if (d.credHelpers !== undefined && (!isObject(d.credHelpers) || Object.values(d.credHelpers).some((h) => typeof h !== 'string'))) {
      throw new InvalidArgumentError(`${this.file}: "credHelpers" must map registries to helper names; fix or remove it`)
    }
    if (d.credsStore !== undefined && typeof d.credsStore !== 'string') throw new InvalidArgumentError(`${this.file}: "credsStore" must be a helper name; fix or remove it`)
    return d
  }

  private write(doc: AuthFileDoc): void {
    // A symlinked config.json (dotfiles) is written through to its target, as Docker does.
    let target = this.file
    try {
      target = fs.realpathSync(this.file)
    } catch {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 })
    }
    writeJsonAtomic(target, doc, 0o600)
    // An existing file keeps its mode across rename only if we set it: make sure.
    fs.chmodSync(target, 0o600)
  }
}

function stripScheme(key: string): string {
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
}
