/**
 * containers-registries.conf(5), version 2 (and the deprecated version 1),
 * as podman, skopeo and buildah read it: short-name search registries and
 * aliases, and per-namespace `[[registry]]` tables (location rewrites,
 * mirrors, insecure, blocked). Example:
 *
 *   unqualified-search-registries = ["registry.lan:5000", "docker.io"]
 *   short-name-mode = "permissive"
 *
 *   [aliases]
 *   "tools" = "registry.lan:5000/team/tools"
 *
 *   [[registry]]
 *   prefix = "docker.io/library"
 *   location = "registry.lan:5000/hub"
 *   [[registry.mirror]]
 *   location = "mirror.lan/hub"
 *   insecure = true
 *
 * Files, as containers-registries.conf.d(5) orders them: the main file is
 * `$CONTAINERS_REGISTRIES_CONF` (or tsrun.conf's `registries.config`), else
 * the user's `~/.config/containers/registries.conf` when it exists, else
 * `/etc/containers/registries.conf`; then the `*.conf` drop-ins of
 * `/etc/containers/registries.conf.d` (not when the user's own main file is
 * used) and of `~/.config/containers/registries.conf.d`, each directory in
 * name order. A later file overrides the global settings it sets, replaces
 * a `[[registry]]` of the same prefix and adds the others; an alias set to
 * "" is removed. Last, the aliases podman records after a prompt
 * (`short-name-aliases.conf` in /var/cache/containers, or ~/.cache/containers
 * for other users) override those of the files.
 *
 * Read only by commands that resolve names for a registry (pull, push, and
 * a local lookup of a short name that found nothing), once per process.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { parseToml } from '../util/toml'

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only'
export type ShortNameMode = 'enforcing' | 'permissive' | 'disabled'

/** One mirror of a `[[registry]]`. */
export interface RegistryMirror {
  location: string
  insecure: boolean
  pullFromMirror: PullFromMirror
}

/** One `[[registry]]` table, checked and with its defaults filled in. */
export interface RegistryEntry {
  /** What it applies to: `host[:port][/namespace...]`, or `*.domain`. */
  prefix: string
  /** Where that namespace really lives; empty for a wildcard prefix without one (no rewrite). */
  location: string
  insecure: boolean
  blocked: boolean
  mirrorByDigestOnly: boolean
  mirrors: RegistryMirror[]
  /** The file that defined it, for messages. */
  file: string
}

/** The merged configuration of every file read. */
export interface RegistriesConf {
  /** The files read, in order. */
  files: string[]
  /** `unqualified-search-registries`, when some file set it (possibly to []). */
  searchRegistries?: { registries: string[]; file: string }
  shortNameMode: ShortNameMode
  /** Short name (no tag) -> fully qualified repository, with the file that set it. */
  aliases: Map<string, { target: string; file: string }>
  registries: RegistryEntry[]
}

export const SYSTEM_REGISTRIES_CONF = '/etc/containers/registries.conf'
const SYSTEM_DROPIN_DIR = '/etc/containers/registries.conf.d'

/** Where the files are, for `env` and an explicit main file (tsrun.conf `registries.config`). */
export function registriesConfPaths(env: NodeJS.ProcessEnv = process.env, explicit?: string): { main: string; mainRequired: boolean; dropInDirs: string[]; aliasCache: string } {
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config')
  const userMain = path.join(configHome, 'containers', 'registries.conf')
  const userDir = path.join(configHome, 'containers', 'registries.conf.d')
  const cacheHome = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache')
  const aliasCache = process.getuid?.() === 0 ? '/var/cache/containers/short-name-aliases.conf' : path.join(cacheHome, 'containers', 'short-name-aliases.conf')
  const named = env.CONTAINERS_REGISTRIES_CONF || explicit
  if (named) return { main: path.resolve(named), mainRequired: true, dropInDirs: [SYSTEM_DROPIN_DIR, userDir], aliasCache }
  if (fs.existsSync(userMain)) return { main: userMain, mainRequired: false, dropInDirs: [userDir], aliasCache }
  return { main: SYSTEM_REGISTRIES_CONF, mainRequired: false, dropInDirs: [SYSTEM_DROPIN_DIR, userDir], aliasCache }
}

/** Read, check and merge every file; missing files are skipped (an explicitly named main file must exist). */
export function loadRegistriesConf(where: ReturnType<typeof registriesConfPaths> = registriesConfPaths()): RegistriesConf {
  const conf: RegistriesConf = { files: [], shortNameMode: 'permissive', aliases: new Map(), registries: [] }
  const main = readIfThere(where.main, where.mainRequired)
  if (main !== undefined) merge(conf, parseFile(main, where.main, true), where.main)
  for (const dir of where.dropInDirs) {
    let names: string[]
    try {
      names = fs.readdirSync(dir).filter((n) => n.endsWith('.conf')).sort()
    } catch {
      continue
    }
    for (const name of names) {
      const file = path.join(dir, name)
      if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) continue
      merge(conf, parseFile(readIfThere(file, true)!, file, false), file)
    }
  }
  const cache = readIfThere(where.aliasCache, false)
  if (cache !== undefined) {
    // Machine-written by podman; a broken one must not stop every pull.
    try {
      mergeAliases(conf, parseToml(cache, where.aliasCache).aliases, where.aliasCache)
      conf.files.push(where.aliasCache)
    } catch {
      /* ignored, as podman rewrites it */
    }
  }
  return conf
}

function readIfThere(file: string, required: boolean): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined
    throw new InvalidArgumentError(`cannot read the registries configuration ${file}: ${(err as Error).message}`)
  }
}

/** What one file says, before merging. */
interface ParsedFile {
  search?: string[]
  mode?: ShortNameMode
  aliases?: unknown
  registries: RegistryEntry[]
}

function parseFile(text: string, file: string, mayBeV1: boolean): ParsedFile {
  const doc = parseToml(text, file)
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`${file}: ${what}`)
  }
  const v1 = doc.registries
  const v2 = doc.registry !== undefined || doc['unqualified-search-registries'] !== undefined
  if (v1 !== undefined) {
    if (!mayBeV1) bad('a drop-in file must use the version 2 format ([[registry]] tables), not [registries.search|insecure|block]')
    if (v2) bad('mixes the version 1 format ([registries.search|insecure|block]) with the version 2 one ([[registry]], unqualified-search-registries); use one')
    return fromV1(v1, bad, file)
  }
  const out: ParsedFile = { registries: [] }
  if (doc['unqualified-search-registries'] !== undefined) out.search = hostList(doc['unqualified-search-registries'], 'unqualified-search-registries', bad)
  if (doc['short-name-mode'] !== undefined && doc['short-name-mode'] !== '') {
    const mode = doc['short-name-mode']
    if (mode !== 'enforcing' && mode !== 'permissive' && mode !== 'disabled') bad(`short-name-mode must be "enforcing", "permissive" or "disabled", not ${JSON.stringify(mode)}`)
    out.mode = mode as ShortNameMode
  }
  out.aliases = doc.aliases
  if (doc.registry !== undefined) {
    if (!Array.isArray(doc.registry)) bad('registry must be an array of tables: write [[registry]]')
    const seen = new Set<string>()
    for (const raw of doc.registry as unknown[]) {
      const entry = registryEntry(raw, file, bad)
      if (seen.has(entry.prefix)) bad(`the registry prefix "${entry.prefix}" is defined more than once`)
      seen.add(entry.prefix)
      out.registries.push(entry)
    }
  }
  return out
}

function fromV1(v1: unknown, bad: (what: string) => never, file: string): ParsedFile {
  if (!isTable(v1)) bad('registries must be a table ([registries.search] and friends)')
  const list = (section: string): string[] => {
    const s = (v1 as Record<string, unknown>)[section]
    if (s === undefined) return []
    if (!isTable(s)) bad(`[registries.${section}] must be a table with registries = [...]`)
    return hostList((s as Record<string, unknown>).registries ?? [], `registries.${section}.registries`, bad)
  }
  const insecure = new Set(list('insecure'))
  const blocked = new Set(list('block'))
  const registries = [...new Set([...insecure, ...blocked])].map((host) => ({
    prefix: host,
    location: host,
    insecure: insecure.has(host),
    blocked: blocked.has(host),
    mirrorByDigestOnly: false,
    mirrors: [],
    file,
  }))
  return { search: list('search'), registries }
}

function registryEntry(raw: unknown, file: string, bad: (what: string) => never): RegistryEntry {
  if (!isTable(raw)) bad('each [[registry]] must be a table')
  const t = raw as Record<string, unknown>
  const str = (key: string): string => {
    const v = t[key]
    if (v === undefined) return ''
    if (typeof v !== 'string') bad(`[[registry]] ${key} must be a string`)
    return (v as string).replace(/\/+$/, '')
  }
  const bool = (tbl: Record<string, unknown>, key: string, where: string): boolean => {
    const v = tbl[key]
    if (v === undefined) return false
    if (typeof v !== 'boolean') bad(`${where} ${key} must be true or false`)
    return v as boolean
  }
  let location = str('location')
  let prefix = str('prefix') || location
  if (!prefix) bad('a [[registry]] needs a location or a prefix')
  const wildcard = prefix.startsWith('*.')
  if (location) checkName(location, 'location', bad)
  if (wildcard && !/^\*\.[A-Za-z0-9.-]+$/.test(prefix)) bad(`the wildcard prefix "${prefix}" must be *.domain, without a port or a path`)
  if (!wildcard) checkName(prefix, 'prefix', bad)
  if (!location && !wildcard) location = prefix
  const mirrorByDigestOnly = bool(t, 'mirror-by-digest-only', '[[registry]]')
  const mirrors: RegistryMirror[] = []
  if (t.mirror !== undefined) {
    if (!Array.isArray(t.mirror)) bad('registry.mirror must be an array of tables: write [[registry.mirror]]')
    for (const m of t.mirror as unknown[]) {
      if (!isTable(m)) bad('each [[registry.mirror]] must be a table')
      const mt = m as Record<string, unknown>
      if (typeof mt.location !== 'string' || !mt.location) bad(`a mirror of "${prefix}" needs a location`)
      const mloc = (mt.location as string).replace(/\/+$/, '')
      checkName(mloc, 'mirror location', bad)
      let pullFromMirror: PullFromMirror = 'all'
      if (mt['pull-from-mirror'] !== undefined && mt['pull-from-mirror'] !== '') {
        const p = mt['pull-from-mirror']
        if (p !== 'all' && p !== 'digest-only' && p !== 'tag-only') bad(`pull-from-mirror must be "all", "digest-only" or "tag-only", not ${JSON.stringify(p)}`)
        if (mirrorByDigestOnly) bad(`the mirror ${mloc} sets pull-from-mirror while its registry "${prefix}" sets mirror-by-digest-only = true; keep one`)
        pullFromMirror = p as PullFromMirror
      }
      mirrors.push({ location: mloc, insecure: bool(mt, 'insecure', `the mirror ${mloc}`), pullFromMirror: mirrorByDigestOnly ? 'digest-only' : pullFromMirror })
    }
  }
  return { prefix, location, insecure: bool(t, 'insecure', '[[registry]]'), blocked: bool(t, 'blocked', '[[registry]]'), mirrorByDigestOnly, mirrors, file }
}

/** A prefix or location: `host[:port][/path...]` with an optional tag or digest, no scheme. */
function checkName(value: string, what: string, bad: (what: string) => never): void {
  if (/^[a-z]+:\/\//i.test(value)) bad(`${what} "${value}" must not include a scheme (for plain HTTP set insecure = true)`)
  if (!/^[A-Za-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._\/-]+)?([:@][\w.:+-]+)?$/.test(value)) bad(`${what} "${value}" is not a registry host[:port][/namespace]`)
}

function hostList(v: unknown, what: string, bad: (what: string) => never): string[] {
  if (!Array.isArray(v) || v.some((h) => typeof h !== 'string' || !/^[A-Za-z0-9.-]+(:[0-9]+)?$/.test(h))) bad(`${what} must be a list of "host[:port]" strings`)
  return v as string[]
}

function merge(conf: RegistriesConf, parsed: ParsedFile, file: string): void {
  conf.files.push(file)
  if (parsed.search) conf.searchRegistries = { registries: parsed.search, file }
  if (parsed.mode) conf.shortNameMode = parsed.mode
  mergeAliases(conf, parsed.aliases, file)
  for (const entry of parsed.registries) {
    const at = conf.registries.findIndex((r) => r.prefix === entry.prefix)
    if (at >= 0) conf.registries[at] = entry
    else conf.registries.push(entry)
  }
}

function mergeAliases(conf: RegistriesConf, aliases: unknown, file: string): void {
  if (aliases === undefined) return
  if (!isTable(aliases)) throw new InvalidArgumentError(`${file}: [aliases] must be a table of "name" = "registry/repository"`)
  for (const [name, target] of Object.entries(aliases)) {
    if (typeof target !== 'string') throw new InvalidArgumentError(`${file}: the alias "${name}" must be a string`)
    if (target === '') {
      conf.aliases.delete(name)
      continue
    }
    if (/[:@]/.test(name) || isQualified(name)) {
      throw new InvalidArgumentError(`${file}: the alias name "${name}" must be a short name without a registry, tag or digest`)
    }
    if (!isQualified(target) || /[@]|:[^/]*$/.test(target.replace(/^[^/]*/, ''))) {
      throw new InvalidArgumentError(`${file}: the alias "${name}" must point at a registry/repository without tag or digest, not "${target}"`)
    }
    conf.aliases.set(name, { target, file })
  }
}

/** A name that starts with a registry host (`a.b/...`, `host:port/...`, `localhost/...`). */
export function isQualified(name: string): boolean {
  const slash = name.indexOf('/')
  if (slash < 0) return false
  const first = name.slice(0, slash)
  return first.includes('.') || first.includes(':') || first === 'localhost'
}

/**
 * The `[[registry]]` for a fully qualified reference string
 * (`docker.io/library/alpine:3`): the one whose prefix matches longest, as
 * the man page says; a prefix matches when the name starts with it and goes
 * on with `/`, `@`, or (after a repository, not a bare host) `:`.
 */
export function findRegistry(conf: RegistriesConf, name: string): { entry: RegistryEntry; matched: number } | undefined {
  let best: { entry: RegistryEntry; matched: number } | undefined
  for (const entry of conf.registries) {
    const matched = matchLength(name, entry.prefix)
    if (matched > (best?.matched ?? -1)) best = { entry, matched }
  }
  return best
}

function matchLength(name: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const hostPort = name.split(/[/@]/)[0]
    if (!hostPort.replace(/:\d+$/, '').endsWith(prefix.slice(1))) return -1
    return hostPort.length
  }
  if (name === prefix) return prefix.length
  if (!name.startsWith(prefix)) return -1
  const next = name[prefix.length]
  if (next === '/' || next === '@') return prefix.length
  // A colon after a bare host starts a port (example.com:5000 is not example.com); after a repository, a tag.
  if (next === ':' && prefix.includes('/')) return prefix.length
  return -1
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}
