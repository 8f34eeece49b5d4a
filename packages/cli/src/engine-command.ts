import * as path from 'node:path'
import { Command, Flags, Errors } from '@oclif/core'
import { Engine, PluginHost, resolveConfig, TsrunError } from '@tsrun/core'

/**
 * Base of every command that touches the engine: the shared flags, building
 * the engine (firing the `tsrun:register` hook so plugins add backends), and
 * turning errors into one line and Docker's exit codes.
 */
export abstract class EngineCommand extends Command {
  static override baseFlags = {
    root: Flags.string({ description: 'state directory (default /var/lib/tsrun; env TSRUN_ROOT; root in tsrun.conf)', helpGroup: 'GLOBAL' }),
    runroot: Flags.string({ description: 'runtime state directory (default /run/tsrun, or ROOT/run with --root)', helpGroup: 'GLOBAL', hidden: true }),
    debug: Flags.boolean({ description: 'print stack traces of errors', helpGroup: 'GLOBAL' }),
  }

  private debugErrors = false

  /** Build the engine for this invocation; plugins register their backends here. */
  protected async openEngine(flags: { root?: string; runroot?: string; debug?: boolean }, overrides: { isolation?: string; storageDriver?: string } = {}): Promise<Engine> {
    this.debugErrors = Boolean(flags.debug)
    const binary = path.join(this.config.root, 'bin', 'tsrun')
    const engine = new Engine(
      resolveConfig({ root: flags.root, runRoot: flags.runroot, ...definedOnly(overrides), selfCommand: [binary] }),
    )
    const host = (origin: string): PluginHost => engine.pluginHost(origin)
    const result = await this.config.runHook('tsrun:register' as never, { host } as never)
    for (const failure of result.failures) {
      throw new TsrunError(`plugin ${failure.plugin.name} failed to register: ${(failure.error as Error).message}`)
    }
    return engine
  }

  /** Print one line (a stack only with --debug) and exit with the error's code: 125 for the engine's own. */
  protected override async catch(err: Error & { exitCode?: number; reported?: boolean; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof Errors.ExitError) throw err
    const code = err instanceof TsrunError ? err.exitCode : err.oclif?.exit === 0 ? 0 : 125
    if (!err.reported) {
      const text = this.debugErrors ? err.stack ?? err.message : firstLine(err.message)
      process.stderr.write(`Error: ${text}\n`)
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
