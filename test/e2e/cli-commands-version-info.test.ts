// Issue 10, "Commands that are missing": `version [--format json]` and
// `info` / `system info` (`--format json`), in the shape Docker documents
// (docs.docker.com/reference/cli/docker/version/ and .../system/info/:
// "--format json" prints one line; templates see the same fields).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { lines, newRoot, REPO, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const rootPackage = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'))
const corePackage = JSON.parse(fs.readFileSync(path.join(REPO, 'packages', 'core', 'package.json'), 'utf8'))
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

describe('version', () => {
  it('docker version --format json: one line with Client and Server', async () => {
    const r = await t.run(['version', '--format', 'json'])
    expect(r.code, show(r)).toBe(0)
    expect(lines(r.stdout)).toHaveLength(1)
    const v = JSON.parse(r.stdout)
    expect(v.Client).toMatchObject({ Version: rootPackage.version, ApiVersion: corePackage.version, Os: 'linux', Arch: GOARCH[process.arch] ?? process.arch, NodeVersion: process.version })
    expect(v.Server).toMatchObject({ Version: corePackage.version, ApiVersion: corePackage.version, Os: 'linux', KernelVersion: os.release() })
    expect(v.Server.Components.map((c: { Name: string }) => c.Name)).toEqual(['Engine', 'tsrun-shim'])
    const shim = v.Server.Components[1]
    expect(fs.existsSync(shim.Details.Path), shim.Details.Path).toBe(true)
  })

  it('the commit is one this checkout has (the one the bundle was built from)', async () => {
    const commit = (await t.ok(['version', '--format', '{{.Client.GitCommit}}'])).stdout.trim()
    expect(commit).toMatch(/^[0-9a-f]{7,}$/)
    expect(execFileSync('git', ['cat-file', '-t', commit], { cwd: REPO, encoding: 'utf8' }).trim()).toBe('commit')
  })

  it('docker version --format TEMPLATE: fields as Docker names them', async () => {
    const r = await t.ok(['version', '--format', '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}} {{range .Server.Components}}{{.Name}} {{end}}'])
    expect(r.stdout).toBe(`${corePackage.version} linux/${GOARCH[process.arch] ?? process.arch} Engine tsrun-shim \n`)
  })

  it('the text lists client, engine and runtime, aligned as Docker', async () => {
    const r = await t.ok(['version'])
    const out = lines(r.stdout)
    expect(out[0]).toBe('Client: tsrun')
    expect(out).toContain(` Version:           ${rootPackage.version}`)
    expect(out).toContain(' Engine:')
    expect(out).toContain(` OS/Arch:           linux/${GOARCH[process.arch] ?? process.arch}`)
    expect(out).toContain(' tsrun-shim:')
  })

  it('a template naming no field fails as on Docker\'s struct (no retry on a map), one line, 125, nothing printed', async () => {
    for (const cmd of ['version', 'info']) {
      const r = await t.run([cmd, '--format', '{{.Nope}}'])
      expect(r.code, show(r)).toBe(125)
      expect(lines(r.stderr)).toEqual([expect.stringMatching(/^Error: template parsing error: template: :1:\d+: executing "" at <\.Nope>: can't evaluate field Nope in type tsrun\.(VersionInfo|Info)$/)])
      expect(r.stdout).toBe('')
    }
  })
})

describe('info and system info', () => {
  it('docker info --format json: one line, Docker\'s fields, counts as the store has them', async () => {
    await t.ok(['run', '-d', '--name', 'up', 'demo:1', 'sleep', '60'])
    await t.ok(['create', '--name', 'made', 'demo:1', 'true'])
    await t.ok(['pause', 'up'])
    const r = await t.run(['info', '--format', 'json'])
    expect(r.code, show(r)).toBe(0)
    expect(lines(r.stdout)).toHaveLength(1)
    const i = JSON.parse(r.stdout)
    expect(i).toMatchObject({
      Containers: 2,
      ContainersRunning: 0,
      ContainersPaused: 1,
      ContainersStopped: 1,
      Images: 1,
      Driver: 'overlay',
      DockerRootDir: t.root,
      RunRoot: path.join(t.root, 'run'),
      OSType: 'linux',
      Architecture: os.machine(),
      NCPU: os.availableParallelism(),
      KernelVersion: os.release(),
      CgroupDriver: 'cgroupfs',
      DefaultRuntime: 'native',
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
    })
    // isolation-oci adds runc, crun, youki where installed (isolation-oci.test.ts checks them).
    expect(i.Backends).toMatchObject({ isolation: expect.arrayContaining(['native']), storage: ['bind', 'overlay'], volume: ['local'] })
    expect(i.Plugins.Log).toEqual(expect.arrayContaining(['json-file', 'k8s-file', 'none']))
    await t.ok(['rm', '-f', 'up', 'made'])
  })

  it('the cgroup version and what can be enforced are this host\'s', async () => {
    const i = JSON.parse((await t.ok(['system', 'info', '--format', 'json'])).stdout)
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8')
    const v1 = / - cgroup /.test(mounts)
    const v2 = / - cgroup2 /.test(mounts)
    expect(i.CgroupLayout).toBe(v1 && v2 ? 'hybrid' : v1 ? 'v1' : v2 ? 'v2' : 'none')
    expect(i.CgroupVersion).toBe(v1 ? '1' : '2')
    // That each limit named here is enforced is cli-commands-limits.test.ts's.
    expect(i.EnforceableLimits).toEqual(expect.arrayContaining(v1 && fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') ? ['memory'] : []))
    expect(i.MemoryLimit).toBe(i.EnforceableLimits.includes('memory'))
    expect(i.SwapLimit).toBe(i.EnforceableLimits.includes('memory swap'))
    // One warning per limit this host cannot enforce, as Docker's info prints them.
    expect(i.Warnings).toHaveLength(8 - i.EnforceableLimits.length)
  })

  it('docker info --format TEMPLATE: {{.CgroupVersion}}, {{.DockerRootDir}}', async () => {
    const r = await t.ok(['info', '--format', '{{.DockerRootDir}} {{.Driver}} {{json .SecurityOptions}}'])
    expect(r.stdout).toBe(`${t.root} overlay ["name=seccomp,profile=builtin","name=cgroupns"]\n`)
  })

  it('each setting says where it came from: flag > env > default', async () => {
    const other = newRoot()
    try {
      const viaFlag = JSON.parse((await other.ok(['info', '--root', other.root, '--format', '{{json .Config}}'], { env: { TSRUN_ROOT: t.root, TSRUN_STORAGE_DRIVER: 'bind' } })).stdout)
      expect(viaFlag).toEqual([
        { Setting: 'root', Value: other.root, Source: 'flag' },
        { Setting: 'runRoot', Value: path.join(other.root, 'run'), Source: 'flag' },
        { Setting: 'isolation', Value: 'native', Source: 'default' },
        { Setting: 'storageDriver', Value: 'bind', Source: 'env' },
      ])
      const viaEnv = JSON.parse((await t.ok(['info', '--format', '{{json .Config}}'])).stdout)
      expect(viaEnv[0]).toEqual({ Setting: 'root', Value: t.root, Source: 'env' })
    } finally {
      await other.destroy()
    }
  })

  it('the text has Docker\'s lines and tsrun\'s own, and says where each setting came from', async () => {
    const out = lines((await t.ok(['info'])).stdout)
    expect(out[0]).toBe('Server:')
    for (const l of [' Containers: 0', ' Images: 1', ' Storage Driver: overlay', ' Logging Driver: json-file', ' Cgroup Driver: cgroupfs', ' Security Options:', '  seccomp', '   Profile: builtin', '  cgroupns', ` Docker Root Dir: ${t.root}`, ` Run Root: ${path.join(t.root, 'run')}`, `  root: ${t.root} (env)`]) {
      expect(out).toContain(l)
    }
    expect(out.find((l) => l.startsWith(' Cgroup Version: '))).toBeDefined()
    expect(out.find((l) => l.startsWith(' Enforceable Limits: '))).toBeDefined()
  })
})
