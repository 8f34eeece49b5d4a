/**
 * Which credentials files a command reads and which one `login` writes.
 *
 * One file named explicitly — `--authfile FILE`, else `$REGISTRY_AUTH_FILE`,
 * else tsrun.conf's `registries.auth-file` — is the only one read and
 * written, as podman does with `--authfile`.
 *
 * Otherwise `login` writes Docker's file, `$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json` (Docker first: a Docker user's `docker login`
 * and `tsrun login` are the same login), and lookups go through, until one
 * has credentials for the registry:
 *
 *   1. that Docker config.json;
 *   2. podman's login file, `$XDG_RUNTIME_DIR/containers/auth.json`
 *      (without XDG_RUNTIME_DIR, `/run/containers/UID/auth.json`, where
 *      podman keeps root's);
 *   3. `$XDG_CONFIG_HOME/containers/auth.json` (`~/.config/containers/auth.json`).
 *
 * So credentials from `docker login`, `podman login`, `skopeo login` and
 * `tsrun login` all work. Docker's legacy `~/.dockercfg` is not read.
 */
import * as os from 'node:os'
import * as path from 'node:path'

export interface AuthFileChain {
  /** Where `login` writes and `logout` erases. */
  primary: string
  /** Every file lookups read, in order (`primary` first). */
  files: string[]
  /** The user named the file: nothing else is read. */
  explicit: boolean
}

/** The chain for an explicit file (flag, else env, else tsrun.conf), or the default one. */
export function authFileChain(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): AuthFileChain {
  const named = explicit || env.REGISTRY_AUTH_FILE
  if (named) {
    const file = path.resolve(named)
    return { primary: file, files: [file], explicit: true }
  }
  const home = env.HOME || os.homedir()
  const docker = path.join(env.DOCKER_CONFIG ? path.resolve(env.DOCKER_CONFIG) : path.join(home, '.docker'), 'config.json')
  const podman = env.XDG_RUNTIME_DIR && path.isAbsolute(env.XDG_RUNTIME_DIR)
    ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
    : `/run/containers/${process.getuid?.() ?? 0}/auth.json`
  const configHome = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config')
  const files = [docker, podman, path.join(configHome, 'containers', 'auth.json')]
  return { primary: docker, files: [...new Set(files)], explicit: false }
}
