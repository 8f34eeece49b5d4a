import { Flags } from '@oclif/core'
import type { ContainerView, Engine } from '@tsrun/core'
import { UsageError } from '../parsing/parse-errors'

/** Docker's usage line of the commands that take containers, which `--all` leaves unchanged. */
export const CONTAINERS_USAGE = '[OPTIONS] CONTAINER [CONTAINER...]'

/**
 * podman's `--all` on rm/start/stop/kill/pause/unpause: every container the
 * command can act on. `-a` where podman has it and Docker gives `-a` no
 * other meaning (`start -a` is Docker's `--attach`, so start has only
 * `--all`).
 */
export function allFlag(char?: 'a') {
  return Flags.boolean({ char, description: 'act on every container it applies to (podman)' })
}

/**
 * The containers a command acts on: those named, or with `--all` the ids
 * of every container `applies` picks (stop: running ones; start: the
 * stopped ones). Naming containers with `--all` is podman's error, and
 * neither is Docker's missing-argument error with the usage line.
 */
export async function targetContainers(
  engine: Engine,
  command: string,
  named: string[],
  all: boolean,
  applies: (view: ContainerView) => boolean = () => true,
): Promise<string[]> {
  if (all && named.length) throw new UsageError(`when using --all, you may not pass any container names or ids (got ${named.join(' ')})`)
  if (!all && !named.length) throw new UsageError(`"${command}" requires at least 1 argument; missing: CONTAINER (or --all)`, `Usage: ${command} ${CONTAINERS_USAGE}`)
  if (!all) return named
  return (await engine.containers.list(true)).filter(applies).map((v) => v.record.id)
}
