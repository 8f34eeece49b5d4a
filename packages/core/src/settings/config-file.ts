/**
 * tsrun's own configuration file, `tsrun.conf`: defaults for the settings a
 * flag or an environment variable can also give. TOML, as containers.conf and
 * registries.conf (which tsrun reads too) are: comments are allowed, and one
 * parser serves all three. Example:
 *
 *   # /etc/tsrun/tsrun.conf
 *   root = "/srv/tsrun"
 *   storage-driver = "overlay"
 *   network = "host"
 *
 *   [registries]
 *   insecure = ["registry.lan:5000"]
 *
 * Two files are read, as containers.conf is: the system's
 * (`/etc/tsrun/tsrun.conf`), then the user's (`$XDG_CONFIG_HOME/tsrun/tsrun.conf`,
 * else `~/.config/tsrun/tsrun.conf`), whose settings win key by key.
 * `TSRUN_CONFIG=FILE` reads that one file instead of both. A file that does
 * not exist is skipped at the cost of one failed open(2): every command reads
 * these, so nothing else happens unless one exists.
 *
 * A setting this tsrun does not know, or a value of the wrong type, is an
 * error naming the file (as Docker refuses an unknown daemon.json key): a
 * typo in a config file must not be silently ignored.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InvalidArgumentError } from '../errors'
import { parseToml } from '../util/toml'

export const SYSTEM_CONFIG_FILE = '/etc/tsrun/tsrun.conf'

/** Every setting the file may hold, by its name there (`[registries]` keys as `registries.KEY`). */
export const FILE_SETTINGS = {
  root: 'path',
  runroot: 'path',
  'storage-driver': 'name',
  isolation: 'name',
  runtime: 'path',
  network: 'name',
  'log-driver': 'name',
  'registries.insecure': 'list',
  'registries.auth-file': 'path',
  'registries.config': 'path',
} as const

export type FileSettingKey = keyof typeof FILE_SETTINGS

/** One value and the file it came from. */
export interface FileValue<T = string | string[]> {
  value: T
  file: string
}

/** What the config files said: the files read, in order, and each setting's winning value. */
export interface LoadedConfigFiles {
  files: string[]
  values: Partial<Record<FileSettingKey, FileValue>>
}

/** The user's file: `$XDG_CONFIG_HOME/tsrun/tsrun.conf`, else `~/.config/tsrun/tsrun.conf`. */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || os.homedir(), '.config')
  return path.join(base, 'tsrun', 'tsrun.conf')
}

/** The files to read, in order (later ones win), and whether a missing one is an error. */
export function configFilePaths(env: NodeJS.ProcessEnv = process.env): { paths: string[]; required: boolean } {
  if (env.TSRUN_CONFIG) return { paths: [path.resolve(env.TSRUN_CONFIG)], required: true }
  return { paths: [SYSTEM_CONFIG_FILE, userConfigFile(env)], required: false }
}

/** Read and check the config files; later files override earlier ones setting by setting. */
export function loadConfigFiles(where: { paths: string[]; required: boolean } = configFilePaths()): LoadedConfigFiles {
  const loaded: LoadedConfigFiles = { files: [], values: {} }
  for (const file of where.paths) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' && !where.required) continue
      if (code === 'ENOENT') throw new InvalidArgumentError(`TSRUN_CONFIG names ${file}, which does not exist`)
      throw new InvalidArgumentError(`cannot read the config file ${file}: ${(err as Error).message}`)
    }
    loaded.files.push(file)
    for (const [key, value] of Object.entries(checkSettings(parseToml(text, file), file))) {
      loaded.values[key as FileSettingKey] = { value: value as string | string[], file }
    }
  }
  return loaded
}

/** The settings of one parsed file, flattened to `FileSettingKey`s, each checked for its type. */
function checkSettings(doc: Record<string, unknown>, file: string): Partial<Record<FileSettingKey, string | string[]>> {
  const out: Partial<Record<FileSettingKey, string | string[]>> = {}
  const visit = (obj: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(obj)) {
      const key = `${prefix}${name}`
      if (key === 'registries' && isTable(value)) {
        visit(value, 'registries.')
        continue
      }
      if (!(key in FILE_SETTINGS)) {
        throw new InvalidArgumentError(`${file}: unknown setting "${key}"; known settings are ${Object.keys(FILE_SETTINGS).join(', ')}`)
      }
      out[key as FileSettingKey] = checkValue(key as FileSettingKey, value, file)
    }
  }
  visit(doc, '')
  return out
}

function checkValue(key: FileSettingKey, value: unknown, file: string): string | string[] {
  const kind = FILE_SETTINGS[key]
  const shown = key.startsWith('registries.') ? `${key.slice('registries.'.length)} in [registries]` : key
  if (kind === 'list') {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v)) {
      throw new InvalidArgumentError(`${file}: ${shown} must be a list of non-empty strings, as in ${key.split('.').pop()} = ["host:port"]`)
    }
    return value as string[]
  }
  if (typeof value !== 'string' || !value) throw new InvalidArgumentError(`${file}: ${shown} must be a non-empty string`)
  if (kind === 'path' && !path.isAbsolute(value)) throw new InvalidArgumentError(`${file}: ${shown} must be an absolute path, not "${value}"`)
  return value
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}
