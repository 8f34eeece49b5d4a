import * as fs from 'node:fs'
import * as path from 'node:path'
import type { IsolationBackend } from '../backends/isolation'
import { canCopy } from '../backends/isolation-copy'
import type { BackendRegistry } from '../backends/registry'
import { TsrunError } from '../errors'
import type { ContainerService } from './container-service'

/** One `tsrun cp`: which container, which way, which paths (as typed). */
export interface CopyOptions {
  container: string
  direction: 'in' | 'out'
  containerPath: string
  /** A host path, or `-`: a tar stream on stdout (`out`) or stdin (`in`). */
  hostPath: string
  archive: boolean
  /** `-L`: follow a symlink named as the source. */
  followLink?: boolean
}

/**
 * `tsrun cp`: resolves the container and its state, then hands the copy to
 * its isolation backend (which alone knows how to reach its filesystem).
 */
export class ContainerCopy {
  constructor(private readonly containers: ContainerService, private readonly backends: BackendRegistry) {}

  async copy(opts: CopyOptions): Promise<void> {
    const rec = this.containers.store.get(opts.container)
    const isolation = this.backends.resolve<IsolationBackend>('isolation', rec.hostConfig.Isolation)
    if (!canCopy(isolation)) throw new TsrunError(`isolation backend ${rec.hostConfig.Isolation} cannot copy files`)
    const state = await this.containers.state(rec)
    const containerPath = opts.containerPath.startsWith('/') ? opts.containerPath : `/${opts.containerPath}`
    const fresh = opts.direction === 'out' ? newHostEntry(opts.hostPath, containerPath) : undefined
    try {
      await isolation.copy({
        bundleDir: path.join(this.containers.store.dir(rec.id), 'bundle'),
        pid: state.status === 'running' ? state.pid : undefined,
        direction: opts.direction,
        containerPath,
        hostPath: hostPath(opts.hostPath),
        archive: opts.archive,
        followLink: opts.followLink ?? false,
      })
    } catch (err) {
      // A copy out that failed half-way (a full disk) leaves no half-written file or tree it created.
      if (fresh) fs.rmSync(fresh, { recursive: true, force: true })
      throw new TsrunError(`cp ${opts.direction === 'out' ? `${rec.name}:${containerPath} ${opts.hostPath}` : `${opts.hostPath} ${rec.name}:${containerPath}`}: ${(err as Error).message}`)
    }
  }
}

/**
 * The host path a copy out will create, when it does not exist yet: DEST
 * itself, or DEST/NAME when DEST is a directory (Docker's rule), so a
 * failed copy can remove it again. Undefined for a tar stream, for the
 * contents of SRC/. merged into an existing directory, and for anything
 * that is there already (overwritten in place, it cannot be restored).
 */
function newHostEntry(hostPath: string, containerPath: string): string | undefined {
  if (hostPath === '-') return undefined
  const dest = path.resolve(hostPath)
  let st: fs.Stats | undefined
  try {
    st = fs.lstatSync(dest)
  } catch {
    return fs.existsSync(path.dirname(dest)) ? dest : undefined
  }
  if (!st.isDirectory() || containerPath.endsWith('/.')) return undefined
  const inside = path.join(dest, path.basename(containerPath))
  return fs.existsSync(inside) || path.basename(containerPath) === '' ? undefined : inside
}

/** Absolute, with Docker's meaningful endings (`dir/`, `dir/.`) kept; `-` (a tar stream) as is. */
function hostPath(p: string): string {
  if (p === '-') return p
  const abs = path.resolve(p)
  if (p.endsWith('/.')) return `${abs}/.`
  if (p.endsWith('/') && abs !== '/') return `${abs}/`
  return abs
}
