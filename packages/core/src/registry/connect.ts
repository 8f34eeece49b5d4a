/**
 * Everything a command needs to talk to registries the way the user's
 * configuration says, in one place: credentials (auth-files.ts and the
 * files' helpers), TLS (certs-d.ts, the system CAs), insecure registries
 * (`--tls-verify`, TSRUN_INSECURE_REGISTRIES or tsrun.conf, registries.conf,
 * loopback), and registries.conf's names, mirrors and blocks. One
 * `RegistryAccess` per engine config (`registryAccess(config)`), so the
 * engine and the image-source plugin share what was read; registries.conf
 * is read on first use only.
 */
import type { EngineConfig } from '../config'
import { InvalidArgumentError } from '../errors'
import type { ImageReference } from '../images/reference'
import { authFileChain, type AuthFileChain } from './auth-files'
import { hostTlsFiles } from './certs-d'
import { RegistryClient } from './client'
import { AuthFile, type Credentials, type StoredWhere } from './credentials'
import { assertNotBlocked, insecureHost, pullSources, type PullSource } from './pull-sources'
import { loadRegistriesConf, registriesConfPaths, type RegistriesConf } from './registries-conf'
import { localCandidates, resolvePullName, type NameResolution } from './short-names'

/** What one command adds: its flags. Undefined means not given. */
export interface RegistryCallOptions {
  /** `--tls-verify`: false allows plain HTTP and any certificate; true insists on verified HTTPS. */
  tlsVerify?: boolean
  /** `--authfile`: the one credentials file to read and write. */
  authFile?: string
  /** `--cert-dir`: the directory with the registry's `*.crt`, `*.cert`, `*.key`. */
  certDir?: string
  /** Use these instead of the saved ones (`login`, `--creds`). */
  credentials?: Credentials
}

export class RegistryAccess {
  private registriesConf?: RegistriesConf

  constructor(
    private readonly config: Pick<EngineConfig, 'registries'>,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** registries.conf and its drop-ins, merged; read once. */
  get conf(): RegistriesConf {
    this.registriesConf ??= loadRegistriesConf(registriesConfPaths(this.env, this.config.registries.registriesConf))
    return this.registriesConf
  }

  /** The credentials files for this call (`--authfile` over the configured one over the default chain). */
  authFiles(call: RegistryCallOptions = {}): AuthFileChain {
    return authFileChain(call.authFile ?? this.config.registries.authFile, this.env)
  }

  /** The first credentials the chain's files (or their helpers) have for `host` / `repo`. */
  async lookupCredentials(host: string, repo: string | undefined, call: RegistryCallOptions = {}): Promise<Credentials | undefined> {
    for (const file of this.authFiles(call).files) {
      const found = await new AuthFile(file).lookup(host, repo)
      if (found) return found
    }
    return undefined
  }

  /**
   * A client for `host`. `repo` narrows the credential lookup to a
   * namespace's entry when there is one; `insecure` is what registries.conf
   * says of this source (a mirror's own `insecure`).
   */
  connect(host: string, call: RegistryCallOptions & { repo?: string; insecure?: boolean } = {}): RegistryClient {
    const files = hostTlsFiles(host, call.certDir, this.env)
    const insecure = [...this.config.registries.insecure]
    if (call.insecure || insecureHost(this.safeConf(), { domain: host, path: '' })) insecure.push(host)
    return new RegistryClient({
      host,
      credentials: call.credentials ?? (() => this.lookupCredentials(host, call.repo, call)),
      tlsVerify: call.tlsVerify,
      insecureRegistries: insecure,
      tls: { ca: files.ca, cert: files.client?.cert, key: files.client?.key },
    })
  }

  /** The candidates a pull of `input` tries (registries.conf's aliases and search registries). */
  resolvePull(input: string): NameResolution {
    return resolvePullName(this.conf, input)
  }

  /** Mirrors, then the (rewritten) location of a fully qualified reference. */
  pullSources(ref: ImageReference): PullSource[] {
    return pullSources(this.conf, ref)
  }

  /** Refuse a reference registries.conf blocks. */
  assertNotBlocked(ref: ImageReference, action: 'pull' | 'push'): void {
    assertNotBlocked(this.conf, ref, action)
  }

  /**
   * Other names a local lookup of a short name may find: the alias, the
   * search registries'. Empty when registries.conf cannot be read (the next
   * pull says why; a local lookup by id must not fail over it).
   */
  localCandidates(input: string): string[] {
    const conf = this.safeConf()
    return conf ? localCandidates(conf, input) : []
  }

  /** `login`: check `creds` at the registry, then save them where the chain's primary file says. */
  async login(host: string, creds: Credentials, call: RegistryCallOptions = {}): Promise<StoredWhere> {
    const result = await this.connect(host, { ...call, credentials: creds }).login()
    const saved = result.identityToken ? { username: creds.username, password: '', identityToken: result.identityToken } : creds
    return new AuthFile(this.authFiles(call).primary).store(host, saved)
  }

  /** `logout HOST`: forget it in the primary file and its helper. */
  async logout(host: string, call: RegistryCallOptions = {}): Promise<void> {
    const chain = this.authFiles(call)
    if (await new AuthFile(chain.primary).erase(host)) return
    for (const other of chain.files.slice(1)) {
      if (await new AuthFile(other).lookup(host).catch(() => undefined)) {
        throw new InvalidArgumentError(`not logged in to ${host} in ${chain.primary}; the credentials tsrun uses for it are in ${other}: log out with the tool that wrote them, or pass --authfile ${other}`)
      }
    }
    throw new InvalidArgumentError(`not logged in to ${host}`)
  }

  /** `logout --all`: every login of the primary file; answers the hosts forgotten. */
  async logoutAll(call: RegistryCallOptions = {}): Promise<string[]> {
    return new AuthFile(this.authFiles(call).primary).eraseAll()
  }

  private safeConf(): RegistriesConf | undefined {
    try {
      return this.conf
    } catch {
      return undefined
    }
  }
}

const shared = new WeakMap<object, RegistryAccess>()

/** The `RegistryAccess` of an engine config: the same instance for the engine and its plugins. */
export function registryAccess(config: Pick<EngineConfig, 'registries'>): RegistryAccess {
  let access = shared.get(config)
  if (!access) {
    access = new RegistryAccess(config)
    shared.set(config, access)
  }
  return access
}
