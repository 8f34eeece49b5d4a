// tsrun.conf and the precedence of settings: flag > environment > config
// files (system, then user) > built-in, each value with where it came from.
import { afterEach, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { configReport, resolveConfig } from '../src/config'
import { configFilePaths, loadConfigFiles, userConfigFile } from '../src/settings/config-file'

const dirs: string[] = []
function conf(text: string, name = 'tsrun.conf'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-conf-'))
  dirs.push(d)
  fs.writeFileSync(path.join(d, name), text)
  return path.join(d, name)
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
const load = (...paths: string[]) => loadConfigFiles({ paths, required: false })

describe('tsrun.conf', () => {
  it('is read from /etc/tsrun/tsrun.conf, then the user\'s file; TSRUN_CONFIG replaces both', () => {
    expect(configFilePaths({ HOME: '/home/u' })).toEqual({ paths: ['/etc/tsrun/tsrun.conf', '/home/u/.config/tsrun/tsrun.conf'], required: false })
    expect(userConfigFile({ HOME: '/home/u', XDG_CONFIG_HOME: '/xdg' })).toBe('/xdg/tsrun/tsrun.conf')
    expect(configFilePaths({ TSRUN_CONFIG: '/x/t.conf' })).toEqual({ paths: ['/x/t.conf'], required: true })
  })

  it('the user file wins key by key over the system file; missing files are skipped', () => {
    const system = conf('root = "/srv/sys"\nnetwork = "host"\n[registries]\ninsecure = ["a:5000"]\n')
    const user = conf('# mine\nnetwork = "none"\n')
    const loaded = load(system, '/nonexistent/tsrun.conf', user)
    expect(loaded.files).toEqual([system, user])
    expect(loaded.values).toEqual({
      root: { value: '/srv/sys', file: system },
      network: { value: 'none', file: user },
      'registries.insecure': { value: ['a:5000'], file: system },
    })
  })

  it('refuses an unknown setting, naming the file and the known ones', () => {
    const file = conf('storage_driver = "bind"\n')
    expect(() => load(file)).toThrow(`${file}: unknown setting "storage_driver"; known settings are root, runroot, storage-driver,`)
  })

  it('refuses a value of the wrong type, and a relative path', () => {
    expect(() => load(conf('[registries]\ninsecure = "a:5000"\n'))).toThrow(/insecure in \[registries\] must be a list of non-empty strings/)
    expect(() => load(conf('isolation = 3\n'))).toThrow(/isolation must be a non-empty string/)
    expect(() => load(conf('root = "var/lib"\n'))).toThrow(/root must be an absolute path, not "var\/lib"/)
  })

  it('a TOML syntax error is one line with the line and column', () => {
    const file = conf('root = "/a"\nnetwork = [\n')
    expect(() => load(file)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')} is not valid TOML at line 3`))
  })

  it('TSRUN_CONFIG must name a file that exists', () => {
    expect(() => loadConfigFiles({ paths: ['/nonexistent/t.conf'], required: true })).toThrow('TSRUN_CONFIG names /nonexistent/t.conf, which does not exist')
  })
})

describe('precedence: flag > env > config > built-in', () => {
  const file = () => load(conf('root = "/srv/conf"\nstorage-driver = "bind"\nisolation = "fromconf"\nnetwork = "host"\nlog-driver = "none"\n[registries]\ninsecure = ["conf:1"]\nauth-file = "/etc/tsrun/auth.json"\n'))

  it('built-in defaults, each marked default', () => {
    const c = resolveConfig({}, {}, load())
    expect(c).toMatchObject({ root: '/var/lib/tsrun', runRoot: '/run/tsrun', isolation: 'native', storageDriver: 'overlay', network: 'none', logDriver: 'json-file', registries: { insecure: [] } })
    expect(c.runtime).toBeUndefined()
    expect(new Set(Object.values(c.origins).map((o) => o.source))).toEqual(new Set(['default']))
  })

  it('the config file over the defaults; a root moved there takes the run root along', () => {
    const loaded = file()
    const c = resolveConfig({}, {}, loaded)
    expect(c).toMatchObject({ root: '/srv/conf', runRoot: '/srv/conf/run', storageDriver: 'bind', network: 'host', logDriver: 'none', registries: { insecure: ['conf:1'], authFile: '/etc/tsrun/auth.json' } })
    expect(c.origins.root).toEqual({ source: 'file', name: loaded.files[0] })
    expect(c.origins.runroot).toEqual({ source: 'default' })
  })

  it('the environment over the file, the flag over both', () => {
    const env = { TSRUN_ROOT: '/env/root', TSRUN_STORAGE_DRIVER: 'overlay', TSRUN_INSECURE_REGISTRIES: 'e:1, e:2', REGISTRY_AUTH_FILE: '/env/auth.json', TSRUN_NETWORK: 'none' }
    const c = resolveConfig({ root: '/flag/root', isolation: 'flagged' }, env, file())
    expect(c).toMatchObject({ root: '/flag/root', storageDriver: 'overlay', isolation: 'flagged', network: 'none', registries: { insecure: ['e:1', 'e:2'], authFile: '/env/auth.json' } })
    expect(c.origins.root).toEqual({ source: 'flag', name: '--root' })
    expect(c.origins['storage-driver']).toEqual({ source: 'env', name: 'TSRUN_STORAGE_DRIVER' })
    expect(c.origins.isolation).toEqual({ source: 'flag', name: '--isolation' })
    expect(c.origins['registries.insecure']).toEqual({ source: 'env', name: 'TSRUN_INSECURE_REGISTRIES' })
    expect(c.sources).toEqual({ root: 'flag', runRoot: 'flag', isolation: 'flag', storageDriver: 'env' })
    expect(resolveConfig({}, {}, file()).sources).toEqual({ root: 'config file', runRoot: 'config file', isolation: 'config file', storageDriver: 'config file' })
  })

  it('configReport lists every setting with its value and source, for info', () => {
    const loaded = file()
    const rows = configReport(resolveConfig({ root: '/flag/root' }, { TSRUN_NETWORK: 'none' }, loaded))
    expect(rows.map((r) => r.setting)).toEqual(['root', 'runroot', 'isolation', 'storage-driver', 'network', 'log-driver', 'runtime', 'registries.insecure', 'registries.auth-file', 'registries.config'])
    expect(rows.find((r) => r.setting === 'root')).toEqual({ setting: 'root', value: '/flag/root', source: 'flag --root' })
    expect(rows.find((r) => r.setting === 'runroot')).toEqual({ setting: 'runroot', value: '/flag/root/run', source: 'default' })
    expect(rows.find((r) => r.setting === 'network')).toEqual({ setting: 'network', value: 'none', source: 'env TSRUN_NETWORK' })
    expect(rows.find((r) => r.setting === 'log-driver')).toEqual({ setting: 'log-driver', value: 'none', source: loaded.files[0] })
    expect(rows.find((r) => r.setting === 'runtime')).toEqual({ setting: 'runtime', value: '', source: 'default' })
  })
})
