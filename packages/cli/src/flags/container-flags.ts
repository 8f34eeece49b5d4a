import * as path from 'node:path'
import { Flags } from '@oclif/core'
import type { CreateOptions } from '@tsrun/core'
import { InvalidArgumentError } from '@tsrun/core'
import { mountFlags, toMountInputs, type MountFlagValues } from './mount-flags'
import { resourceFlags, toResources, type ResourceFlagValues } from './resource-flags'
import { securityFlags, toHostOptions, type SecurityFlagValues } from './security-flags'
import { warning } from '../log-level'
import { labelFileEntries, runtimeCreateOptions, runtimeFlags, type RuntimeFlagValues } from './runtime-flags'

/** Flags `run` and `create` share, with Docker's names and short forms. */
export const containerFlags = {
  name: Flags.string({ description: 'assign a name to the container' }),
  hostname: Flags.string({ char: 'h', description: 'container host name (default: the short id)' }),
  env: Flags.string({ char: 'e', multiple: true, multipleNonGreedy: true, description: 'set an environment variable (KEY=VAL, or KEY to copy it from here)' }),
  'env-file': Flags.string({ multiple: true, multipleNonGreedy: true, description: 'read environment variables from a file of KEY=VAL lines' }),
  workdir: Flags.string({ char: 'w', description: 'working directory inside the container' }),
  entrypoint: Flags.string({ description: "overwrite the image's entrypoint" }),
  user: Flags.string({ char: 'u', description: 'user as uid[:gid] or name[:group]' }),
  tty: Flags.boolean({ char: 't', description: 'allocate a pseudo-TTY' }),
  interactive: Flags.boolean({ char: 'i', description: 'keep stdin open' }),
  rm: Flags.boolean({ description: 'remove the container when it exits' }),
  network: Flags.string({ aliases: ['net'], description: 'network mode: none (a private namespace with only lo) or host (default none, or network in tsrun.conf / TSRUN_NETWORK)' }),
  label: Flags.string({ char: 'l', multiple: true, multipleNonGreedy: true, description: 'set a label (KEY=VAL)' }),
  isolation: Flags.string({ description: 'isolation backend (env TSRUN_ISOLATION; default native)' }),
  runtime: Flags.string({ description: "OCI runtime: a name (runc, crun, youki) or the path of any runtime with runc's command line (as podman's --runtime)" }),
  'storage-driver': Flags.string({ description: 'storage driver (env TSRUN_STORAGE_DRIVER; default overlay)' }),
  ...mountFlags,
  ...resourceFlags,
  ...securityFlags,
  ...runtimeFlags,
  init: Flags.boolean({ description: 'run a tiny init as PID 1 that forwards signals and reaps zombies' }),
}

/** The parsed flags of `containerFlags`. */
export interface ContainerFlagValues extends ResourceFlagValues, MountFlagValues, SecurityFlagValues, RuntimeFlagValues {
  name?: string
  hostname?: string
  env?: string[]
  'env-file'?: string[]
  workdir?: string
  entrypoint?: string
  user?: string
  tty: boolean
  interactive: boolean
  rm: boolean
  network?: string
  label?: string[]
  isolation?: string
  runtime?: string
  'storage-driver'?: string
  init?: boolean
  /** From pullFlags, which `run` and `create` also take. */
  platform?: string
}

/**
 * `--isolation` and podman's `--runtime`: a runtime's name is that
 * isolation backend, a path (relative to here) names the binary itself
 * (plugins/isolation-oci serves absolute paths). Both given must agree.
 */
function isolationOf(flags: ContainerFlagValues): string | undefined {
  const rt = flags.runtime
  if (rt === undefined) return flags.isolation
  if (rt === '') throw new InvalidArgumentError('--runtime needs a runtime name or the path of a runtime binary')
  const name = rt.includes('/') ? path.resolve(rt) : rt
  if (flags.isolation !== undefined && flags.isolation !== name) {
    throw new InvalidArgumentError(`--runtime ${rt} and --isolation ${flags.isolation} name different backends; give one of them`)
  }
  return name
}

export function toCreateOptions(flags: ContainerFlagValues, image: string, command: string[]): CreateOptions {
  return {
    image,
    command,
    name: flags.name,
    hostname: flags.hostname,
    env: flags.env ?? [],
    envFiles: flags['env-file'] ?? [],
    workdir: flags.workdir,
    entrypoint: flags.entrypoint,
    user: flags.user,
    tty: Boolean(flags.tty),
    stdin: Boolean(flags.interactive),
    network: flags.network,
    autoRemove: Boolean(flags.rm),
    isolation: isolationOf(flags),
    storageDriver: flags['storage-driver'],
    labels: parseLabels([...labelFileEntries(flags['label-file'] ?? []), ...(flags.label ?? [])]),
    mounts: toMountInputs(flags),
    resources: toResources(flags),
    init: Boolean(flags.init),
    hostOptions: toHostOptions(flags),
    platform: flags.platform,
    ...runtimeCreateOptions(flags),
    onWarning: warning,
  }
}

function parseLabels(values: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq === 0) throw new InvalidArgumentError(`invalid label "${v}": the key is empty`)
    out[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '' : v.slice(eq + 1)
  }
  return out
}
