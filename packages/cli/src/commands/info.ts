import { Flags } from '@oclif/core'
import { systemInfo } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { formatObject } from '../render/object-format'

export default class Info extends EngineCommand {
  static override summary = 'Display system-wide information'
  static override description = "Roots, backends, the cgroup version and which limits this host can enforce, security options, container and image counts, and where each setting came from (flag > env > config file > default). Docker's field names, so --format '{{.CgroupVersion}}' works; --format json prints one line."
  static override examples = ['<%= config.bin %> info', '<%= config.bin %> info --format json', "<%= config.bin %> system info --format '{{.DockerRootDir}}'"]
  static override aliases = ['system:info']
  static override flags = {
    format: Flags.string({ char: 'f', description: 'json, or a Go template like {{.CgroupVersion}}' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Info)
    const engine = await this.openEngine(flags)
    const info = await systemInfo(engine, { debug: flags.debug })
    const formatted = formatObject(flags.format, info, 'tsrun.Info', ['Runtimes', 'Backends'])
    if (formatted !== undefined) return void process.stdout.write(formatted)
    process.stdout.write(infoText(info as unknown as InfoShape))
    // As Docker: the warnings go to stderr after the listing.
    for (const w of info.Warnings as string[]) process.stderr.write(`${w}\n`)
  }
}

interface InfoShape {
  Containers: number
  ContainersRunning: number
  ContainersPaused: number
  ContainersStopped: number
  Images: number
  ServerVersion: string
  Driver: string
  DriverStatus: string[][]
  LoggingDriver: string
  CgroupDriver: string
  CgroupVersion: string
  CgroupLayout: string
  EnforceableLimits: string[]
  Plugins: { Volume: string[]; Network: string[]; Log: string[] }
  Runtimes: Record<string, { path?: string }>
  DefaultRuntime: string
  InitBinary: string
  SecurityOptions: string[]
  KernelVersion: string
  OperatingSystem: string
  OSType: string
  Architecture: string
  NCPU: number
  MemTotal: number
  Name: string
  DockerRootDir: string
  RunRoot: string
  Debug: boolean
  Backends: Record<string, string[]>
  BackendDetails: Array<{ Kind: string; Name: string; Version: string; Capabilities: string[]; Plugin: string }>
  Config: Array<{ Setting: string; Value: string; Source: string }>
}

/** The listing, in `docker info`'s order and indentation, with tsrun's own lines where it has more to say. */
function infoText(i: InfoShape): string {
  const security = i.SecurityOptions.flatMap((o) => {
    const parts = Object.fromEntries(o.split(',').map((kv) => kv.split('=')))
    return [`  ${parts.name}`, ...(parts.profile ? [`   Profile: ${parts.profile}`] : [])]
  })
  const lines = [
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ...i.DriverStatus.map(([k, v]) => `  ${k}: ${v}`),
    ` Logging Driver: ${i.LoggingDriver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}${i.CgroupLayout === 'hybrid' ? ' (hybrid: v1 controllers, an empty cgroup2 tree)' : ''}`,
    ` Enforceable Limits: ${i.EnforceableLimits.join(', ') || 'none'}`,
    ' Plugins:',
    `  Volume: ${i.Plugins.Volume.join(' ')}`,
    `  Network: ${i.Plugins.Network.join(' ')}`,
    `  Log: ${i.Plugins.Log.join(' ')}`,
    ' Backends:',
    ...Object.entries(i.Backends).map(([kind, names]) => `  ${kind}: ${names.join(' ') || '(none)'}`),
    ` Runtimes: ${Object.keys(i.Runtimes).join(' ')}`,
    ` Default Runtime: ${i.DefaultRuntime}`,
    ` Init Binary: ${i.InitBinary}`,
    ' Security Options:',
    ...security,
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${binarySize(i.MemTotal)}`,
    ` Name: ${i.Name}`,
    ` Docker Root Dir: ${i.DockerRootDir}`,
    ` Run Root: ${i.RunRoot}`,
    ` Debug Mode: ${i.Debug}`,
    ' Config (flag > env > config file > default):',
    ...i.Config.map((c) => `  ${c.Setting}: ${c.Value} (${c.Source})`),
    '',
  ]
  return lines.join('\n')
}

/** go-units BytesSize, as Docker prints Total Memory: binary units, four significant digits (23.47GiB). */
function binarySize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${Number(v.toPrecision(4))}${units[i]}`
}
