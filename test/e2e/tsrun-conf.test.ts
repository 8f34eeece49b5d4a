// tsrun.conf: defaults for settings a flag or the environment can also give,
// with precedence flag > environment > config file > built-in; seen through
// what commands do (the storage driver and network a container gets, where
// state lives, where login writes, which registries may speak plain HTTP).
// The system file /etc/tsrun/tsrun.conf is not written here (other users of
// this machine would see it): TSRUN_CONFIG and the user's file stand in,
// and the core test config-file.test.ts covers the file order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { busyboxRootfs, lines, show, STACK_TRACE, Tsrun, waitFor, type Result } from '../support/tsrun'
import { registryName, startRegistry, type Registry } from '../support/registry'
import { useFreshRoots, useRoot } from '../support/suite'

const { t } = useRoot()
const freshRoot = useFreshRoots()
const temps: string[] = []
let plain: Registry | undefined
const { name } = await registryName()

beforeAll(async () => {
  if (name) plain = await startRegistry({ name })
}, 60_000)

afterAll(async () => {
  await plain?.stop()
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true })
}, 60_000)

function configFile(text: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-conf-e2e-'))
  temps.push(d)
  fs.writeFileSync(path.join(d, 'tsrun.conf'), text)
  return path.join(d, 'tsrun.conf')
}

function expectOneLineError(r: Result, pattern: RegExp) {
  expect(r.code, show(r)).toBe(125)
  expect(lines(r.stderr), show(r)).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).not.toMatch(STACK_TRACE)
}

/** `inspect` of a container created with `env` and `args`, removed again. */
async function createdWith(env: Record<string, string | undefined>, args: string[] = []): Promise<any> {
  const id = (await t.ok(['create', ...args, 'demo:1', 'true'], { env })).stdout.trim()
  try {
    return await t.inspect(id)
  } finally {
    await t.ok(['rm', id])
  }
}

describe('tsrun.conf defaults, flag > env > config > built-in', () => {
  it('storage-driver: the file over the built-in overlay, TSRUN_STORAGE_DRIVER over the file, --storage-driver over both', async () => {
    const env = { TSRUN_CONFIG: configFile('storage-driver = "bind"\n') }
    expect((await createdWith({})).Driver).toBe('overlay')
    expect((await createdWith(env)).Driver).toBe('bind')
    expect((await createdWith({ ...env, TSRUN_STORAGE_DRIVER: 'overlay' })).Driver).toBe('overlay')
    expect((await createdWith(env, ['--storage-driver', 'overlay'])).Driver).toBe('overlay')
  })

  it('isolation: the backend the file names is the one asked for; --isolation native wins', async () => {
    const env = { TSRUN_CONFIG: configFile('isolation = "from-config"\n') }
    expectOneLineError(await t.run(['create', 'demo:1', 'true'], { env }), /unknown isolation backend "from-config": registered isolation backends are .*\bnative\b/)
    expect((await createdWith(env, ['--isolation', 'native'])).HostConfig.Isolation).toBe('native')
  })

  it('network: host from the file gives the container the host\'s network; --network none wins; net sysctls stay refused', async () => {
    const env = { TSRUN_CONFIG: configFile('network = "host"\n') }
    expect((await createdWith(env)).HostConfig.NetworkMode).toBe('host')
    expect((await createdWith({ ...env, TSRUN_NETWORK: 'none' })).HostConfig.NetworkMode).toBe('none')
    expect((await createdWith(env, ['--network', 'none'])).HostConfig.NetworkMode).toBe('none')
    const run = await t.run(['run', '--rm', 'demo:1', 'hostname'], { env })
    expect(run.stdout, show(run)).toBe(`${os.hostname()}\n`)
    expectOneLineError(await t.run(['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', 'demo:1', 'true'], { env }), /--sysctl net\.ipv4\.ip_forward: not allowed with network host/)
  })

  it("root from the user's file ($XDG_CONFIG_HOME/tsrun/tsrun.conf) when neither --root nor TSRUN_ROOT is given; the run root goes along", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-conf-root-'))
    const configHome = path.dirname(path.dirname(configFile('')))
    fs.mkdirSync(path.join(configHome, 'tsrun'), { recursive: true })
    fs.writeFileSync(path.join(configHome, 'tsrun', 'tsrun.conf'), `root = "${root}"\n`)
    const viaConfig = new Tsrun(root)
    const env = { TSRUN_ROOT: undefined, REGISTRY_AUTH_FILE: undefined, XDG_CONFIG_HOME: configHome }
    try {
      await viaConfig.ok(['import', busyboxRootfs(), 'conf:1'], { env })
      expect(fs.existsSync(path.join(root, 'images', 'index.json'))).toBe(true)
      const listed = await viaConfig.run(['images', '--format', '{{.Repository}}:{{.Tag}}'], { env })
      expect(listed.stdout).toBe('conf:1\n')
      // The monitor's exit command names the roots itself: a detached --rm container removes itself there.
      const id = (await viaConfig.ok(['run', '-d', '--rm', 'conf:1', 'true'], { env })).stdout.trim()
      expect(fs.existsSync(path.join(root, 'run'))).toBe(true)
      await waitFor(() => !fs.existsSync(path.join(root, 'containers', id)), 'the --rm container to go')
      // --root still wins over the file.
      const other = await t.run(['images', '--root', t.root, '--format', '{{.Repository}}'], { env })
      expect(other.code, show(other)).toBe(0)
      expect(other.stdout).not.toContain('conf')
    } finally {
      await viaConfig.destroy()
    }
  })

  it('[registries] auth-file is where login writes, unless REGISTRY_AUTH_FILE or --authfile say otherwise', async () => {
    const reg = await startRegistry({ user: 'alice', password: 'pw' })
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-conf-auth-'))
      temps.push(dir)
      const env = { TSRUN_CONFIG: configFile(`[registries]\nauth-file = "${dir}/conf-auth.json"\n`), REGISTRY_AUTH_FILE: undefined, HOME: dir }
      const u = freshRoot()
      await u.ok(['login', '-u', 'alice', '-p', 'pw', reg.host], { env })
      expect(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'conf-auth.json'), 'utf8')).auths)).toEqual([reg.host])
      await u.ok(['login', '-u', 'alice', '-p', 'pw', reg.host], { env: { ...env, REGISTRY_AUTH_FILE: path.join(dir, 'env-auth.json') } })
      expect(fs.existsSync(path.join(dir, 'env-auth.json'))).toBe(true)
      await u.ok(['login', '--authfile', path.join(dir, 'flag-auth.json'), '-u', 'alice', '-p', 'pw', reg.host], { env })
      expect(fs.existsSync(path.join(dir, 'flag-auth.json'))).toBe(true)
      expect(fs.existsSync(path.join(dir, '.docker'))).toBe(false)
    } finally {
      await reg.stop()
    }
  })

  it.skipIf(!name)('[registries] insecure lets a plain-HTTP registry (not loopback by name) be used without --tls-verify', async () => {
    const u = freshRoot()
    await u.importDemo(`${plain!.host}/conf/demo:1`)
    expectOneLineError(await u.run(['push', `${plain!.host}/conf/demo:1`]), new RegExp(`cannot reach registry ${plain!.host}`))
    const env = { TSRUN_CONFIG: configFile(`[registries]\ninsecure = ["${plain!.host}"]\n`) }
    await u.ok(['push', `${plain!.host}/conf/demo:1`], { env })
    await freshRoot().ok(['pull', `${plain!.host}/conf/demo:1`], { env })
  })
})

describe('a bad tsrun.conf', () => {
  it('an unknown setting is one line naming the file and the setting, exit 125, for every command that opens the engine', async () => {
    const file = configFile('storage_driver = "bind"\n')
    for (const args of [['ps'], ['images'], ['run', '--rm', 'demo:1', 'true']]) {
      expectOneLineError(await t.run(args, { env: { TSRUN_CONFIG: file } }), new RegExp(`^Error: ${file.replace(/[.]/g, '\\.')}: unknown setting "storage_driver"; known settings are`, 'm'))
    }
  })

  it('a TOML syntax error is one line with the line number', async () => {
    const file = configFile('root = "/x"\nnetwork = "host\n')
    expectOneLineError(await t.run(['ps'], { env: { TSRUN_CONFIG: file } }), new RegExp(`^Error: ${file.replace(/[.]/g, '\\.')} is not valid TOML at line 2`, 'm'))
  })

  it('TSRUN_CONFIG naming a missing file is one line', async () => {
    expectOneLineError(await t.run(['ps'], { env: { TSRUN_CONFIG: '/nonexistent/tsrun.conf' } }), /^Error: TSRUN_CONFIG names \/nonexistent\/tsrun\.conf, which does not exist$/m)
  })
})
