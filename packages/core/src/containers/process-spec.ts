import { InvalidArgumentError } from '../errors'
import type { ImageRuntimeConfig } from '../images/oci'
import type { CreateOptions } from './create-options'
import { DEFAULT_PATH, mergeEnv, parseEnvFlags, readEnvFiles } from './env'

/** The process a container runs, decided from the image defaults and the user's flags. */
export interface ProcessDecision {
  path: string
  args: string[]
  entrypoint: string[] | null
  cmd: string[] | null
  env: string[]
  workdir: string
  user: string
}

/**
 * Docker's rules: `--entrypoint` replaces the image's and drops its Cmd;
 * arguments after the image replace Cmd; env is default PATH, HOSTNAME, TERM
 * (with a TTY), the image's Env, then `--env-file`, then `-e`.
 */
export function decideProcess(opts: CreateOptions, image: ImageRuntimeConfig, hostname: string): ProcessDecision {
  let entrypoint = image.Entrypoint ?? null
  let cmd = image.Cmd ?? null
  if (opts.entrypoint !== undefined) {
    entrypoint = opts.entrypoint === '' ? null : [opts.entrypoint]
    cmd = null
  }
  if (opts.command.length > 0) cmd = opts.command
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])]
  if (argv.length === 0) {
    throw new InvalidArgumentError(`no command specified: the image ${opts.image} has no Cmd or Entrypoint; give a command after the image name`)
  }
  const workdir = opts.workdir ?? image.WorkingDir ?? '/'
  if (workdir && !workdir.startsWith('/')) {
    throw new InvalidArgumentError(`the working directory "${workdir}" is invalid: it needs to be an absolute path`)
  }
  const base = [DEFAULT_PATH, `HOSTNAME=${hostname}`, ...(opts.tty ? ['TERM=xterm'] : [])]
  const env = mergeEnv(base, image.Env ?? [], readEnvFiles(opts.envFiles), parseEnvFlags(opts.env))
  return { path: argv[0], args: argv.slice(1), entrypoint, cmd, env, workdir: workdir || '/', user: opts.user ?? image.User ?? '' }
}
