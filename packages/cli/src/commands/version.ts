import { Flags } from '@oclif/core'
import { engineBuild } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { formatObject } from '../render/object-format'
import { buildFacts } from '../render/build-facts'

export default class Version extends EngineCommand {
  static override summary = 'Show the tsrun version information'
  static override description = 'The client (this CLI) and the engine, which are one program (tsrun has no daemon), and the runtime every container runs under. API version is the engine API plugins program against. --format json prints one line, as Docker.'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --format json', "<%= config.bin %> version --format '{{.Server.Version}}'"]
  static override flags = {
    format: Flags.string({ char: 'f', description: "json, or a Go template like {{.Client.Version}}" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Version)
    const build = engineBuild()
    const facts = buildFacts()
    const osArch = { Os: build.os, Arch: build.arch }
    const engine = {
      Name: 'Engine',
      Version: build.version,
      Details: { ApiVersion: build.version, ...osArch, KernelVersion: build.kernelVersion, NodeVersion: build.nodeVersion, GitCommit: facts.commit, BuildTime: facts.builtAt, Experimental: 'false' },
    }
    const info = {
      Client: { Platform: { Name: 'tsrun' }, Version: this.config.version, ApiVersion: build.version, NodeVersion: build.nodeVersion, GitCommit: facts.commit, BuildTime: facts.builtAt, ...osArch },
      Server: {
        Platform: { Name: 'tsrun (daemonless: the engine runs in each command)' },
        Components: [engine, { Name: build.runtime.name, Version: build.runtime.version, Details: { Path: build.runtime.path } }],
        Version: build.version,
        ApiVersion: build.version,
        MinAPIVersion: build.version,
        GitCommit: facts.commit,
        NodeVersion: build.nodeVersion,
        ...osArch,
        KernelVersion: build.kernelVersion,
        BuildTime: facts.builtAt,
      },
    }
    const formatted = formatObject(flags.format, info, 'tsrun.VersionInfo')
    if (formatted !== undefined) return void process.stdout.write(formatted)
    const c = info.Client
    const rows = (indent: string, pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${indent}${`${k}:`.padEnd(19 - indent.length + 1)}${v}`).join('\n')
    process.stdout.write(
      [
        `Client: ${c.Platform.Name}`,
        rows(' ', [['Version', c.Version], ['API version', c.ApiVersion], ['Node version', c.NodeVersion], ['Git commit', c.GitCommit], ['Built', c.BuildTime], ['OS/Arch', `${c.Os}/${c.Arch}`]]),
        '',
        `Server: ${info.Server.Platform.Name}`,
        ' Engine:',
        rows('  ', [['Version', engine.Version], ['API version', `${engine.Details.ApiVersion} (minimum version ${info.Server.MinAPIVersion})`], ['Node version', engine.Details.NodeVersion], ['Git commit', engine.Details.GitCommit], ['Built', engine.Details.BuildTime], ['OS/Arch', `${build.os}/${build.arch}`], ['Kernel version', build.kernelVersion], ['Experimental', 'false']]),
        ` ${build.runtime.name}:`,
        rows('  ', [['Version', build.runtime.version], ['Path', build.runtime.path]]),
        '',
      ].join('\n'),
    )
  }
}
