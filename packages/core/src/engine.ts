import { BackendRegistry, PluginHost } from './backends/registry'
import { EngineConfig, Paths } from './config'
import { ContainerControl } from './containers/container-control'
import { ContainerFilesystem } from './containers/container-filesystem'
import { ContainerService } from './containers/container-service'
import { createEngineContainer, DependencyContainer, Tokens } from './di'
import { ImageService } from './images/image-service'
import { ImageStore } from './images/image-store'
import { registryAccess, type RegistryAccess } from './registry/connect'
import { secureStateRoots } from './state-root'
import type { VolumeService } from './volumes/volume-service'
import { NetworkService } from './networks/network-service'
import { HostNetwork, NoneNetwork } from './networks/basic-networks'

/**
 * One engine per CLI invocation: the config, the DI container plugins
 * register into, and the services commands call. Services are built on first
 * use so `tsrun --help` pays for none of them.
 */
export class Engine {
  readonly container: DependencyContainer
  readonly backends: BackendRegistry
  readonly paths: Paths
  private imageStore?: ImageStore
  private containerService?: ContainerService
  private imageService?: ImageService
  private containerControl?: ContainerControl
  private containerFilesystem?: ContainerFilesystem
  private networkService?: NetworkService

  constructor(readonly config: EngineConfig) {
    this.container = createEngineContainer()
    this.backends = new BackendRegistry(this.container)
    this.paths = new Paths(config)
    // Before anything reads or writes the store: closed to other host users.
    secureStateRoots(this.paths)
    this.container.registerInstance(Tokens.Config, config)
    this.container.registerInstance(Tokens.Backends, this.backends)
    // The networks every tsrun has; plugins add their own beside them.
    this.backends.register('network', 'none', () => new NoneNetwork(), '@tsrun/core')
    this.backends.register('network', 'host', () => new HostNetwork(), '@tsrun/core')
  }

  /** What a plugin's `register(host)` receives; `origin` names the plugin in errors. */
  pluginHost(origin: string): PluginHost {
    return {
      container: this.container,
      registerBackend: (kind, name, factory, meta) => this.backends.register(kind, name, factory, origin, meta),
      registerBackendFamily: (kind, label, accepts, factory, validate) => this.backends.registerFamily(kind, label, accepts, factory, origin, validate),
    }
  }

  get images(): ImageService {
    this.imageService ??= new ImageService(this.config, this.backends, this.store, this.containers.store)
    return this.imageService
  }

  get containers(): ContainerService {
    this.containerService ??= new ContainerService(this.config, this.backends, this.store)
    return this.containerService
  }

  /** Volumes: create, ls, inspect, rm, prune (they live beside the containers that use them). */
  get volumes(): VolumeService {
    return this.containers.volumes
  }

  /** Networks: ls, inspect, exists (the predefined ones until a network backend adds its own). */
  get networks(): NetworkService {
    this.networkService ??= new NetworkService(this.config.root, () => this.containers.list(true))
    return this.networkService
  }

  /** Registry credentials, TLS, registries.conf: what pull, push, login and logout go through. */
  get registries(): RegistryAccess {
    return registryAccess(this.config)
  }

  /** Running containers: update, pause, exec, top, stats. */
  get control(): ContainerControl {
    this.containerControl ??= new ContainerControl(this.containers, this.backends)
    return this.containerControl
  }

  /** A container's files from the host: diff, export, commit. */
  get filesystem(): ContainerFilesystem {
    this.containerFilesystem ??= new ContainerFilesystem(this.containers, this.images, this.control, this.backends)
    return this.containerFilesystem
  }

  private get store(): ImageStore {
    // A short name not found as Docker names it may be stored under its registries.conf alias or search registry.
    this.imageStore ??= new ImageStore(this.paths, (input) => this.registries.localCandidates(input))
    return this.imageStore
  }
}
