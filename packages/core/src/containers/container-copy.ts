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
      throw new TsrunError(`cp ${opts.direction === 'out' ? `${rec.name}:${containerPath} ${opts.hostPath}` : `${opts.hostPath} ${rec.name}:${containerPath}`}: ${(err as Error).message}`)
    }
  }
}

/** Absolute, with Docker's meaningful endings (`dir/`, `dir/.`) kept; `-` (a tar stream) as is. */
function hostPath(p: string): string {
  if (p === '-') return p
  const abs = path.resolve(p)
  if (p.endsWith('/.')) return `${abs}/.`
  if (p.endsWith('/') && abs !== '/') return `${abs}/`
  return abs
}
