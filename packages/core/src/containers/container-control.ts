import * as path from 'node:path'
import type { IsolationBackend } from '../backends/isolation'
import { hasControl, type CgroupFigures, type IsolationControl } from '../backends/isolation-control'
import type { BackendRegistry } from '../backends/registry'
import { ConflictError, InvalidArgumentError, TsrunError } from '../errors'
import { readJson, writeJsonAtomic } from '../util/atomic'
import type { ContainerService } from './container-service'
import { mergeEnv, parseEnvFlags } from './env'
import type { ContainerRecord } from './record'
import { netBytes, type StatsSample } from './stats-view'
import { missingControllerWarnings, ociResources, parseResources, type ResourceInput, type ResourceLimits } from './resources'

/** What `tsrun exec` asks for, after flag parsing. */
export interface ExecOptions {
  command: string[]
  /** `-e` values as typed, laid over the container's environment. */
  env: string[]
  user?: string
  workdir?: string
  tty: boolean
  stdin: boolean
  detach: boolean
  /** With -it in the foreground: the bytes that detach the terminal, leaving the process running (Docker's detach keys). */
  detachKeys?: Uint8Array
}

/** Warnings for the limits a backend cannot enforce on this host (none when it cannot tell). */
export function unenforceableLimits(backend: IsolationBackend, limits: ResourceLimits): string[] {
  if (!hasControl(backend)) return []
  return missingControllerWarnings(backend.unenforceable(ociResources(limits)))
}

/**
 * Working with a container while it runs: `update`, `pause`/`unpause`,
 * `exec`, `top`, `stats`. Policy (what state allows what, the messages) is
 * here; the isolation backend's IsolationControl does the work.
 */
export class ContainerControl {
  constructor(private readonly containers: ContainerService, private readonly backends: BackendRegistry) {}

  /**
   * New limits for a container. A running one gets them at once (and keeps
   * the old ones if the kernel refuses); the record and the bundle are
   * rewritten so `inspect` and the next start agree. Answers warnings.
   */
  async update(rec: ContainerRecord, input: ResourceInput): Promise<string[]> {
    const limits = parseResources(input, rec.hostConfig)
    const resources = ociResources(limits)
    const state = await this.containers.state(rec)
    let warnings: string[] = []
    if (state.status === 'running') {
      const ctl = this.control(rec, 'update')
      warnings = missingControllerWarnings(await ctl.update(this.containers.handle(rec), resources))
    }
    const configFile = path.join(this.containers.store.dir(rec.id), 'bundle', 'config.json')
    const spec = readJson<{ linux?: { resources?: { devices?: unknown } } & Record<string, unknown> }>(configFile)
    if (spec) {
      // The device rules are not limits `update` changes: keep them.
      const devices = spec.linux?.resources?.devices
      spec.linux = { ...spec.linux, resources: devices === undefined ? resources : { ...resources, devices } }
      writeJsonAtomic(configFile, spec)
    }
    this.containers.store.save({ ...rec, hostConfig: { ...rec.hostConfig, ...limits } })
    return warnings
  }

  /** Freeze every process of a running container. */
  async pause(rec: ContainerRecord): Promise<void> {
    const ctl = this.control(rec, 'pause')
    await this.mustRun(rec)
    if (await ctl.paused(this.containers.handle(rec))) throw new ConflictError(`container ${rec.name} is already paused`)
    await ctl.freeze(this.containers.handle(rec), true)
    this.containers.events.emit('pause', rec)
  }

  async unpause(rec: ContainerRecord): Promise<void> {
    const ctl = this.control(rec, 'unpause')
    await this.mustRun(rec)
    if (!(await ctl.paused(this.containers.handle(rec)))) throw new ConflictError(`container ${rec.name} is not paused`)
    await ctl.freeze(this.containers.handle(rec), false)
    this.containers.events.emit('unpause', rec)
  }

  /**
   * Run a command in a running container, with its environment, user and
   * working directory unless overridden (as `docker exec`). Resolves with
   * the command's exit code (0 at once with `detach`).
   */
  async exec(rec: ContainerRecord, o: ExecOptions): Promise<number> {
    const ctl = this.control(rec, 'exec')
    await this.mustRun(rec)
    if (await ctl.paused(this.containers.handle(rec))) {
      throw new ConflictError(`container ${rec.name} is paused, unpause the container before exec`)
    }
    if (o.command.length === 0) throw new InvalidArgumentError('exec needs a command to run in the container')
    const cwd = o.workdir ?? (rec.config.WorkingDir || '/')
    if (!cwd.startsWith('/')) throw new InvalidArgumentError(`the working directory "${cwd}" is invalid: it needs to be an absolute path`)
    const base = o.tty && !rec.config.Env.some((e) => e.startsWith('TERM=')) ? [...rec.config.Env, 'TERM=xterm'] : rec.config.Env
    const process = {
      terminal: o.tty,
      args: o.command,
      env: mergeEnv(base, parseEnvFlags(o.env)),
      cwd,
    }
    return ctl.exec(this.containers.handle(rec), {
      process,
      user: o.user ?? rec.config.User,
      detach: o.detach,
      stdin: o.stdin,
      bundleDir: path.join(this.containers.store.dir(rec.id), 'bundle'),
      detachKeys: o.tty && o.stdin && !o.detach ? o.detachKeys : undefined,
    })
  }

  /** Host pids of the container's processes. */
  async processes(rec: ContainerRecord): Promise<number[]> {
    const ctl = this.control(rec, 'top')
    await this.mustRun(rec)
    return ctl.processes(this.containers.handle(rec))
  }

  /** Figures of a container now: cgroup plus network (all zero when it is not running). */
  async sample(rec: ContainerRecord): Promise<StatsSample> {
    const ctl = this.control(rec, 'stats')
    const state = await this.containers.state(rec)
    const at = Date.now()
    if (state.status !== 'running') return { at, figures: {}, netRx: 0, netTx: 0 }
    const figures: CgroupFigures = await ctl.stats(this.containers.handle(rec))
    const net = netBytes(state.pid)
    return { at, figures, netRx: net.rx, netTx: net.tx }
  }

  private control(rec: ContainerRecord, what: string): IsolationControl {
    const backend = this.backends.resolve<IsolationBackend>('isolation', rec.hostConfig.Isolation)
    if (!hasControl(backend)) throw new TsrunError(`isolation backend "${rec.hostConfig.Isolation}" cannot ${what} a container`)
    return backend
  }

  private async mustRun(rec: ContainerRecord): Promise<void> {
    if ((await this.containers.state(rec)).status !== 'running') throw new ConflictError(`container ${rec.name} is not running`)
  }
}
