import * as path from 'node:path'
import { InvalidArgumentError, Tokens, type EngineConfig, type PluginHost } from '@tsrun/core'
import { NativeIsolation } from '@tsrun/isolation-native'
import { findOnPath, isExecutable, KNOWN_RUNTIMES } from './find-runtime'

export { findOnPath, KNOWN_RUNTIMES }

/** What listings show for the family of runtimes named by path. */
export const PATH_LABEL = '/PATH/TO/OCI-RUNTIME'

/**
 * The backend for one runtime binary: tsrun's monitor (tsrun-shim) driving
 * it through runc's command line, with a state root of its own under the
 * run root (`<run>/runtimes/<name>`), so tsrun's containers never mix with
 * podman's or Docker's in `runc list`.
 */
function backend(config: EngineConfig, file: string, rootName: string): NativeIsolation {
  return new NativeIsolation({ path: file, root: path.join(config.runRoot, 'runtimes', rootName) })
}

/** A runtime named by path gets a root named after the path (one per binary). */
function rootNameForPath(file: string): string {
  return `path${file.replace(/[^A-Za-z0-9._-]/g, '_')}`
}

/**
 * Register `isolation:runc`, `isolation:crun`, `isolation:youki` for each
 * binary found on PATH, and the family of absolute paths for any other
 * runtime (`run --runtime /opt/bin/my-runtime`, as podman's `--runtime`).
 * A path that is not an executable file is refused with one line (exit 125)
 * when a container is made; a container whose binary went away later can
 * still be stopped and removed (its monitor and `delete` fail, its cgroup
 * and files are tsrun's to remove).
 */
export function register(host: PluginHost): void {
  const config = () => host.container.resolve<EngineConfig>(Tokens.Config)
  for (const name of KNOWN_RUNTIMES) {
    const file = findOnPath(name)
    if (file) host.registerBackend('isolation', name, () => backend(config(), file, name))
  }
  host.registerBackendFamily?.(
    'isolation',
    PATH_LABEL,
    (name) => name.startsWith('/'),
    (_c, file) => backend(config(), file, rootNameForPath(file)),
    (file) => {
      if (!isExecutable(file)) {
        throw new InvalidArgumentError(`OCI runtime ${file} is not an executable file; give --runtime the path of a runtime with runc's command line, or one of: ${KNOWN_RUNTIMES.join(', ')}`)
      }
    },
  )
}
