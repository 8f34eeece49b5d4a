import * as path from 'node:path'
import { Command, Flags, Errors } from '@oclif/core'
import type { Interfaces } from '@oclif/core'
import type { ArgOutput, FlagOutput } from '@oclif/core/lib/interfaces/parser'
import { Engine, PluginHost, resolveConfig, TsrunError } from '@tsrun/core'
import { LOG_LEVELS, setLogLevel, warning, type LogLevel } from './log-level'
import { gatePlugins } from './plugin-gate'
import { normalizeArgv, type FlagSpec } from './parsing/normalize-argv'
import { translateParseError, UsageError } from './parsing/parse-errors'
import { dockerUsage } from './parsing/usage'

/** The global flags' values, as every command's parse answers them. */
interface GlobalFlagValues {
  root?: string
  runroot?: string
  debug?: boolean
  'log-level'?: string
}

/**
 * Base of every command that touches the engine: the shared flags, building
 * the engine (firing the `tsrun:register` hook so plugins add backends), and
 * turning errors into one line and Docker's exit codes.
 */
export abstract class EngineCommand extends Command {
  static override baseFlags = {
    root: Flags.string({ description: 'state directory (default /var/lib/tsrun; env TSRUN_ROOT; root in tsrun.conf)', helpGroup: 'GLOBAL' }),
    runroot: Flags.string({ description: 'runtime state directory (default /run/tsrun, or ROOT/run with --root)', helpGroup: 'GLOBAL', hidden: true }),
    debug: Flags.boolean({ description: 'print stack traces of errors (same as --log-level debug)', helpGroup: 'GLOBAL' }),
    'log-level': Flags.string({ options: [...LOG_LEVELS], description: 'debug (stack traces of errors), info or warn (the default: warnings are printed), error or fatal (no warnings)', helpGroup: 'GLOBAL' }),
  }

  private debugErrors = false

  /**
   * oclif's parse with Docker's flag semantics in front (parsing/normalize-argv:
   * `--rm=false`, `-d=true`, the last of a repeated flag wins) and Docker's
   * usage errors behind (parsing/parse-errors). The global flags are merged
   * in even when a command parses a copy of its class (`{ ...Run, strict:
   * true }` carries no inherited `baseFlags`), and applied at once.
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const ctor = this.constructor as typeof EngineCommand
    const opts = { ...(options ?? (ctor as unknown as Interfaces.Input<F, B, A>)) }
    opts.baseFlags ??= ctor.baseFlags as unknown as Interfaces.FlagInput<B>
    const all = { ...opts.baseFlags, ...opts.flags } as unknown as Record<string, FlagSpec & { hidden?: boolean }>
    // A usage error thrown before oclif's own parse still counts as parsing (oclif warns otherwise).
    ;(this as unknown as { parsed: boolean }).parsed = true
    try {
      const out = await super.parse(opts, normalizeArgv(argv, all))
      this.applyGlobalFlags(out.flags as GlobalFlagValues)
      return out
    } catch (err) {
      const names = Object.entries(all).flatMap(([n, f]) => (f.hidden ? [] : [n, ...(f.aliases ?? [])]))
      throw translateParseError(err as Error, { command: this.displayName(), usage: dockerUsage(ctor), flagNames: names }) ?? err
    }
  }

  /** `--debug` and `--log-level` take effect for the rest of the call. */
  private applyGlobalFlags(flags: GlobalFlagValues): void {
    const level = (flags['log-level'] as LogLevel | undefined) ?? (flags.debug ? 'debug' : 'info')
    setLogLevel(level)
    this.debugErrors = Boolean(flags.debug) || level === 'debug'
  }

  /** `tsrun volume ls`: the command as the user types it. */
  protected displayName(): string {
    return `${this.config.bin} ${(this.id ?? '').replace(/:/g, ' ')}`.trim()
  }

  /** Build the engine for this invocation; plugins register their backends here. */
  protected async openEngine(flags: { root?: string; runroot?: string; debug?: boolean }, overrides: { isolation?: string; storageDriver?: string } = {}): Promise<Engine> {
    this.debugErrors ||= Boolean(flags.debug)
    const binary = path.join(this.config.root, 'bin', 'tsrun')
    const engine = new Engine(
      resolveConfig({ root: flags.root, runRoot: flags.runroot, ...definedOnly(overrides), selfCommand: [binary] }),
    )
    const host = (origin: string): PluginHost => engine.pluginHost(origin)
    const restore = gatePlugins(this.config, warning)
    let result
    try {
      result = await this.config.runHook('tsrun:register' as never, { host } as never)
    } finally {
      restore()
    }
    for (const failure of result.failures) {
      throw new TsrunError(`plugin ${failure.plugin.name} failed to register: ${(failure.error as Error).message}`)
    }
    return engine
  }

  /**
   * Print one line (a stack only with --debug) and exit with the error's
   * code: 125 for the engine's own. A usage error adds Docker's usage line.
   */
  protected override async catch(err: Error & { exitCode?: number; reported?: boolean; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    const code = err instanceof TsrunError ? err.exitCode : err.oclif?.exit === 0 ? 0 : 125
    if (!err.reported) {
      const text = this.debugErrors ? err.stack ?? err.message : firstLine(err.message)
      process.stderr.write(`Error: ${text}\n`)
      if (err instanceof UsageError && err.usage) process.stderr.write(`${err.usage}\n`)
    }
    process.exitCode = code
  }
}

function firstLine(message: string): string {
  return message.split('\n').filter((l) => l.trim())[0]?.replace(/^Error:\s*/, '') ?? 'unknown error'
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
